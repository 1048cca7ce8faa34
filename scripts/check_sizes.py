#!/usr/bin/env python3
"""Size targets for src/: no function over MAX_FUNCTION lines, no file over MAX_FILE lines.

Prints every offender (file, function, lines) and exits 1 when there is one; --report prints
them and exits 0. A function is a brace block whose header (the text since the previous ';',
'{' or '}') looks like a signature, outside any other function; its length counts the lines
from its header to its closing brace. Comments and string literals are ignored.

usage: scripts/check_sizes.py [--report] [--max-function N] [--max-file N] [SRC_DIR]
"""
import os
import re
import sys

MAX_FUNCTION = 150
MAX_FILE = 700
SCOPE = re.compile(r"\b(namespace|struct|class|enum|union)\b[^()]*$")
NAME = re.compile(r"([A-Za-z_~][\w:<>~]*)\s*\([^()]*(\([^()]*\)[^()]*)*\)[^()]*$", re.S)


def strip(text):
    """Blanks comments, string and char literals (keeping newlines)."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif text.startswith('R"', i):
            m = re.match(r'R"([^(]*)\(', text[i:])
            end = text.find(")" + (m.group(1) if m else "") + '"', i)
            j = n if end < 0 else end + len(m.group(1) if m else "") + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == "'" and i > 0 and text[i - 1].isalnum():
            out.append(c)  # a digit separator (60'000), not a character literal
            i += 1
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(" " * (j + 1 - i))
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def functions(text):
    """Yields (name, first_line, last_line) for each top-level function body."""
    s = strip(text)
    stack = []  # kinds: "scope", "function", "block"
    header_start = 0
    for i, c in enumerate(s):
        if c == "{":
            header = s[header_start:i]
            in_function = any(k == "function" for k, _, _ in stack)
            kind = "block"
            if not in_function:
                h = header.strip()
                if SCOPE.search(h) or h.endswith("extern \"C\""):
                    kind = "scope"
                elif h.endswith(")") or re.search(r"\)\s*(const|override|final|noexcept|->.*|:.*)\s*$", h, re.S):
                    if not re.search(r"=\s*$", h):
                        kind = "function"
            if kind == "function":
                m = NAME.search(header.strip())
                name = m.group(1) if m else "?"
                first = s.count("\n", 0, header_start + len(header) - len(header.lstrip())) + 1
                stack.append(("function", name, first))
            else:
                stack.append((kind, None, None))
            header_start = i + 1
        elif c == "}":
            if stack:
                kind, name, first = stack.pop()
                if kind == "function":
                    yield name, first, s.count("\n", 0, i) + 1
            header_start = i + 1
        elif c == ";":
            header_start = i + 1


def main(argv):
    report = "--report" in argv
    args = [a for a in argv[1:] if a != "--report"]
    max_fn, max_file = MAX_FUNCTION, MAX_FILE
    if "--max-function" in args:
        k = args.index("--max-function")
        max_fn = int(args[k + 1])
        del args[k:k + 2]
    if "--max-file" in args:
        k = args.index("--max-file")
        max_file = int(args[k + 1])
        del args[k:k + 2]
    src = args[0] if args else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")
    offenders = []
    for root, _, files in os.walk(src):
        for fn in sorted(files):
            if not fn.endswith((".cc", ".h")):
                continue
            path = os.path.join(root, fn)
            rel = os.path.relpath(path, os.path.dirname(os.path.abspath(src)))
            with open(path, encoding="utf-8", errors="replace") as f:
                text = f.read()
            lines = text.count("\n")
            if lines > max_file:
                offenders.append((lines, f"{rel}: file has {lines} lines (max {max_file})"))
            for name, first, last in functions(text):
                if last - first + 1 > max_fn:
                    offenders.append((last - first + 1,
                                      f"{rel}:{first}: {name} has {last - first + 1} lines (max {max_fn})"))
    for _, msg in sorted(offenders, reverse=True):
        print(msg)
    if not offenders:
        print(f"sizes: no function over {max_fn} lines, no file over {max_file} lines")
    return 0 if report or not offenders else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
