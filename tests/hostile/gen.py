#!/usr/bin/env python3
"""gen.py -- writes the hostile input set (issue 8: 200+ inputs we wrote
ourselves) into a folder, with a manifest the runner (run.py) reads.

  python3 tests/hostile/gen.py OUTDIR

Every input is generated here (none is big; the few that need a byte-exact
form are spelled out as bytes).  Each manifest line (JSON) says:

  file     the input, relative to OUTDIR
  kind     "convert" (lode convert FILE OPTS -o OUT) or "run" (lode run
           --sandbox LIMITS FILE doc.html)
  opts     extra options
  expect   "ok", "error" or "any" (either, as long as the rules hold)
  frag     for "error": a fragment the message must hold (optional)

The rules every input must obey are the runner's (see run.py).  OUTDIR also
gets canary.txt and decoy files that hostile inputs point at, by absolute
and by relative paths; none may ever be opened.
"""
import gzip
import json
import os
import shutil
import sys
import zlib

CANARY = "LODE-HOSTILE-CANARY-3b9e: never read this"

out_dir = None
manifest = []


def add(name, data, kind="convert", opts=(), expect="any", frag=None):
    path = os.path.join(out_dir, name)
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    with open(path, "wb") as f:
        f.write(data)
    manifest.append({"file": name, "kind": kind, "opts": list(opts), "expect": expect, "frag": frag})


