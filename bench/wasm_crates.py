#!/usr/bin/env python3
"""Group a `twiggy top -n 100000 --format csv` listing by crate (shallow bytes).

Usage: twiggy top -n 100000 --format csv named.wasm | python3 bench/wasm_crates.py [TOTAL_BYTES]
The "function names" custom section is left out of the total (wasm-opt strips it from the shipped
file); pass the shipped file's size as TOTAL_BYTES to print percentages of that.
A symbol `<T as Trait>::f` counts for the crate of T, unless T is from core/alloc/std (or a
primitive) and Trait is not, then for the crate of Trait: where the impl most likely lives.
"""
import collections
import csv
import re
import sys

STD = {"core", "alloc", "std"}
PRIMS = {"u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64", "i128", "isize",
         "f32", "f64", "bool", "char", "str", "()", "F", "T", "A", "Fut", "V", "S"}


def clean(name):
    name = re.sub(r"\[[0-9a-f]{16}\]", "", name)        # v0 crate disambiguators
    return re.sub(r"::h[0-9a-f]{16}$", "", name)        # legacy hash suffix


def split_impl(name):
    """'<T as Trait>::f' -> (T, Trait); else None."""
    if not name.startswith("<"):
        return None
    depth = 0
    for i, c in enumerate(name):
        depth += c == "<"
        depth -= c == ">"
        if depth == 0:
            inner = name[1:i]
            break
    else:
        return None
    depth = 0
    for j in range(len(inner) - 3):
        c = inner[j]
        depth += c in "<(["
        depth -= c in ">)]"
        if depth == 0 and inner[j:j + 4] == " as ":
            return inner[:j], inner[j + 4:]
    return inner, None


def crate_of_path(path):
    path = path.lstrip("&*").replace("mut ", "").replace("dyn ", "").strip()
    if path.startswith("<"):
        return crate_of(path)
    m = re.match(r"([A-Za-z_][A-Za-z0-9_]*)::", path)
    if m:
        return m.group(1)
    return None


def crate_of(name):
    if name.startswith("data segment") or name.startswith("data["):
        return "[data segments]"
    if name.startswith('"') or "subsection" in name or name.startswith("custom section"):
        return "[custom sections]"
    if name.startswith(("export ", "import ", "table[", "elem[", "type[", "global[", "memory[")) or name in ("hydrate",):
        return "[wasm glue: exports/imports/tables]"
    if name.startswith("__wbg") or name.startswith("__wbindgen") or name.startswith("wasm_bindgen") and "::" not in name:
        return "wasm_bindgen"
    name = clean(name)
    parts = split_impl(name)
    if parts:
        t, trait = parts
        ct = crate_of_path(t)
        ctr = crate_of_path(trait) if trait else None
        if (ct is None or ct in STD) and ctr and ctr not in STD:
            return ctr
        return ct or ctr or "[other]"
    c = crate_of_path(name)
    if c:
        return c
    if name.startswith(("memcpy", "memset", "memmove", "memcmp", "__", "dlmalloc", "rust_")):
        return "compiler_builtins/dlmalloc"
    return "[unnamed]"


def main():
    shipped = int(sys.argv[1]) if len(sys.argv) > 1 else None
    by_crate = collections.Counter()
    counts = collections.Counter()
    total = 0
    for row in csv.DictReader(sys.stdin):
        name, size = row["Name"], int(row["ShallowSize"])
        if name == '"function names" subsection':
            continue
        c = crate_of(name)
        by_crate[c] += size
        counts[c] += 1
        total += size
    base = shipped or total
    print(f"| crate | bytes | % of {base} | items |")
    print("| --- | ---: | ---: | ---: |")
    for c, size in by_crate.most_common(40):
        print(f"| {c} | {size} | {100 * size / base:.1f}% | {counts[c]} |")
    print(f"| (sum) | {total} | {100 * total / base:.1f}% | {sum(counts.values())} |")


if __name__ == "__main__":
    main()
