#!/bin/sh
# tests/scripts/quote_eval.sh: precision/recall of direct-quote detection (lode.news) against
# the hand-annotated sample tests/scripts/quotes-gold.tsv (see the note at its top).
#   sh tests/scripts/quote_eval.sh          summary
#   sh tests/scripts/quote_eval.sh -v       also every error (missed, false positive, speaker)
cd "$(dirname "$0")/../.." || exit 2
LODE=${LODE:-build/lode}
CORPUS=${NEWS_CORPUS:-../shared/corpus/news-de}/wikinews-quotes
[ -d "$CORPUS" ] || { echo "quote_eval: $CORPUS missing" >&2; exit 2; }
list=$(mktemp); trap 'rm -f "$list" "$list.out"' EXIT
grep -v '^#' tests/scripts/quotes-gold.tsv | tail -n +2 | cut -f1 | sort -u | sed "s|^|$CORPUS/|" > "$list"
echo "sample: $(wc -l < "$list") articles, $(grep -v '^#' tests/scripts/quotes-gold.tsv | tail -n +2 | wc -l) quoted passages"
"$LODE" run tests/scripts/quote_eval.lua --files-from "$list" -o "$list.out" || exit 1
[ "$1" = "-v" ] && cat "$list.out"
exit 0
