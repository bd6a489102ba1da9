#!/usr/bin/env python3
"""Build the labelled tender-document corpus from its plain-text sources.

Each source in docs/ (the corpus) or holdout/ (the holdout set) is a small
labelled document: a front matter of "key: value" lines, a line "---", and a
body in a light markup:

    T: text          title line on the title page (large)
    S: text          subtitle line on the title page
    M: text          small meta line on the title page (buyer, reference, date)
    PAGEBREAK        start a new page
    # / ## / ###     headings (level 1 to 3)
    - text           bullet item
    | a | b | c |    table row; the first row of a table is its header row
    @include name    the text of common/<lang>-<name>.txt, with {var} filled in
    other lines      paragraph text; a blank line ends a paragraph

Front matter keys: file (output name with extension: .pdf .docx .odt .html
.txt), language, kinds, requested, mentioned (comma separated), notes,
header, footer, var.NAME (values for {NAME} in included text) and, for the
scanned PDF, expect_error.

This script writes, for every source, either the HTML or TXT file itself or a
flat ODT (.fodt) in a work directory that generate.sh converts with
LibreOffice; and it writes labels.json for the corpus and the holdout set.
"""
import html
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PAGE_WORDS = {
    "en": ("Page", "of"),
    "nl": ("Pagina", "van"),
    "es": ("Página", "de"),
}