def xml_cases():
    can = os.path.join(out_dir, "canary.txt")
    decoy = os.path.join(out_dir, "decoy.dtd")
    X = '<?xml version="1.0"?>\n'
    # --- external entities and DTDs, every way to name a file ------------
    targets = {
        "abs": can, "rel": "canary.txt", "dotdot": "../" + os.path.basename(out_dir) + "/canary.txt",
        "fileurl": "file://" + can, "filelocalhost": "file://localhost" + can, "hostname": "/etc/hostname",
        "http": "http://127.0.0.1:9/x.dtd", "ftp": "ftp://127.0.0.1:9/x", "pct": "file://" + can.replace("/", "%2F"),
        "gzrel": "decoy.xml.gz", "nul-prefix": "canary.txt\u0000x",
    }
    for k, t in targets.items():
        t = t.replace("\u0000", "")
        add("xxe-general-%s.xml" % k, X + '<!DOCTYPE d [<!ENTITY x SYSTEM "%s">]>\n<d>&x;</d>\n' % t,
            opts=["-t", "text"], expect="error", frag="lode never loads external entities")
        add("xxe-dtd-%s.xml" % k, X + '<!DOCTYPE d SYSTEM "%s">\n<d>&x;</d>\n' % t, opts=["-t", "xml"])
        add("xxe-pe-%s.xml" % k, X + '<!DOCTYPE d [<!ENTITY %% p SYSTEM "%s"> %%p;]>\n<d/>\n' % t,
            opts=["-t", "json"], expect="error")
    add("xxe-public.xml", X + '<!DOCTYPE d PUBLIC "-//X//Y" "%s" [<!ENTITY x PUBLIC "-//A//B" "%s">]><d>&x;</d>' % (decoy, can),
        opts=["-t", "xml", "--entities"], expect="error")
    add("xxe-in-attribute-default.xml", X + '<!DOCTYPE d [<!ENTITY x SYSTEM "%s"><!ATTLIST d a CDATA "&x;">]><d/>' % can,
        opts=["-t", "json"])
    add("xxe-in-attribute.xml", X + '<!DOCTYPE d [<!ENTITY x SYSTEM "%s">]><d a="&x;"/>' % can, opts=["-t", "json"])
    add("xxe-nested-internal.xml", X + '<!DOCTYPE d [<!ENTITY x SYSTEM "%s"><!ENTITY y "a&x;b">]><d>&y;</d>' % can,
        opts=["-t", "text", "--entities"])
    add("xxe-unparsed-ndata.xml", X + '<!DOCTYPE d [<!NOTATION n SYSTEM "%s"><!ENTITY u SYSTEM "%s" NDATA n><!ATTLIST d a ENTITY #IMPLIED>]><d a="u"/>' % (can, can),
        opts=["-t", "xml"])
    add("xxe-pe-in-pe.xml", X + '<!DOCTYPE d [<!ENTITY % a "<!ENTITY &#37; b SYSTEM \'' + can + '\'>"> %a; %b;]><d/>',
        opts=["-t", "xml"], expect="error")
    add("xxe-oob-pattern.xml", X + '<!DOCTYPE d [<!ENTITY % f SYSTEM "file:///etc/hostname"><!ENTITY % dtd SYSTEM "http://127.0.0.1:9/e.dtd"> %dtd;]><d/>',
        opts=["-t", "xml"], expect="error")
    add("xinclude.xml", X + '<d xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="%s" parse="text"/></d>' % can,
        opts=["-t", "text"], expect="ok")
    add("xinclude-xml.xml", X + '<d xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="decoy.xml"/><xi:include href="/etc/hostname" parse="text"><xi:fallback>f</xi:fallback></xi:include></d>',
        opts=["-t", "json"], expect="ok")
    add("xml-stylesheet.xml", '<?xml-stylesheet type="text/xsl" href="%s"?><d>x</d>' % can, opts=["-t", "html"], expect="ok")
    add("xml-stylesheet-css.xml", '<?xml-stylesheet type="text/css" href="canary.txt"?><d>x</d>', opts=["-t", "markdown"], expect="ok")
    add("oasis-catalog.xml", '<?xml version="1.0"?><?oasis-xml-catalog catalog="%s"?><!DOCTYPE d PUBLIC "-//L//D" "decoy.dtd"><d/>' % can,
        opts=["-t", "xml"])
    add("xml-base.xml", '<d xml:base="file:///etc/"><e xml:base="hostname">x</e></d>', opts=["-t", "json"], expect="ok")
    add("schema-location.xml", '<d xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="urn:x %s" xsi:noNamespaceSchemaLocation="%s"/>' % (can, can),
        opts=["-t", "xml"], expect="ok")
    add("svg-xlink.xml", '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><image xlink:href="file:///etc/hostname"/><use href="canary.txt#x"/></svg>',
        opts=["-t", "html"], expect="ok")
    # --- entity amplification ------------------------------------------
    lol = X + '<!DOCTYPE d [<!ENTITY a0 "lol">' + "".join(
        '<!ENTITY a%d "%s">' % (i, ("&a%d;" % (i - 1)) * 10) for i in range(1, 10)) + "]>"
    add("laughs-content.xml", lol + "<d>&a9;</d>", opts=["-t", "text"], expect="error")
    add("laughs-attribute.xml", lol + '<d a="&a9;"/>', opts=["-t", "json"], expect="error")
    add("laughs-entities-opt.xml", lol + "<d>&a5;</d>", opts=["-t", "xml", "--entities"], expect="error")
    add("laughs-declared-unused.xml", lol + "<d>x</d>", opts=["-t", "xml"])
    add("laughs-pe.xml", X + '<!DOCTYPE d [<!ENTITY % a0 "x">' + "".join(
        '<!ENTITY %% a%d "%s">' % (i, ("%%a%d;" % (i - 1)) * 10) for i in range(1, 8)) + '<!ENTITY e "%a7;">]><d>&e;</d>',
        opts=["-t", "text"], expect="error")
    add("quadratic-blowup.xml", X + '<!DOCTYPE d [<!ENTITY e "%s">]><d>%s</d>' % ("x" * 50000, "&e;" * 5000),
        opts=["-t", "text"], expect="error")
    add("quadratic-attr.xml", X + '<!DOCTYPE d [<!ENTITY e "%s">]><d a="%s"/>' % ("x" * 2000, "&e;" * 3000),
        opts=["-t", "json"], expect="error")
    add("entity-self-loop.xml", X + '<!DOCTYPE d [<!ENTITY e "&e;">]><d>&e;</d>', opts=["-t", "text"], expect="error")
    add("entity-mutual-loop.xml", X + '<!DOCTYPE d [<!ENTITY a "&b;"><!ENTITY b "&a;">]><d>&a;</d>', opts=["-t", "xml", "--entities"], expect="error")
    add("entity-undefined.xml", X + "<d>&nope;</d>", opts=["-t", "xml"], expect="error")
    add("entity-unbalanced-markup.xml", X + '<!DOCTYPE d [<!ENTITY e "<a>">]><d>&e;</a></d>', opts=["-t", "xml"], expect="error")
    add("entity-markup.xml", X + '<!DOCTYPE d [<!ENTITY e "<b>bold</b> &amp; more">]><d>&e;&e;</d>', opts=["-t", "markdown", "--entities"], expect="ok")
    add("entity-deep-chain.xml", X + '<!DOCTYPE d [<!ENTITY e0 "x">' + "".join(
        '<!ENTITY e%d "&e%d;">' % (i, i - 1) for i in range(1, 100)) + "]><d>&e99;</d>", opts=["-t", "text", "--entities"])
    add("charref-zero.xml", "<d>&#0;</d>", opts=["-t", "xml"], expect="error")
    add("charref-surrogate.xml", "<d>&#xD800;</d>", opts=["-t", "xml"], expect="error")
    add("charref-too-big.xml", "<d>&#x110000;</d>", opts=["-t", "xml"], expect="error")
    add("charref-huge-number.xml", "<d>&#" + "9" * 300 + ";</d>", opts=["-t", "xml"], expect="error")
    add("charref-fffe.xml", "<d>&#xFFFE;&#xFFFF;</d>", opts=["-t", "json"], expect="error")
    add("charref-controls.xml", "<d>&#x1;&#x1F;&#x7F;&#x85;</d>", opts=["-t", "json"], expect="error")
    # --- encodings -----------------------------------------------------
    body = '<?xml version="1.0" encoding="%s"?><d>caf\u00e9 \u20ac \U0001F600</d>'
    add("enc-utf8-bom.xml", b"\xef\xbb\xbf" + (body % "UTF-8").encode(), opts=["-t", "json"], expect="ok")
    add("enc-utf16le-bom.xml", b"\xff\xfe" + (body % "UTF-16").encode("utf-16-le"), opts=["-t", "json"])
    add("enc-utf16be-bom.xml", b"\xfe\xff" + (body % "UTF-16").encode("utf-16-be"), opts=["-t", "json"])
    add("enc-utf16-nobom.xml", (body % "UTF-16").encode("utf-16-le"), opts=["-t", "json"])
    add("enc-utf32-bom.xml", b"\xff\xfe\x00\x00" + (body % "UTF-32").encode("utf-32-le"), opts=["-t", "json"])
    add("enc-declared-utf16-but-utf8.xml", (body % "UTF-16").encode(), opts=["-t", "json"])
    add("enc-latin1.xml", (body % "ISO-8859-1").replace("\u20ac", "E").replace("\U0001F600", ":)").encode("latin-1"), opts=["-t", "json"], expect="ok")
    add("enc-ebcdic.xml", (body % "IBM037").replace("\u20ac", "E").replace("\U0001F600", ":)").encode("cp037"), opts=["-t", "json"])
    add("enc-bogus.xml", (body % "X-NO-SUCH-CHARSET").encode(), opts=["-t", "json"])
    add("enc-very-long-name.xml", (body % ("A" * 5000)).encode(), opts=["-t", "json"])
    add("enc-shift-jis-invalid.xml", b'<?xml version="1.0" encoding="Shift_JIS"?><d>\x81\xff\xa0</d>', opts=["-t", "json"])
    add("enc-utf7.xml", b'<?xml version="1.0" encoding="UTF-7"?><d>+ADw-script+AD4-</d>', opts=["-t", "json"])
    for k, bad in {"overlong-slash": b"\xc0\xaf", "overlong-nul": b"\xc0\x80", "overlong-3": b"\xe0\x80\xaf",
                   "surrogate": b"\xed\xa0\x80", "surrogate-pair": b"\xed\xa0\xbd\xed\xb8\x80",
                   "above-10ffff": b"\xf4\x90\x80\x80", "f5": b"\xf5\x80\x80\x80", "ff": b"\xff",
                   "lone-continuation": b"\x80", "truncated": b"\xe2\x82", "c1-raw": b"\x85"}.items():
        add("utf8-%s.xml" % k, b"<d>ok " + bad + b" after</d>", opts=["-t", "json"], expect="error")
    add("utf8-truncated-at-eof.xml", b"<d>x</d><!-- \xe2\x82", opts=["-t", "xml"], expect="error")
    add("nul-middle.xml", b"<d>a\x00b</d>", opts=["-t", "xml"], expect="error", frag="NUL byte")
    add("nul-after-root.xml", b"<d>ok</d>\n\x00\x00<evil>" + CANARY.encode() + b"</evil>", opts=["-t", "text"], expect="error", frag="NUL byte")
    add("nul-in-attr.xml", b'<d a="x\x00y">t</d>', opts=["-t", "json"], expect="error")
    add("controls-c0.xml", b"<d>\x01\x02\x1b[31mred\x1b[0m</d>", opts=["-t", "json"], expect="error")
    add("bidi-names.xml", "<d\u202e>x</d\u202e>", opts=["-t", "xml"], expect="error")
    add("bidi-text.xml", "<d>abc\u202edcba\u2066x\u2069\u200f\u061c</d>", opts=["-t", "markdown"], expect="ok")
    add("zero-width.xml", "<d a='\u200b'>\u200d\u200c\ufeff\u2060x\u2028y\u2029</d>", opts=["-t", "text"], expect="ok")
    add("nonchar-raw.xml", "<d>\ufdd0 \U0010FFFF</d>", opts=["-t", "json"])
    add("private-use.xml", "<d>\ue000\U000F0000</d>", opts=["-t", "text"], expect="ok")
    # --- structure -----------------------------------------------------
    add("mismatched.xml", "<a><b></a></b>", opts=["-t", "xml"], expect="error")
    add("two-roots.xml", "<a/><b/>", opts=["-t", "xml"], expect="error")
    add("text-after-root.xml", "<a/>trailing", opts=["-t", "xml"], expect="error")
    add("no-root.xml", "<?xml version='1.0'?><!-- only a comment -->", opts=["-t", "xml"], expect="error")
    add("only-pi.xml", "<?pi data?>", opts=["-t", "xml"], expect="error")
    add("cdata-unterminated.xml", "<d><![CDATA[ never ends", opts=["-t", "xml"], expect="error")
    add("cdata-nested.xml", "<d><![CDATA[ a <![CDATA[ b ]]> c ]]></d>", opts=["-t", "xml"], expect="error")
    add("cdata-end-in-text.xml", "<d>a ]]> b</d>", opts=["-t", "xml"], expect="error")
    add("comment-double-dash.xml", "<d><!-- a -- b --></d>", opts=["-t", "xml"], expect="error")
    add("comment-unterminated.xml", "<d><!-- ", opts=["-t", "xml"], expect="error")
    add("pi-xml-late.xml", "<d/>\n<?xml version='1.0'?>", opts=["-t", "xml"], expect="error")
    add("xml-decl-after-space.xml", "  <?xml version='1.0'?><d/>", opts=["-t", "xml"], expect="error")
    add("version-2.xml", "<?xml version='2.0'?><d/>", opts=["-t", "xml"])
    add("version-1.1-nel.xml", "<?xml version='1.1'?><d>a\u0085b\u2028c</d>", opts=["-t", "json"])
    add("standalone-weird.xml", "<?xml version='1.0' standalone='maybe'?><d/>", opts=["-t", "xml"], expect="error")
    add("long-name.xml", "<" + "n" * 60000 + "/>", opts=["-t", "json"], expect="error")
    add("long-name-ok.xml", "<" + "n" * 40000 + "/>", opts=["-t", "json"])
    add("long-attr-name.xml", "<d " + "a" * 60000 + '="1"/>', opts=["-t", "json"], expect="error")
    add("dup-attr.xml", '<d a="1" a="2"/>', opts=["-t", "xml"], expect="error")
    add("lt-in-attr.xml", '<d a="<"/>', opts=["-t", "xml"], expect="error")
    add("attrs-1025.xml", "<d " + " ".join('a%d="1"' % i for i in range(1025)) + "/>", opts=["-t", "xml"], expect="error",
        frag="more than 1024 attributes")
    add("attrs-1024.xml", "<d " + " ".join('a%d="1"' % i for i in range(1024)) + "/>", opts=["-t", "xml"], expect="ok")
    add("attrs-hidden-in-comment.xml", "<d><!-- <x " + " ".join("a%d=1" % i for i in range(2000)) + " --></d>", opts=["-t", "xml"], expect="ok")
    add("attrs-hidden-in-cdata.xml", "<d><![CDATA[ <x " + " ".join("a%d=1" % i for i in range(2000)) + " ]]></d>", opts=["-t", "xml"], expect="ok")
    add("deep-256.xml", "<a>" * 256 + "</a>" * 256, opts=["-t", "json"], expect="ok")
    add("deep-257.xml", "<a>" * 257 + "</a>" * 257, opts=["-t", "json"], expect="error", frag="nested deeper than 256")
    add("deep-unclosed.xml", "<a>" * 5000, opts=["-t", "json"], expect="error")
    add("ns-undeclared.xml", "<p:d/>", opts=["-t", "xml"])
    add("ns-xml-rebind.xml", '<d xmlns:xml="urn:evil"/>', opts=["-t", "xml"])
    add("ns-xmlns-prefix.xml", '<d xmlns:xmlns="urn:x"/>', opts=["-t", "xml"])
    add("ns-empty-prefix-uri.xml", '<d xmlns:p=""><p:e/></d>', opts=["-t", "xml"])
    add("ns-many.xml", "<d " + " ".join('xmlns:p%d="urn:%d"' % (i, i) for i in range(1000)) + "><p999:e/></d>", opts=["-t", "json"], expect="ok")
    add("cr-only.xml", "<d>\r<e>a</e>\r<e>b</e>\r</d>\r", opts=["-t", "text"], expect="ok")
    add("many-lines.xml", "<d>" + "\n" * 200000 + "<e>&bad</e></d>", opts=["-t", "xml"], expect="error", frag=":200001:")
    add("doctype-twice.xml", "<!DOCTYPE d><!DOCTYPE d><d/>", opts=["-t", "xml"], expect="error")
    add("doctype-after-root.xml", "<d/><!DOCTYPE d>", opts=["-t", "xml"], expect="error")
    add("conditional-section.xml", '<!DOCTYPE d [<![INCLUDE[<!ENTITY e "x">]]>]><d>&e;</d>', opts=["-t", "xml"], expect="error")
    add("attlist-many-defaults.xml", "<!DOCTYPE d [<!ATTLIST d " + " ".join('a%d CDATA "v"' % i for i in range(3000)) + ">]><d/>", opts=["-t", "json"])
    add("element-decls.xml", "<!DOCTYPE d [" + "".join("<!ELEMENT e%d (#PCDATA|e%d)*>" % (i, i + 1) for i in range(2000)) + "]><d/>", opts=["-t", "xml"], expect="ok")
    z = zlib.compressobj(9, zlib.DEFLATED, 31)  # gzip wrapper
    mb = b"x" * (1 << 20)
    gz = z.compress(b"<d>") + b"".join(z.compress(mb) for _ in range(300)) + z.compress(b"</d>") + z.flush()
    add("gzip-bomb.xml.gz", gz, opts=["-t", "text"], expect="error")
    add("gzip-named-xml.xml", gzip.compress(b"<d>gzipped</d>"), opts=["-t", "text"])
    full = gzip.compress(("<d>" + " ".join(str(i * i) for i in range(5000)) + "</d>").encode())
    add("gzip-truncated.xml.gz", full[:len(full) // 2], opts=["-t", "text"], expect="error", frag="truncated")
    add("gzip-of-gzip.xml.gz", gzip.compress(gzip.compress(b"<d>double</d>")), opts=["-t", "text"])
    add("empty.xml", b"", opts=["-t", "xml"], expect="error", frag="empty document")
    add("whitespace-only.xml", b"  \n\t\r\n ", opts=["-t", "xml"], expect="error")
    add("single-lt.xml", b"<", opts=["-t", "xml"], expect="error")
    add("single-amp.xml", b"&", opts=["-t", "xml"], expect="error")
    add("bom-only.xml", b"\xef\xbb\xbf", opts=["-t", "xml"], expect="error")
    add("json-looking.xml", b'{"type":"document","children":[]}', opts=["-t", "xml"], expect="error")
    add("markup-in-name-attr.xml", '<d a="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;">&lt;/d&gt;</d>', opts=["-t", "html"], expect="ok")


def html_cases():
    can = os.path.join(out_dir, "canary.txt")
    H = "<!DOCTYPE html><html><head>%s</head><body>%s</body></html>"
    # --- charset sniffing ---------------------------------------------------
    text = "caf\u00e9 \u20ac"
    for k, (meta, data) in {
        "utf16-declared": ('<meta charset="utf-16">', text.encode()),
        "x-user-defined": ('<meta charset="x-user-defined">', text.encode()),
        "bogus": ('<meta charset="no-such-charset-at-all">', text.encode()),
        "very-long": ('<meta charset="%s">' % ("a" * 3000), text.encode()),
        "empty": ('<meta charset="">', text.encode()),
        "quotes-unbalanced": ("<meta charset='utf-8\">", text.encode()),
        "latin1-with-euro": ('<meta charset="iso-8859-1">', "caf\u00e9 \x80 \x9f".encode("latin-1")),
        "utf8-declared-invalid": ('<meta charset="utf-8">', b"caf\xe9 \xff\xfe after caf\xc3\xa9"),
        "two-metas": ('<meta charset="windows-1251"><meta charset="utf-8">', text.encode()),
        "http-equiv": ('<meta http-equiv="Content-Type" content="text/html; charset=koi8-r">', "\u043f\u0440\u0438".encode("koi8-r")),
        "late-meta": ("<!--" + " " * 2000 + '--><meta charset="windows-1252">', text.encode()),
        "gb18030": ('<meta charset="gb18030">', "\u4e2d\u6587".encode("gb18030")),
        "iso-2022-jp": ('<meta charset="iso-2022-jp">', "\u65e5\u672c".encode("iso-2022-jp")),
        "utf7": ('<meta charset="utf-7">', b"+ADw-script+AD4-alert(1)+ADw-/script+AD4-"),
    }.items():
        add("charset-%s.html" % k, (H % (meta, "")).encode().replace(b"</body>", data + b"</body>"), opts=["-t", "json"])
    add("bom-utf16le.html", b"\xff\xfe" + (H % ("", text)).encode("utf-16-le"), opts=["-t", "text"])
    add("bom-utf16be-ascii-body.html", b"\xfe\xff" + (H % ("", "ascii")).encode(), opts=["-t", "text"])
    add("bom-utf8-vs-meta.html", b"\xef\xbb\xbf" + (H % ('<meta charset="windows-1252">', text)).encode(), opts=["-t", "text"], expect="ok")
    add("bom-utf32.html", b"\xff\xfe\x00\x00" + (H % ("", "x")).encode("utf-32-le"), opts=["-t", "text"])
    add("nul-text.html", (H % ("", "a\x00b")).encode(), opts=["-t", "json"], expect="ok")
    add("nul-attr.html", (H % ("", '<p title="a\x00b">x</p>')).encode(), opts=["-t", "json"], expect="ok")
    add("nul-script.html", (H % ("", "<script>a\x00</script>")).encode(), opts=["-t", "json"], expect="ok")
    add("nul-tagname.html", b"<p\x00x>text</p\x00x>", opts=["-t", "json"], expect="ok")
    add("c1-cp1252.html", b"<p>\x80\x81\x8d\x8f\x90\x9d\x9f</p>", opts=["-t", "text"], expect="ok")
    # --- resource references: never fetched --------------------------------
    for k, tag in {
        "img": '<img src="file://%s">' % can, "link": '<link rel="stylesheet" href="%s">' % can,
        "iframe": '<iframe src="canary.txt"></iframe>', "base": '<base href="file:///etc/"><a href="hostname">h</a>',
        "object": '<object data="%s"></object>' % can, "refresh": '<meta http-equiv="refresh" content="0;url=file:///etc/hostname">',
        "ssi": '<!--#include file="%s" -->' % can, "import": '<link rel="import" href="canary.txt">',
        "srcset": '<img srcset="canary.txt 1x, /etc/hostname 2x">', "css-import": '<style>@import url("%s");</style>' % can,
        "svg-use": '<svg><use href="file:///etc/hostname#x"/></svg>', "script-src": '<script src="canary.txt"></script>',
        "xinclude": '<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="%s" parse="text"/>' % can,
        "doctype-system": "", "entity-decl": "", "stylesheet-pi": '<?xml-stylesheet href="canary.txt"?>',
        "form-action": '<form action="file:///etc/hostname"><input name=x></form>',
        "video": '<video src="canary.txt" poster="/etc/hostname"><track src="canary.txt"></video>',
    }.items():
        head = ""
        if k == "doctype-system":
            data = '<!DOCTYPE html SYSTEM "%s"><p>x</p>' % can
        elif k == "entity-decl":
            data = '<!DOCTYPE html [<!ENTITY x SYSTEM "%s">]><p>&x;</p>' % can
        else:
            data = H % (head, tag + "<p>text</p>")
        add("resource-%s.html" % k, data, opts=["-t", "markdown"], expect="ok")
    # --- raw text elements ---------------------------------------------------
    add("script-unterminated.html", H % ("", "<script>var a = '<p>';" * 2000), opts=["-t", "json"], expect="ok")
    # script and style text read by lode (html_rawtext.c): its marker planted
    # in the page, whole or in pieces joined by characters libxml2 drops; a
    # span that begins with an end tag; 20,000 spans; 500,000 newlines; text
    # that is all dropped characters
    js = "var x = 1; // a line long enough to be read by lode, not by libxml2's loop\n" * 3
    add("rawtext-marker.html", H % ("<script>\x7flode-raw\x7f0\x7f\n%s</script>" % js, "<script>%s</script>" % js),
        opts=["-t", "json"], expect="ok")
    add("rawtext-marker-joined.html", H % ("<script></x>\x7flode-\x01raw\x7f0\x7f</script>", "<script>%s</script>" % js),
        opts=["-t", "json"], expect="ok")
    add("rawtext-end-tag-first.html", H % ('<script src=x></s1="1" cript></head>\n<body><script>%s</script>' % js, "<p>x</p>"),
        opts=["-t", "json"], expect="ok")
    add("rawtext-20k-scripts.html", H % ("", ("<script>%s</script><style>p { color: red } /* %s */</style>" % (js, "s" * 100)) * 10000),
        opts=["-t", "text"], expect="ok")
    add("rawtext-newlines.html", H % ("<script>" + "\n" * 500000 + "</script>", "<p>line 500001</p>"), opts=["-t", "json"], expect="ok")
    add("rawtext-dropped.html", H % ("<script>" + "\x01\x02\x1f\ufffe\uffff" * 2000 + "</script>", "<p>x</p>"),
        opts=["-t", "json"], expect="ok")
    add("script-end-in-string.html", H % ("", '<script>var s = "</script><p>escaped</p>";</script>'), opts=["-t", "text"], expect="ok")
    add("script-comment-escape.html", H % ("", "<script><!--<script></script>--></script><p>x</p>"), opts=["-t", "json"], expect="ok")
    add("style-unterminated.html", H % ("<style>p { color: red }" * 500, ""), opts=["-t", "html"], expect="ok")
    add("textarea-unterminated.html", "<textarea><p>not markup</p>" * 100, opts=["-t", "text"], expect="ok")
    add("title-unterminated.html", "<title>" + "t" * 100000, opts=["-t", "json"], expect="ok")
    add("plaintext.html", "<plaintext><p>all text</p></plaintext><p>still", opts=["-t", "text"], expect="ok")
    add("xmp-noscript-noembed.html", "<xmp><b>x</b></xmp><noscript><p>n</p></noscript><noembed><i>e</i></noembed>", opts=["-t", "markdown"], expect="ok")
    add("iframe-srcdoc.html", '<iframe srcdoc="<script>alert(1)</script><img src=/etc/hostname>"></iframe>', opts=["-t", "html"], expect="ok")
    add("svg-math-foreign.html", "<svg><foreignObject><p>a<math><mi>x</mi><annotation-xml><svg><style><img src=x></style></svg></annotation-xml></math></p></foreignObject></svg>", opts=["-t", "json"], expect="ok")
    add("template.html", "<template><tr><td>x</td></tr></template><table><template>y</template></table>", opts=["-t", "markdown"], expect="ok")
    add("attrs-after-script.html", "<script>" + "a=1;" * 3000 + "</script><p " + " ".join("a%d" % i for i in range(1100)) + ">", opts=["-t", "json"], expect="ok")
    add("attrs-1025-html.html", "<p " + " ".join("a%d=1" % i for i in range(1025)) + ">x", opts=["-t", "json"], expect="error", frag="more than 1024 attributes")
    add("attrs-hidden-in-script.html", "<script>" + " ".join("a%d=1" % i for i in range(3000)) + "</script><p>x</p>", opts=["-t", "text"], expect="ok")
    add("attrs-script-selfclosed.html", "<script/><p " + " ".join("a%d=1" % i for i in range(1025)) + ">", opts=["-t", "text"], expect="error")
    # --- structure -----------------------------------------------------------
    add("deep-div-300.html", "<div>" * 300, opts=["-t", "json"], expect="error", frag="nested deeper than 256")
    add("deep-div-250.html", "<div>" * 250 + "x", opts=["-t", "json"], expect="ok")
    add("deep-tables.html", "<table><tr><td>" * 200, opts=["-t", "text"], expect="error")
    add("deep-inline.html", "<b><i><u><s>" * 100, opts=["-t", "markdown"], expect="error")
    add("misnested-formatting.html", "<b><i></b></i>" * 5000 + "<p>x", opts=["-t", "html"], expect="ok")
    add("unclosed-p.html", "<p>x" * 20000, opts=["-t", "markdown"], expect="ok")
    add("li-outside.html", "<li>a<li>b<td>c<tr>d<caption>e<option>f", opts=["-t", "text"], expect="ok")
    add("form-in-table.html", "<table><form><tr><td><input></form></td></tr></table>", opts=["-t", "html"], expect="ok")
    add("weird-attr-names.html", "<p \"=x '=y <=z =w /=v !@#=1>t</p>", opts=["-t", "json"], expect="ok")
    add("dup-attrs.html", '<p a=1 a=2 A=3 class=x class=y>t</p>', opts=["-t", "json"], expect="ok")
    add("unicode-tags.html", "<\u00fc\u00df>x</\u00fc\u00df><\u202ep>y", opts=["-t", "json"], expect="ok")
    add("empty-tags.html", "<></><\n>< p>x</ p><//p>", opts=["-t", "text"], expect="ok")
    add("bogus-comments.html", "<!--><!---><?php echo 1; ?><!x><!--a--!><p>t", opts=["-t", "json"], expect="ok")
    add("comment-unterminated.html", "<p>a<!-- " + "x" * 10000, opts=["-t", "text"], expect="ok")
    add("cdata-in-html.html", "<p><![CDATA[ <b>x</b> ]]></p>", opts=["-t", "json"], expect="ok")
    add("charref-huge.html", "<p>&#99999999999999; &#x110000; &#0; &#xD800; &#x80; &#128;</p>", opts=["-t", "text"], expect="ok")
    add("named-refs-no-semicolon.html", "<p>&ampx &notin &notit; &copy &LT &unknown; &" + "a" * 5000 + ";</p>", opts=["-t", "text"], expect="ok")
    add("bidi-controls.html", "<p dir=rtl>\u202eevil\u202c \u2066iso\u2069 \u200e\u200f</p>\x0b\x0c\x7f", opts=["-t", "markdown"], expect="ok")
    add("cr-only.html", "<p>a\rb\r\rc</p>\r<p>d</p>", opts=["-t", "text"], expect="ok")
    add("long-attr-value.html", '<p title="' + "v" * 200000 + '">x</p>', opts=["-t", "json"], expect="ok")
    add("many-ids.html", "".join('<p id="x">%d</p>' % i for i in range(5000)), opts=["-t", "html"], expect="ok")
    add("huge-numbers.html", '<table><td colspan="99999999999999999999" rowspan="-1">x</td></table><ol start="99999999999999999999"><li>a</ol><img width=1e309>', opts=["-t", "markdown"], expect="ok")
    add("markdown-injection.html", "<p># not a heading</p><p>[x](javascript:alert(1))</p><p>*a* _b_ `c` |d|</p><pre>```\n```</pre>", opts=["-t", "markdown"], expect="ok")
    add("empty.html", b"", opts=["-t", "html"], expect="error", frag="empty document")
    add("binary.html", bytes(range(256)) * 4, opts=["-t", "text"])
    add("xhtml-entities.xhtml", '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd"><html xmlns="http://www.w3.org/1999/xhtml"><body><p>&nbsp;&eacute;</p></body></html>',
        opts=["-t", "text"])


def text_cases():
    T = "date 2019-04-25 Headline\n\nFirst paragraph.\n"
    # --- front matter abuse -------------------------------------------------
    add("fm-unclosed.txt", "---\ntitle: x\nno end\n\nbody\n", opts=["-t", "html"], expect="ok")
    add("fm-many-keys.txt", "---\n" + "".join("k%d: v\n" % i for i in range(20000)) + "---\nbody\n", opts=["-t", "json"], expect="ok")
    add("fm-same-key.txt", "---\n" + "title: t\n" * 5000 + "---\nbody\n", opts=["-t", "html"], expect="ok")
    add("fm-huge-value.txt", "---\ntitle: " + "v" * 2000000 + "\n---\nbody\n", opts=["-t", "json"])
    add("fm-unbalanced-quotes.txt", "---\ntitle: \"a\nauthor: 'b\"\nx: \"\"\"\n---\nbody\n", opts=["-t", "html"], expect="ok")
    add("fm-markup.txt", "---\ntitle: <script>alert(1)</script>\ncharset: latin1\ndate: \"><img src=/etc/hostname>\n---\nbody\n", opts=["-t", "html"], expect="ok")
    add("fm-garbage-lines.txt", "---\n: \n:::\n  :x\nno colon here\n# comment\n---\nbody\n", opts=["-t", "json"], expect="ok")
    add("fm-nested.txt", "---\na: 1\n---\n---\nb: 2\n---\nbody\n", opts=["-t", "html"], expect="ok")
    add("fm-dots.txt", "---\ntitle: t\n...\n...\n---\n", opts=["-t", "text"], expect="ok")
    add("fm-only.txt", "---\ntitle: only\n---\n", opts=["-t", "html"])
    add("fm-crlf.txt", "---\r\ntitle: crlf\r\n---\r\nbody\r\n", opts=["-t", "html"], expect="ok")
    add("fm-key-controls.txt", "---\nti\x01tle: x\n---\nbody\n", opts=["-t", "html"], expect="error")
    add("date-bogus.txt", "date 9999-99-99 Headline\n\nbody\n", opts=["-t", "html"], expect="ok")
    add("date-huge-year.txt", "date " + "9" * 400 + "-01 H\n\nbody\n", opts=["-t", "html"], expect="ok")
    add("date-no-headline.txt", "date 2019-04\n", opts=["-t", "json"], expect="ok")
    # --- encodings ------------------------------------------------------------
    add("utf16le-bom.txt", b"\xff\xfe" + T.encode("utf-16-le"), opts=["-t", "text"], expect="error", frag="UTF-16")
    add("utf16be-bom.txt", b"\xfe\xff" + T.encode("utf-16-be"), opts=["-t", "text"], expect="error")
    add("utf32-bom.txt", b"\xff\xfe\x00\x00" + T.encode("utf-32-le"), opts=["-t", "text"], expect="error")
    for k, bad in {"overlong": b"\xc0\xaf", "surrogate": b"\xed\xb0\x80", "above-10ffff": b"\xf4\x90\x80\x80",
                   "f8": b"\xf8\x88\x80\x80\x80", "lone-continuation": b"\xbf", "truncated-eof": b"\xf0\x9f\x98"}.items():
        add("utf8-%s.txt" % k, T.encode() + b"bad " + bad, opts=["-t", "html"], expect="error", frag="invalid UTF-8")
        add("utf8-%s-repair.txt" % k, T.encode() + b"bad " + bad, opts=["-t", "json", "--repair"], expect="ok")
    add("nul.txt", T.encode() + b"a\x00b\n", opts=["-t", "html"], expect="error", frag="NUL byte")
    add("c0-escape.txt", T + "\x1b[2J\x1b]0;title\x07 terminal escapes\n", opts=["-t", "text"], expect="error")
    add("c1-controls.txt", T + "\u0085\u009b\u0080\n", opts=["-t", "json"])
    add("del-vt.txt", T + "a\x7fb\x0bc\n", opts=["-t", "json"])
    add("formfeeds.txt", "\x0c\x0c\x0cpage\x0c two\n\x0c\n\nnext\n", opts=["-t", "html"], expect="ok")
    # --- line ends -------------------------------------------------------------
    add("cr-only.txt", "date 2019-01-01 H\r\rpara one\rline two\r\rpara two\r", opts=["-t", "html"], expect="ok")
    add("mixed-eol.txt", "a\r\nb\rc\n\r\n\rd\n\n\re\r", opts=["-t", "json"], expect="ok")
    add("blank-lines.txt", "\n" * 200000 + "x\n", opts=["-t", "json"], expect="ok")
    add("whitespace-lines.txt", " \t \n" * 50000 + "x\n", opts=["-t", "json"], expect="ok")
    add("many-paragraphs.txt", "p\n\n" * 100000, opts=["-t", "markdown"], expect="ok")
    add("trailing-cr.txt", "x\r", opts=["-t", "text"], expect="ok")
    add("no-final-newline.txt", "x", opts=["-t", "text"], expect="ok")
    add("empty.txt", b"", opts=["-t", "text"], expect="error", frag="empty document")
    add("bom-only.txt", b"\xef\xbb\xbf", opts=["-t", "text"], expect="error")
    add("bom-middle.txt", "a\ufeffb\n\n\ufeff\n", opts=["-t", "json"], expect="ok")
    # --- Unicode oddities -------------------------------------------------------
    add("bidi.txt", T + "\u202egnp.exe\u202c \u2067x\u2069 \u061c\u200f\n", opts=["-t", "markdown"], expect="ok")
    add("zero-width.txt", T + "\u200b\u200c\u200d\u2060\ufeff\u2028\u2029\n", opts=["-t", "html"], expect="ok")
    add("noncharacters.txt", T + "\ufffe\uffff\ufdd0\U0001FFFF\n", opts=["-t", "json"])
    add("combining-start.txt", "\u0301\u0302 starts with marks\n", opts=["-t", "json"], expect="ok")
    add("combining-run.txt", "a" + "\u0301" * 5000 + "\n", opts=["-t", "markdown"], expect="ok")
    add("zwj-emoji.txt", ("\U0001F468\u200d" * 3000) + "\n", opts=["-t", "text"], expect="ok")
    add("private-use.txt", "\ue000\U000F0000\U0010FFFD\n", opts=["-t", "html"], expect="ok")
    add("markup-looking.txt", T + "<script>alert(1)</script> &amp; ]]> <!-- --> <?php ?>\n", opts=["-t", "html"], expect="ok")
    add("markdown-looking.txt", T + "# h\n\n* list\n\n[x](javascript:alert(1))\n\n---\n\n```\ncode\n", opts=["-t", "markdown"], expect="ok")
    add("long-word.txt", "w" * 3000000 + "\n", opts=["-t", "markdown"], expect="ok")
    add("sniff-binary.bin", bytes(range(256)), opts=["-t", "text"], expect="error")
    add("sniff-text-noext", T, opts=["-t", "json"], expect="ok")


def lua_cases():
    def lua(name, src, expect="any", frag=None, opts=()):
        add("lua-" + name + ".lua", src, kind="run", opts=opts, expect=expect, frag=frag)

    B = "return { begin = function(ctx) %s end }\n"
    P = "return { p = function(p, ctx) %s end }\n"
    # --- CPU and memory ----------------------------------------------------------
    lua("while-true", B % "while true do end", "error", "instruction limit")
    lua("goto-loop", B % "::top:: goto top", "error", "instruction limit")
    lua("repeat-forever", B % "repeat local x = 1 until false", "error", "instruction limit")
    lua("loop-in-pcall", B % "for i = 1, 100 do pcall(function() while true do end end) end", "error", "instruction limit")
    lua("loop-in-error-handler", B % "xpcall(error, function() while true do end end)", "error", "limit")
    lua("loop-in-tostring-error", B % "error(setmetatable({}, {__tostring = function() while true do end end}))", "error")
    lua("loop-per-node", P % "while true do end", "error", "limit")
    lua("rep-empty", B % 'local s = string.rep("", 1 << 62) assert(s == "")', "ok")
    lua("rep-huge", B % 'local s = ("x"):rep(1 << 40)', "error", "string.rep")
    lua("rep-sep-huge", B % 'local s = string.rep("", 1 << 50, "x")', "error")
    lua("rep-grow", B % 'local s = "x" while true do s = s .. s end', "error", "memory limit")
    lua("table-grow", B % "local t = {} for i = 1, 1e9 do t[i] = i end", "error", "limit")
    lua("move-huge", B % "table.move({}, 1, 1 << 62, 2)", "error", "table.move")
    lua("move-negative", B % "table.move({1}, math.mininteger, math.maxinteger, 1)", "error")
    lua("concat-huge", B % 'local t = {} for i = 1, 1e6 do t[i] = ("x"):rep(100) end table.concat(t)', "error")
    lua("format-width", B % 'string.format("%099d", 1) string.format("%.99f", 1/3)', "any")
    lua("format-huge-q", B % 'string.format("%q", ("\\0"):rep(1e7))', "error")
    lua("unpack-huge", B % "table.unpack({}, 1, 1e8)", "error")
    lua("select-huge", B % "select('#', table.unpack({}, 1, 1e6))", "error")
    lua("utf8-char-range", B % "utf8.char(0x7FFFFFFF) utf8.char(-1)", "error")
    lua("pack-weird", B % 'string.pack("i17", 1)', "error")
    lua("pack-huge-size", B % 'string.pack("s16", "x") string.unpack("c" .. (1 << 40), "x")', "error")
    lua("coroutine-bomb", B % "local t = {} for i = 1, 1e7 do t[i] = coroutine.create(print or type) end", "error", "limit")
    lua("coroutine-loop", B % "local co = coroutine.wrap(function() while true do end end) co()", "error", "limit")
    lua("coroutine-nested", B % "local function f() return coroutine.wrap(f)() end f()", "error")
    lua("coroutine-yield-across-pcall", B % "local co = coroutine.wrap(function() pcall(coroutine.yield, 1) return 2 end) co() co()", "any")
    lua("recursion-deep", B % "local function f(n) return 1 + f(n + 1) end f(1)", "error")
    lua("recursion-tail", B % "local function f(n) return f(n + 1) end f(1)", "error", "limit")
    lua("recursion-index", B % "local t = setmetatable({}, {}) getmetatable(t).__index = function(t, k) return t[k] end local _ = t.x", "error")
    lua("recursion-concat", B % "local m = {} m.__concat = function(a, b) return a .. b end local x = setmetatable({}, m) local _ = x .. x", "error")
    lua("gsub-callback-loop", P % 'p:text():gsub(".", function() while true do end end)', "error", "limit")
    lua("sort-bad-comparator", B % "local t = {} for i = 1, 1000 do t[i] = i end table.sort(t, function() return true end)", "error")
    lua("sort-yield-loop", B % "local t = {} for i = 1, 1e6 do t[i] = -i end table.sort(t) table.sort(t, function(a, b) while true do end end)", "error", "limit")
    # --- escapes ---------------------------------------------------------------
    for k, code in {
        "io-open": 'io.open("/etc/hostname")', "os-execute": 'os.execute("touch /tmp/lode-pwned")', "os-getenv": "os.getenv('HOME')",
        "os-remove": 'os.remove("canary.txt")', "io-popen": 'io.popen("id")', "dofile": 'dofile("/etc/hostname")',
        "loadfile": 'loadfile("canary.txt")', "require-io": 'require("io")', "require-os": 'require("os")',
        "require-file": 'require("canary")', "require-dotdot": 'require("../../etc/hostname")', "package-loadlib": 'package.loadlib("libc.so.6", "system")',
        "debug-registry": "debug.getregistry()", "debug-sethook": "debug.sethook()", "collectgarbage": 'collectgarbage("stop")',
        "string-dump": "string.dump(function() end)", "lode-load": 'assert(lode.load("/etc/hostname"))', "lode-load-canary": 'assert(lode.load("canary.txt"))',
        "print": "print('x')", "os-exit": "os.exit(7)", "os-exit-true": "os.exit(true, true)",
    }.items():
        lua("escape-" + k, B % code, "error")
    lua("escape-rawget-g", B % 'assert(rawget(_G, "io") == nil and rawget(_G, "debug") == nil and rawget(_G, "package") == nil) error("closed")', "error", "closed")
    lua("escape-string-metatable", B % 'local mt = getmetatable("") assert(type(mt) == "string") error("protected")', "error", "protected")
    lua("escape-string-index", B % 'getmetatable("").__index = {}', "error")
    lua("escape-gc", B % 'setmetatable({}, {__gc = function() while true do end end})', "error", "__gc")
    lua("escape-gc-late", B % 'local mt = {} local t = setmetatable({}, mt) mt.__gc = function() while true do end end t = nil', "any")
    lua("escape-gc-rawset", B % 'local mt = {} rawset(mt, "__gc", function() end) setmetatable({}, mt)', "error", "__gc")
    lua("escape-bytecode", B % 'assert(load("\\27Lua\\84\\0\\25\\147\\13\\10\\26\\10\\4\\8\\8"))()', "error")
    lua("escape-load-binary-mode", B % 'assert(load("return 1", "x", "b"))', "any")
    lua("escape-load-function", B % 'load(function() return nil end)', "any")
    lua("escape-load-env", B % 'local f = load("return io") assert(f() == nil) error("no io")', "error", "no io")
    lua("escape-load-env-arg", B % 'local f = load("x = 1", "c", "t", {}) f() assert(x == nil) error("isolated")', "error", "isolated")
    lua("escape-xpcall-traceback", B % "xpcall(error, debug and debug.traceback or error)", "any")
    lua("escape-lode-parse-xxe", B % 'local d, err = lode.parse(\'<!DOCTYPE d [<!ENTITY x SYSTEM "/etc/hostname">]><d>&x;</d>\', "xml") assert(d == nil) error(err)', "error", "external entit")
    lua("escape-lode-parse-dtd", B % 'local d = lode.parse(\'<!DOCTYPE d SYSTEM "canary.txt"><d>x</d>\', "xml") assert(d) error("parsed: " .. d:root():text())', "error", "parsed: x")
    lua("escape-xpath-document", B % 'local d = lode.parse("<d/>", "xml") d:xpath("document(\'/etc/hostname\')")', "error")
    lua("escape-xpath-recursion", B % 'local d = lode.parse("<d/>", "xml") d:xpath(("(" ):rep(20000) .. "1" .. (")"):rep(20000))', "any")
    lua("escape-xpath-huge", B % 'local d = lode.parse("<d/>", "xml") d:xpath(("count(//*)+"):rep(100000) .. "1")', "any")
    lua("escape-env-replace", B % '_ENV = nil', "ok")
    lua("escape-g-wipe", B % 'for k in pairs(_G) do _G[k] = nil end', "any")
    lua("escape-lode-wipe", "lode = nil string = nil return { p = function() end }\n", "any")
    # --- error objects ---------------------------------------------------------
    lua("error-table", B % "error({code = 1})", "error", "table")
    lua("error-nil", B % "error(nil)", "error")
    lua("error-coroutine", B % "error(coroutine.create(type))", "error", "thread")
    lua("error-huge", B % 'error(("x"):rep(10000000))', "error")
    lua("error-controls", B % 'error("\\27[31mred\\0nul\\r\\nsecond line\\7")', "error")
    lua("error-invalid-utf8", B % 'error("\\xff\\xfe\\xc0\\xaf")', "error")
    lua("error-tostring-meta", B % 'error(setmetatable({}, {__tostring = function() return {} end, __name = "evil"}))', "error")
    lua("error-in-finish", "return { finish = function() error('late') end }\n", "error", "late")
    lua("error-in-close", B % 'local x <close> = setmetatable({}, {__close = function() error("closing") end}) error("body")', "error")
    lua("error-close-loop", B % 'local x <close> = setmetatable({}, {__close = function() while true do end end})', "error", "limit")
    lua("error-pcall-recursion", B % "local function f() pcall(f) end f()", "any")
    lua("error-after-limit", B % 'pcall(function() while true do end end) local ok = pcall(error, "x") error("unreachable?")', "error", "limit")
    # --- syntax -------------------------------------------------------------------
    lua("syntax-parens", "return " + "(" * 100000 + "1" + ")" * 100000 + "\n", "error")
    lua("syntax-long-string", "local s = [==[" + "x" * 2000000 + "]==] return {}\n", "any")
    lua("syntax-unterminated", "return { begin = function() local s = [[ never\n", "error")
    lua("syntax-bom", "\ufeffreturn {}\n", "any")
    lua("syntax-shebang", "#!/bin/sh\nreturn {}\n", "any")
    lua("syntax-nul", "return {}\0 garbage\n", "any")
    lua("syntax-binary-chunk", b"\x1bLua\x54\x00\x19\x93\r\n\x1a\n\x04\x08\x08xV\x00\x00", "error")
    lua("syntax-many-locals", "local " + ", ".join("a%d" % i for i in range(300)) + " return {}\n", "error")
    lua("syntax-many-upvalues", "local " + ", ".join("a%d" % i for i in range(199)) + "\nreturn { begin = function() return " + "+".join("a%d" % i for i in range(199)) + " end }\n", "any")
    lua("syntax-goto-continue", "return { begin = function() for i = 1, 3 do goto c ::c:: end end }\n", "ok")
    lua("returns-nothing", "local x = 1\n", "error")
    lua("returns-string", "return 'rules'\n", "error")
    lua("returns-cycle", "local t = {} t.p = t return t\n", "error")
    lua("rule-bad-selector", 'return { ["p:nope(1)"] = function() end }\n', "error", "bad selector")
    lua("rule-huge-selector", 'return { [("p "):rep(100000)] = function() end }\n', "error", "selector too long")
    lua("rule-selector-nul", 'return { ["p\\0x"] = function() end }\n', "error")
    lua("rule-many", "local r = {} for i = 1, 20000 do r[#r + 1] = {'e' .. i, function() end} end return r\n", "ok")
    # --- the tree and records -------------------------------------------------
    lua("emit-cycle", P % "local t = {} t.t = t ctx:emit(t)", "error")
    lua("emit-deep", P % "local t = {} local c = t for i = 1, 10000 do c.x = {} c = c.x end ctx:emit(t)", "error")
    lua("emit-invalid-utf8", P % 'ctx:emit{ s = "\\xff\\xfe" }', "any")
    lua("emit-nul", P % 'ctx:emit{ s = "a\\0b" }', "any")
    lua("emit-table-keys", P % "ctx:emit{ [{}] = 1 }", "error")
    lua("emit-function", P % "ctx:emit{ f = print or type }", "error")
    lua("emit-huge", P % 'ctx:emit{ s = ("x"):rep(30000000) }', "error")
    lua("emit-nan", P % "ctx:emit{ a = 0/0, b = 1/0, c = -1/0, d = math.mininteger }", "ok")
    lua("report-huge-keys", P % 'for i = 1, 100000 do ctx.report:count(("k"):rep(100) .. i) end', "any")
    lua("node-after-free", "local keep\nreturn { p = function(p) keep = p end, finish = function() local ok = pcall(keep.text, keep) error(tostring(ok)) end }\n", "error")
    lua("node-remove-root", P % "local r = ctx.doc:root() r:remove()", "error")
    lua("node-append-self", P % "p:append(p)", "error")
    lua("node-set-text-nul", P % 'p:set_text("a\\0b")', "error")
    lua("node-set-attr-bad-name", P % 'p:set_attr("a b<", "x")', "error")
    lua("node-set-attr-invalid-utf8", P % 'p:set_attr("a", "\\xff")', "error")
    lua("node-element-bad-name", B % 'local d = lode.parse("<d/>", "xml") d:element("1<>")', "error")
    lua("node-grow-deep", B % 'local d = lode.parse("<d/>", "xml") local n = d:root() for i = 1, 100000 do local c = d:element("e") n:append(c) n = c end local s = d:write("xml")', "any")
    lua("node-wide", B % 'local d = lode.parse("<d/>", "xml") local r = d:root() for i = 1, 200000 do r:append(d:element("e")) end d:write("json")', "any")
    lua("parse-deep", B % 'local d, e = lode.parse(("<a>"):rep(100000), "xml") error(e)', "error", "nested deeper")
    lua("parse-fanout", B % 'local d, e = lode.parse(\'<!DOCTYPE d [<!ENTITY e "\' .. ("x"):rep(1000) .. \'">]><d>\' .. ("&e;"):rep(100000) .. "</d>", "xml") error(e)', "error", "entity expansion")
    lua("parse-attrs", B % 'local t = {} for i = 1, 60000 do t[i] = "a" .. i .. "=\\"1\\"" end local d, e = lode.parse("<d " .. table.concat(t, " ") .. "/>", "xml") error(e)', "error", "more than 1024 attributes")
    lua("parse-marks-nfc", B % 'local text = require "lode.text" local s = "a" .. ("\\u{301}\\u{316}"):rep(100000) assert(#text.normalize(s) > 0) error("done")', "error", "done")
    lua("select-has-nesting", B % 'local d = lode.parse(("<div>"):rep(200), "html") d:select((":has("):rep(40) .. "p" .. (")"):rep(40))', "error")
    lua("select-nth-huge", B % 'local d = lode.parse("<p>x</p>", "html") d:select(":nth-child(99999999999999999999n+99999999999999999999)")', "any")
    lua("select-long-desc", P % 'ctx.doc:select(("div "):rep(1000) .. "p")', "any")
    lua("pattern-too-many-captures", B % 'string.find("x", ("()"):rep(40))', "error")
    lua("pattern-malformed", B % 'string.find("x", "%")', "error")
    lua("pattern-backtrack", B % 'local s = ("a"):rep(300) s:find(".-.-.-b")', "error", "limit")
    lua("pattern-backtrack-pcall", B % 'local s = ("a"):rep(300) for i = 1, 10 do pcall(s.match, s, "(.-)(.-)(.-)b") end', "error", "limit")
    lua("pattern-gsub-backtrack", B % '("a"):rep(3000):gsub("a*a*a*b", "")', "error", "limit")
    lua("pattern-gmatch-backtrack", B % 'for _ in ("a"):rep(3000):gmatch("a-a-a-b") do end', "error", "limit")
    lua("pattern-plain-find", B % 'local s = ("a"):rep(1e6) for i = 1, 100 do s:find(("a"):rep(2e4) .. "b", 1, true) end', "error", "limit")
    lua("pattern-backref", B % 'local s = ("a"):rep(5000) s:find("(a*)%1%1b")', "error", "limit")
    lua("pattern-balance", B % 'local s = ("("):rep(100000) string.find(s, "%b()")', "error", "limit")  # quadratic: %b rescans from every start
    lua("pattern-balance-small", B % 'local s = ("(x)"):rep(10000) assert(select(2, s:gsub("%b()", "")) == 10000)', "ok")
    lua("pattern-frontier", B % 'local s = ("a "):rep(100000) for w in s:gmatch("%f[%w]%w+") do end', "ok")


def main():
    global out_dir
    out_dir = os.path.abspath(sys.argv[1])
    shutil.rmtree(out_dir, ignore_errors=True)
    os.makedirs(out_dir)
    with open(os.path.join(out_dir, "canary.txt"), "w") as f:
        f.write(CANARY + "\n")
    with open(os.path.join(out_dir, "decoy.dtd"), "w") as f:
        f.write('<!ENTITY x "%s">\n' % CANARY)
    with open(os.path.join(out_dir, "decoy.xml"), "w") as f:
        f.write("<d>%s</d>\n" % CANARY)
    with open(os.path.join(out_dir, "decoy.xml.gz"), "wb") as f:
        f.write(gzip.compress(("<d>%s</d>\n" % CANARY).encode()))
    with open(os.path.join(out_dir, "canary.lua"), "w") as f:
        f.write('error("%s")\n' % CANARY)
    # for the runner's self-check (not in the manifest): trusted scripts
    # that do what no input may, which the checks must catch
    with open(os.path.join(out_dir, "selfcheck-prints-canary.lua"), "w") as f:
        f.write('return { begin = function() print(io.open("canary.txt"):read("a")) end }\n')
    with open(os.path.join(out_dir, "selfcheck-opens-decoy.lua"), "w") as f:
        f.write('return { begin = function() io.open("decoy.dtd"):close() end }\n')
    with open(os.path.join(out_dir, "doc.html"), "w") as f:
        f.write("<html><head><title>t</title></head><body><p>one</p><p>two \u00e9</p></body></html>\n")
    xml_cases()
    html_cases()
    text_cases()
    lua_cases()
    names = [m["file"] for m in manifest]
    assert len(names) == len(set(names)), "duplicate names"
    with open(os.path.join(out_dir, "manifest.jsonl"), "w") as f:
        for m in manifest:
            f.write(json.dumps(m) + "\n")
    print("%d hostile inputs in %s" % (len(manifest), out_dir))


if __name__ == "__main__":
    main()
