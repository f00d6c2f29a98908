#!/bin/sh
# deps.sh check PKG...              exit 1 with the install command if a pkg-config module is missing
# deps.sh install PKG... -- DEB...  install the Debian packages (apt-get, as root) if any module is missing
mode=$1; shift
mods=""
while [ $# -gt 0 ] && [ "$1" != "--" ]; do mods="$mods $1"; shift; done
[ "$1" = "--" ] && shift
debs="$*"
[ -z "$debs" ] && debs="pkg-config liblua5.4-dev libxml2-dev libutf8proc-dev libjansson-dev"

missing=""
if ! command -v pkg-config >/dev/null 2>&1; then
    missing="pkg-config"
else
    for m in $mods; do
        pkg-config --exists "$m" || missing="$missing $m"
    done
fi
[ -z "$missing" ] && exit 0

cmd="apt-get update && apt-get install -y $debs"
if [ "$mode" = install ] && [ "$(id -u)" = 0 ]; then
    echo "lode: installing missing packages (missing:$missing)"
    export DEBIAN_FRONTEND=noninteractive
    (apt-get update -qq && apt-get install -y -qq $debs) || { echo "lode: apt-get failed" >&2; exit 1; }
    exit 0
fi
echo "lode: missing build dependencies:$missing" >&2
echo "lode: install them with:  sudo sh -c '$cmd'" >&2
exit 1
