#!/usr/bin/env python3
"""The module table of docs/ARCHITECTURE.md says what the build enforces: every module CMake
declares (hitloop_module lines, written to <build>/module_deps.txt as "name: dep dep") has a row
`| `name/` | owns | may use |`, every row names a declared module, and its "may use" column lists
exactly the module's declared DEPS ("—" for none). Fails with the rows that differ, so the page a
newcomer reads and the dependencies the build enforces cannot drift apart.

usage: check_architecture_doc.py MODULE_DEPS_TXT ARCHITECTURE_MD
       check_architecture_doc.py --self-test     (shows a wrong row is caught)
"""
import re
import sys
import tempfile

ROW = re.compile(r"^\|\s*`([a-z_]+)/`\s*\|(.*)\|\s*([^|]*)\|\s*$")


def read_table(path):
    table = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if ":" in line:
                name, deps = line.split(":", 1)
                table[name.strip()] = set(deps.split())
    return table


def read_doc(path, modules):
    rows = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = ROW.match(line.rstrip("\n"))
            if m:
                # Words of the "may use" column that name modules ("server (and so everything)"
                # names server).
                rows[m.group(1)] = {w for w in re.findall(r"[a-z_]+", m.group(3)) if w in modules}
    return rows


def check(table, rows):
    errors = []
    for name in sorted(table):
        if name not in rows:
            errors.append(f"module {name}: no row `{name}/` in the module table")
        elif rows[name] != table[name]:
            errors.append(f"module {name}: the table says it may use {sorted(rows[name]) or '—'}, "
                          f"CMakeLists.txt declares DEPS {sorted(table[name]) or '—'}")
    for name in sorted(set(rows) - set(table)):
        errors.append(f"row `{name}/`: not a module CMakeLists.txt declares")
    return errors


def self_test():
    table = {"core": set(), "schema": {"core"}, "loop": {"schema"}}
    good = "| `core/` | x | — |\n| `schema/` | y | core |\n| `loop/` | z | schema |\n"
    bad = good.replace("| z | schema |", "| z | schema, core |")
    with tempfile.NamedTemporaryFile("w", suffix=".md") as f:
        f.write(good)
        f.flush()
        if check(table, read_doc(f.name, table)):
            print("self-test: a correct table was rejected")
            return 1
    with tempfile.NamedTemporaryFile("w", suffix=".md") as f:
        f.write(bad)
        f.flush()
        errors = check(table, read_doc(f.name, table))
        if len(errors) != 1 or "module loop" not in errors[0]:
            print("self-test: a row listing an undeclared dependency was not caught:", errors)
            return 1
    print("self-test: a wrong row is caught, a correct table accepted")
    return 0


def main(argv):
    if argv[1:] == ["--self-test"]:
        return self_test()
    if len(argv) != 3:
        print(__doc__)
        return 2
    table = read_table(argv[1])
    errors = check(table, read_doc(argv[2], table))
    for e in errors:
        print(e)
    if errors:
        return 1
    print(f"architecture doc: {len(table)} modules, each row's \"may use\" is its declared DEPS")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
