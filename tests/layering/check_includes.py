#!/usr/bin/env python3
"""Module boundaries: every file under src/<module>/ may include headers of its own module and of
the modules it depends on, directly or transitively, per the dependency table CMakeLists.txt
declares (hitloop_module lines, written by CMake to <build>/module_deps.txt as "name: dep dep").
An include of any other module (an upward or sideways include) fails, with file and line.
Also fails on '#include "../' (it would sidestep the check) and on a folder under src/ that the
table does not name.

usage: check_includes.py MODULE_DEPS_TXT SRC_DIR
       check_includes.py --self-test     (shows the check really rejects an upward include)
"""
import os
import re
import sys
import tempfile

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def read_table(path):
    table = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if ":" not in line:
                continue
            name, deps = line.split(":", 1)
            table[name.strip()] = deps.split()
    return table


def closure(table, name):
    seen, todo = set(), [name]
    while todo:
        m = todo.pop()
        if m in seen:
            continue
        seen.add(m)
        todo.extend(table.get(m, []))
    return seen


def check(table, src):
    errors = []
    modules = sorted(d for d in os.listdir(src) if os.path.isdir(os.path.join(src, d)))
    for m in modules:
        if m not in table:
            errors.append(f"src/{m}/: not a module in the dependency table (add a hitloop_module line)")
            continue
        allowed = closure(table, m)
        for root, _, files in os.walk(os.path.join(src, m)):
            for fn in sorted(files):
                if not fn.endswith((".h", ".cc")):
                    continue
                path = os.path.join(root, fn)
                rel = os.path.relpath(path, os.path.dirname(src))
                with open(path, encoding="utf-8", errors="replace") as f:
                    for no, line in enumerate(f, 1):
                        g = INCLUDE.match(line)
                        if not g:
                            continue
                        target = g.group(1)
                        if target.startswith("../"):
                            errors.append(f'{rel}:{no}: "{target}": include "module/file.h", not a relative path')
                            continue
                        first = target.split("/", 1)[0]
                        if "/" in target and first in table and first not in allowed:
                            errors.append(f'{rel}:{no}: "{target}": {m}/ does not depend on {first}/ '
                                          f'(it may use: {", ".join(sorted(allowed))})')
    return errors


def self_test():
    table = {"core": [], "schema": ["core"], "loop": ["schema"]}
    with tempfile.TemporaryDirectory() as d:
        for m in table:
            os.makedirs(os.path.join(d, m))
        with open(os.path.join(d, "loop", "a.cc"), "w") as f:
            f.write('#include "core/status.h"\n#include "schema/types.h"\n')
        if check(table, d):
            print("self-test: a downward include was rejected")
            return 1
        with open(os.path.join(d, "core", "b.cc"), "w") as f:
            f.write('#include "core/status.h"\n#include "loop/cycle.h"\n')
        errors = check(table, d)
        if len(errors) != 1 or "core/b.cc:2" not in errors[0]:
            print("self-test: the upward include core -> loop was not rejected:", errors)
            return 1
    print("self-test: upward include rejected, downward include accepted")
    return 0


def main(argv):
    if argv[1:] == ["--self-test"]:
        return self_test()
    if len(argv) != 3:
        print(__doc__)
        return 2
    table = read_table(argv[1])
    errors = check(table, argv[2])
    for e in errors:
        print(e)
    if errors:
        return 1
    print(f"layering: {len(table)} modules, every include within the declared dependencies")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
