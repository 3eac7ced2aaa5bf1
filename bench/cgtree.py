#!/usr/bin/env python3
"""Read a callgrind.out file into per-function self cost and caller->callee inclusive costs.

Functions are keyed by name only (inlined-file splits are merged). `python3 bench/cgtree.py FILE
REGEX [DEPTH]` prints the inclusive cost of each function matching REGEX and its biggest callees
down to DEPTH levels: how bench/README.md's phases were found.
"""
import collections
import re
import sys


def load(path):
    names = {}
    self_cost = collections.Counter()
    calls = collections.defaultdict(collections.Counter)
    fn = cfn = None
    pending_call = False
    total = None

    def name_of(spec):
        m = re.match(r"\((\d+)\)(?: (.*))?", spec)
        if not m:
            return spec
        if m.group(2) is not None:
            names[m.group(1)] = m.group(2)
        return names[m.group(1)]

    with open(path, errors="replace") as f:
        for line in f:
            if line.startswith("fn="):
                fn = name_of(line[3:].rstrip("\n"))
            elif line.startswith("cfn="):
                cfn = name_of(line[4:].rstrip("\n"))
            elif line.startswith("calls="):
                pending_call = True
            elif line[:1].isdigit() or line[:1] in "+-*":
                parts = line.split()
                if len(parts) < 2:
                    continue
                cost = int(parts[1])
                if pending_call:
                    calls[fn][cfn] += cost
                    pending_call = False
                else:
                    self_cost[fn] += cost
            elif line.startswith("summary:") or line.startswith("totals:"):
                total = int(line.split()[1])
    return self_cost, calls, total


def inclusive(self_cost, calls, fn):
    return self_cost.get(fn, 0) + sum(c for callee, c in calls.get(fn, {}).items() if callee != fn)


def main():
    path, pattern = sys.argv[1], re.compile(sys.argv[2])
    depth = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    self_cost, calls, total = load(path)
    fns = set(self_cost) | set(calls)
    print(f"total {total:,}")

    def show(fn, level, indent):
        print(f"{indent}{inclusive(self_cost, calls, fn):>14,}  self {self_cost.get(fn, 0):>12,}  {fn[:170]}")
        if level < depth:
            for callee, c in calls.get(fn, collections.Counter()).most_common(12):
                if c * 100 < inclusive(self_cost, calls, fn) or callee == fn:
                    continue
                print(f"{indent}  -> {c:>12,}  {callee[:160]}")
                if level + 1 < depth:
                    show(callee, level + 2, indent + "      ")

    for fn in sorted((f for f in fns if pattern.search(f)), key=lambda f: -inclusive(self_cost, calls, f))[:8]:
        show(fn, 0, "")


if __name__ == "__main__":
    main()