def parse(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    head, _, body = text.partition("\n---\n")
    meta = {}
    for line in head.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        k, _, v = line.partition(":")
        meta[k.strip()] = v.strip()
    lang = meta["language"]
    variables = {k[4:]: v for k, v in meta.items() if k.startswith("var.")}
    if "buyer" in variables:
        b = variables["buyer"]
        variables["Buyer"] = b[:1].upper() + b[1:]
    lines = []
    for line in body.splitlines():
        if line.startswith("@include "):
            name = line.split(None, 1)[1].strip()
            with open(os.path.join(HERE, "common", f"{lang}-{name}.txt"), encoding="utf-8") as f:
                inc = f.read()
            for k, v in variables.items():
                inc = inc.replace("{" + k + "}", v)
            if re.search(r"\{[A-Za-z_]+\}", inc):
                sys.exit(f"{path}: unfilled variable in {name}: {re.findall(r'{[A-Za-z_]+}', inc)}")
            lines.extend(inc.splitlines())
        else:
            lines.append(line)
    return meta, blocks(lines)


def blocks(lines):
    """Turn markup lines into a list of (kind, payload) blocks."""
    out = []
    para = []
    table = None
    bullets = None

    def flush():
        nonlocal para, table, bullets
        if para:
            out.append(("p", " ".join(s.strip() for s in para)))
            para = []
        if table is not None:
            out.append(("table", table))
            table = None
        if bullets is not None:
            out.append(("ul", bullets))
            bullets = None

    for line in lines:
        s = line.rstrip()
        if not s.strip():
            flush()
            continue
        if s.startswith("|"):
            if table is None:
                flush()
                table = []
            table.append([c.strip() for c in s.strip().strip("|").split("|")])
            continue
        if s.startswith("- "):
            if bullets is None:
                flush()
                bullets = []
            bullets.append(s[2:].strip())
            continue
        if bullets is not None and s.startswith("  "):
            bullets[-1] += " " + s.strip()
            continue
        m = re.match(r"^(#{1,3}) (.*)$", s)
        if m:
            flush()
            out.append((f"h{len(m.group(1))}", m.group(2).strip()))
            continue
        m = re.match(r"^([TSM]): (.*)$", s)
        if m:
            flush()
            out.append((m.group(1), m.group(2).strip()))
            continue
        if s.strip() == "PAGEBREAK":
            flush()
            out.append(("break", ""))
            continue
        para.append(s)
    flush()
    return out


def x(s):
    return html.escape(s, quote=True)


FODT_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
 xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"
 xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"
 office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">
<office:meta><dc:title>{title}</dc:title><dc:language>{lang}</dc:language><meta:initial-creator>{creator}</meta:initial-creator><meta:creation-date>2026-03-02T09:00:00</meta:creation-date><dc:date>2026-03-02T09:00:00</dc:date></office:meta>
<office:font-face-decls>
 <style:font-face style:name="Liberation Sans" svg:font-family="'Liberation Sans'" style:font-family-generic="swiss"/>
</office:font-face-decls>
<office:styles>
 <style:default-style style:family="paragraph">
  <style:paragraph-properties fo:margin-bottom="0.18cm" fo:line-height="115%"/>
  <style:text-properties style:font-name="{font}" fo:font-size="10.5pt" fo:language="{lang}" fo:country="{country}"/>
 </style:default-style>
 <style:style style:name="Standard" style:family="paragraph" style:class="text"/>
 <style:style style:name="Text_20_body" style:display-name="Text body" style:family="paragraph" style:parent-style-name="Standard">
  <style:paragraph-properties fo:text-align="justify" fo:margin-bottom="0.22cm"/>
 </style:style>
 <style:style style:name="Heading" style:family="paragraph" style:parent-style-name="Standard" style:next-style-name="Text_20_body">
  <style:paragraph-properties fo:margin-top="0.42cm" fo:margin-bottom="0.21cm" fo:keep-with-next="always"/>
  <style:text-properties style:font-name="Liberation Sans" fo:font-weight="bold" fo:color="{accent}"/>
 </style:style>
 <style:style style:name="Heading_20_1" style:display-name="Heading 1" style:family="paragraph" style:parent-style-name="Heading" style:default-outline-level="1">
  <style:text-properties fo:font-size="15pt"/>
 </style:style>
 <style:style style:name="Heading_20_2" style:display-name="Heading 2" style:family="paragraph" style:parent-style-name="Heading" style:default-outline-level="2">
  <style:text-properties fo:font-size="12.5pt"/>
 </style:style>
 <style:style style:name="Heading_20_3" style:display-name="Heading 3" style:family="paragraph" style:parent-style-name="Heading" style:default-outline-level="3">
  <style:text-properties fo:font-size="11pt"/>
 </style:style>
 <style:style style:name="Title" style:family="paragraph" style:parent-style-name="Standard">
  <style:paragraph-properties fo:margin-top="0.6cm" fo:margin-bottom="0.4cm"/>
  <style:text-properties style:font-name="Liberation Sans" fo:font-size="24pt" fo:font-weight="bold" fo:color="{accent}"/>
 </style:style>
 <style:style style:name="Subtitle" style:family="paragraph" style:parent-style-name="Standard">
  <style:paragraph-properties fo:margin-bottom="0.3cm"/>
  <style:text-properties style:font-name="Liberation Sans" fo:font-size="15pt"/>
 </style:style>
 <style:style style:name="Title_20_meta" style:display-name="Title meta" style:family="paragraph" style:parent-style-name="Standard">
  <style:text-properties fo:font-size="10.5pt" fo:color="#444444"/>
 </style:style>
 <style:style style:name="Table_20_Contents" style:display-name="Table Contents" style:family="paragraph" style:parent-style-name="Standard">
  <style:paragraph-properties fo:margin-bottom="0cm"/>
  <style:text-properties fo:font-size="9.5pt"/>
 </style:style>
 <style:style style:name="Table_20_Heading" style:display-name="Table Heading" style:family="paragraph" style:parent-style-name="Table_20_Contents">
  <style:text-properties fo:font-weight="bold"/>
 </style:style>
 <style:style style:name="List_20_Paragraph" style:display-name="List Paragraph" style:family="paragraph" style:parent-style-name="Text_20_body">
  <style:paragraph-properties fo:margin-bottom="0.1cm"/>
 </style:style>
 <style:style style:name="Header" style:family="paragraph" style:parent-style-name="Standard">
  <style:paragraph-properties fo:border-bottom="0.5pt solid #888888" fo:padding-bottom="0.1cm"/>
  <style:text-properties fo:font-size="8.5pt" fo:color="#555555"/>
 </style:style>
 <style:style style:name="Footer" style:family="paragraph" style:parent-style-name="Standard">
  <style:paragraph-properties fo:text-align="center" fo:border-top="0.5pt solid #888888" fo:padding-top="0.1cm"/>
  <style:text-properties fo:font-size="8.5pt" fo:color="#555555"/>
 </style:style>
 <text:list-style style:name="Bullets">
  <text:list-level-style-bullet text:level="1" text:bullet-char="•">
   <style:list-level-properties text:list-level-position-and-space-mode="label-alignment">
    <style:list-level-label-alignment text:label-followed-by="listtab" text:list-tab-stop-position="0.9cm" fo:text-indent="-0.5cm" fo:margin-left="0.9cm"/>
   </style:list-level-properties>
  </text:list-level-style-bullet>
 </text:list-style>
</office:styles>
<office:automatic-styles>
 <style:page-layout style:name="pm1">
  <style:page-layout-properties fo:page-width="21cm" fo:page-height="29.7cm" fo:margin-top="1.2cm" fo:margin-bottom="1.2cm" fo:margin-left="2.2cm" fo:margin-right="2.2cm"/>
  <style:header-style><style:header-footer-properties fo:min-height="0cm" fo:margin-bottom="0.5cm"/></style:header-style>
  <style:footer-style><style:header-footer-properties fo:min-height="0cm" fo:margin-top="0.5cm"/></style:footer-style>
 </style:page-layout>
 <style:style style:name="PB" style:family="paragraph" style:parent-style-name="Text_20_body">
  <style:paragraph-properties fo:break-before="page"/>
 </style:style>
 <style:style style:name="Tbl" style:family="table">
  <style:table-properties style:width="16.6cm" table:align="margins" fo:margin-top="0.15cm" fo:margin-bottom="0.3cm"/>
 </style:style>
 <style:style style:name="TblCell" style:family="table-cell">
  <style:table-cell-properties fo:padding="0.08cm" fo:border="0.5pt solid #777777"/>
 </style:style>
 <style:style style:name="TblHeadCell" style:family="table-cell">
  <style:table-cell-properties fo:padding="0.08cm" fo:border="0.5pt solid #777777" fo:background-color="#dfe6ee"/>
 </style:style>
{colstyles}
</office:automatic-styles>
<office:master-styles>
 <style:master-page style:name="Standard" style:page-layout-name="pm1">
  <style:header><text:p text:style-name="Header">{header}</text:p></style:header>
  <style:footer><text:p text:style-name="Footer">{footer}</text:p></style:footer>
 </style:master-page>
</office:master-styles>
<office:body><office:text>
"""
FODT_TAIL = "</office:text></office:body></office:document>\n"

ACCENTS = {"en": "#1f3a5f", "nl": "#154273", "es": "#7a1f1f"}
COUNTRIES = {"en": "GB", "nl": "NL", "es": "ES"}


def col_widths(rows, fit_words=False):
    """Relative column widths from the longest text in each column. With
    fit_words (front matter "table-fit: words", used by holdout2), a column is
    also at least as wide as its longest word, so that no word is broken."""
    n = max(len(r) for r in rows)
    lens = [0] * n
    for r in rows:
        for i, c in enumerate(r):
            lens[i] = max(lens[i], min(len(c), 90))
    lens = [max(l, 9) for l in lens]
    if fit_words:
        for r in rows:
            for i, c in enumerate(r):
                longest = max((len(w) for w in c.split()), default=0)
                lens[i] = max(lens[i], longest * 2 + 4)
    total = sum(lens)
    return [l / total for l in lens]


def fodt(meta, doc):
    lang = meta["language"]
    colstyles = []
    body = []
    tcount = 0
    first_para_break = False
    for kind, payload in doc:
        if kind == "break":
            first_para_break = True
            continue
        style_attr = None
        if first_para_break:
            style_attr = "PB"
            first_para_break = False
        if kind in ("h1", "h2", "h3"):
            lvl = kind[1]
            if style_attr:
                body.append('<text:p text:style-name="PB"/>')
            body.append(f'<text:h text:style-name="Heading_20_{lvl}" text:outline-level="{lvl}">{x(payload)}</text:h>')
        elif kind in ("T", "S", "M", "p"):
            st = {"T": "Title", "S": "Subtitle", "M": "Title_20_meta", "p": "Text_20_body"}[kind]
            if style_attr:
                body.append('<text:p text:style-name="PB"/>')
            body.append(f'<text:p text:style-name="{st}">{x(payload)}</text:p>')
        elif kind == "ul":
            if style_attr:
                body.append('<text:p text:style-name="PB"/>')
            body.append('<text:list text:style-name="Bullets">')
            for item in payload:
                body.append(f'<text:list-item><text:p text:style-name="List_20_Paragraph">{x(item)}</text:p></text:list-item>')
            body.append("</text:list>")
        elif kind == "table":
            if style_attr:
                body.append('<text:p text:style-name="PB"/>')
            tcount += 1
            n = max(len(r) for r in payload)
            widths = col_widths(payload, meta.get("table-fit") == "words")
            cols = []
            for i, w in enumerate(widths):
                name = f"T{tcount}C{i}"
                colstyles.append(f' <style:style style:name="{name}" style:family="table-column"><style:table-column-properties style:column-width="{16.6 * w:.2f}cm"/></style:style>')
                cols.append(f'<table:table-column table:style-name="{name}"/>')
            body.append(f'<table:table table:name="Table{tcount}" table:style-name="Tbl">' + "".join(cols))
            for ri, row in enumerate(payload):
                row = row + [""] * (n - len(row))
                if ri == 0:
                    body.append("<table:table-header-rows>")
                body.append("<table:table-row>")
                for c in row:
                    cs = "TblHeadCell" if ri == 0 else "TblCell"
                    ps = "Table_20_Heading" if ri == 0 else "Table_20_Contents"
                    body.append(f'<table:table-cell table:style-name="{cs}" office:value-type="string"><text:p text:style-name="{ps}">{x(c)}</text:p></table:table-cell>')
                body.append("</table:table-row>")
                if ri == 0:
                    body.append("</table:table-header-rows>")
            body.append("</table:table>")
    page, of = PAGE_WORDS[lang]
    footer = (x(meta.get("footer", "")) + " · " if meta.get("footer") else "") + \
        f'{page} <text:page-number text:select-page="current">1</text:page-number> {of} <text:page-count>1</text:page-count>'
    title = next((p for k, p in doc if k == "T"), meta["file"])
    head = FODT_HEAD.format(
        title=x(title), lang=lang, country=COUNTRIES[lang], creator=x(meta.get("var.buyer", "")),
        font="Liberation Sans",
        accent=ACCENTS[lang], colstyles="\n".join(colstyles), header=x(meta.get("header", "")), footer=footer)
    return head + "\n".join(body) + "\n" + FODT_TAIL


def to_html(meta, doc):
    lang = meta["language"]
    title = next((p for k, p in doc if k == "T"), meta["file"])
    out = [f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n<title>{x(title)}</title>',
           '<style>body{font-family:Arial,sans-serif;max-width:52em;margin:2em auto;line-height:1.45}'
           'table{border-collapse:collapse;margin:.5em 0 1em}td,th{border:1px solid #888;padding:.25em .5em;vertical-align:top}'
           'th{background:#e4e9ef}header,footer{color:#555;font-size:.85em}.title{font-size:1.9em;font-weight:bold}</style>',
           "</head>\n<body>"]
    if meta.get("header"):
        out.append(f"<header>{x(meta['header'])}</header>")
    out.append("<main>")
    for kind, payload in doc:
        if kind == "break":
            out.append("<hr>")
        elif kind in ("h1", "h2", "h3"):
            out.append(f"<{kind}>{x(payload)}</{kind}>")
        elif kind == "T":
            out.append(f'<p class="title">{x(payload)}</p>')
        elif kind == "S":
            out.append(f"<p><strong>{x(payload)}</strong></p>")
        elif kind in ("M", "p"):
            out.append(f"<p>{x(payload)}</p>")
        elif kind == "ul":
            out.append("<ul>\n" + "\n".join(f"<li>{x(i)}</li>" for i in payload) + "\n</ul>")
        elif kind == "table":
            rows = ["<tr>" + "".join(f"<th>{x(c)}</th>" for c in payload[0]) + "</tr>"]
            for r in payload[1:]:
                rows.append("<tr>" + "".join(f"<td>{x(c)}</td>" for c in r) + "</tr>")
            out.append("<table>\n" + "\n".join(rows) + "\n</table>")
    out.append("</main>")
    if meta.get("footer"):
        out.append(f"<footer>{x(meta['footer'])}</footer>")
    out.append("</body>\n</html>\n")
    return "\n".join(out)


def wrap(s, width=78, indent=""):
    words = s.split()
    lines, cur = [], indent
    for w in words:
        if len(cur) + len(w) + 1 > width and cur.strip():
            lines.append(cur.rstrip())
            cur = indent
        cur += w + " "
    if cur.strip():
        lines.append(cur.rstrip())
    return lines


def to_txt(meta, doc):
    out = []
    if meta.get("header"):
        out += [meta["header"], "=" * min(78, len(meta["header"])), ""]
    for kind, payload in doc:
        if kind == "break":
            out += ["", "\f"]
        elif kind == "h1":
            out += ["", payload.upper(), ""]
        elif kind == "h2":
            out += ["", payload, "-" * len(payload), ""]
        elif kind == "h3":
            out += ["", payload, ""]
        elif kind == "T":
            out += [payload.upper()]
        elif kind in ("S", "M"):
            out += [payload]
        elif kind == "p":
            out += wrap(payload) + [""]
        elif kind == "ul":
            for i in payload:
                ls = wrap(i, indent="    ")
                out += ["  * " + ls[0][4:]] + ls[1:]
            out += [""]
        elif kind == "table":
            for r in payload:
                out.append(" | ".join(r))
                if r is payload[0]:
                    out.append("-" * min(78, len(" | ".join(r))))
            out += [""]
    if meta.get("footer"):
        out += ["", "-" * 40, meta["footer"]]
    return "\n".join(out).replace("\n\n\n", "\n\n") + "\n"


def split_list(v):
    return [s.strip() for s in v.split(",") if s.strip()] if v else []


def build(src_dir, out_dir, work_dir):
    labels = []
    for name in sorted(os.listdir(src_dir)):
        if not name.endswith(".txt"):
            continue
        meta, doc = parse(os.path.join(src_dir, name))
        fname = meta["file"]
        base, ext = os.path.splitext(fname)
        if ext == ".html":
            with open(os.path.join(out_dir, fname), "w", encoding="utf-8") as f:
                f.write(to_html(meta, doc))
        elif ext == ".txt":
            with open(os.path.join(out_dir, fname), "w", encoding="utf-8") as f:
                f.write(to_txt(meta, doc))
        else:
            with open(os.path.join(work_dir, base + ".fodt"), "w", encoding="utf-8") as f:
                f.write(fodt(meta, doc))
            with open(os.path.join(work_dir, base + ".target"), "w") as f:
                f.write(ext[1:] + ("-scanned" if meta.get("expect_error") == "scanned" else "") + "\n")
        entry = {
            "file": fname,
            "language": meta["language"],
            "kinds": split_list(meta.get("kinds")),
            "requested": split_list(meta.get("requested")),
            "mentioned": split_list(meta.get("mentioned")),
            "notes": meta.get("notes", ""),
        }
        if meta.get("expect_error"):
            entry["expect_error"] = meta["expect_error"]
        labels.append(entry)
    with open(os.path.join(out_dir, "labels.json"), "w", encoding="utf-8") as f:
        json.dump({"documents": labels}, f, ensure_ascii=False, indent=2)
        f.write("\n")


if __name__ == "__main__":
    # build.py SRC_DIR OUT_DIR WORK_DIR
    build(sys.argv[1], sys.argv[2], sys.argv[3])
