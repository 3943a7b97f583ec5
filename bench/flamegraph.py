#!/usr/bin/env python3
"""Folds `perf script` output into stacks and draws them as a flame graph (SVG), with no other tool.

    perf script -i perf.data | bench/flamegraph.py --pid-map-contains Hoomi.Api --title "small upload" > out.svg

Only the processes whose perf map (/tmp/perf-PID.map, written by .NET with DOTNET_PerfMapEnabled=1) contains the
given text are kept (the API, not the load client on the same cores). Width = share of the samples.
"""
import argparse
import html
import os
import re
import sys
from collections import defaultdict

HEADER = re.compile(r"^(\S.*?)\s+(\d+)(?:/(\d+))?\s+")


def pids_with_map(text):
    keep = set()
    for name in os.listdir("/tmp"):
        m = re.fullmatch(r"perf-(\d+)\.map", name)
        if not m:
            continue
        try:
            with open(os.path.join("/tmp", name), errors="replace") as f:
                if text in f.read():
                    keep.add(int(m.group(1)))
        except OSError:
            pass
    return keep


def clean(frame):
    # "ffffffff8123 symbol+0x12 (module)" -> "symbol"
    parts = frame.strip().split(None, 1)
    sym = parts[1] if len(parts) > 1 else parts[0]
    mod = re.search(r"\s+\(([^)]*)\)$", sym)
    sym = sym[: mod.start()] if mod else sym
    sym = re.sub(r"\+0x[0-9a-f]+$", "", sym)
    if sym == "[unknown]" and mod and mod.group(1).startswith("/"):
        sym = "[" + os.path.basename(mod.group(1)) + "]"
    sym = re.sub(r"\[OptimizedTier1\]|\[Optimized\]|\[Tier0\]|\[Tier1\]|\[PreJIT\]|\[QuickJitted\]|\[OptimizedTier1OSR\]|\[Instrumented\w*\]", "", sym)
    sym = sym.replace(";", ":").strip()
    return sym or "[unknown]"


def fold(lines, keep, comm_root=False):
    stacks = defaultdict(int)
    pid, frames, comm = None, [], ""

    def flush():
        if frames and (not keep or pid in keep):
            root = ["[" + comm + "]"] if comm_root else []
            stacks[";".join(root + list(reversed(frames)))] += 1

    for line in lines:
        if not line.strip():
            flush()
            pid, frames = None, []
            continue
        if not line.startswith((" ", "\t")):
            m = HEADER.match(line)
            pid = int(m.group(2)) if m else None
            name = m.group(1) if m else "?"
            comm = ("postgres" if name.startswith("postgres")
                    else "runtime background: tiered JIT" if name.startswith(".NET Tiered")
                    else "runtime background: GC" if name.startswith((".NET BGC", ".NET Server GC", ".NET GC"))
                    else "request threads")
            frames = []
        else:
            frames.append(clean(line))
    flush()
    return stacks


def svg(stacks, title, width=1400, row=16):
    tree = {}
    for stack, n in stacks.items():
        node = tree
        for f in stack.split(";"):
            child = node.setdefault(f, [0, {}])
            child[0] += n
            node = child[1]
    total = sum(stacks.values()) or 1
    rects = []

    def depth_of(node):
        return 1 + max((depth_of(c[1]) for c in node.values()), default=0)

    depth = depth_of(tree)
    height = (depth + 3) * row

    def walk(node, x, level):
        for name, (n, children) in sorted(node.items()):
            w = n / total * width
            if w >= 0.3:
                y = height - (level + 2) * row
                hue = 20 + (hash(name) % 40)
                label = html.escape(name)
                pct = 100.0 * n / total
                text = html.escape(name[: int(w / 7)]) if w > 21 else ""
                rects.append(
                    f'<g><title>{label} ({n} samples, {pct:.2f}%)</title>'
                    f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{row - 1}" fill="hsl({hue},90%,60%)"/>'
                    f'<text x="{x + 2:.1f}" y="{y + row - 4}">{text}</text></g>')
                walk(children, x, level + 1)
            x += w

    walk(tree, 0.0, 0)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="monospace" font-size="11">'
            f'<rect width="100%" height="100%" fill="#fff"/>'
            f'<text x="4" y="14" font-size="13">{html.escape(title)} — {total} samples; hover a frame for its share</text>'
            + "".join(rects) + "</svg>\n")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--pid-map-contains", default="")
    p.add_argument("--title", default="flame graph")
    p.add_argument("--folded", help="also write the folded stacks here")
    p.add_argument("--pids", default="", help="keep only these process ids (comma-separated; with -a recordings)")
    p.add_argument("--comm-root", action="store_true", help="root each stack at its process ([postgres] or [client+server])")
    a = p.parse_args()
    keep = pids_with_map(a.pid_map_contains) if a.pid_map_contains else set()
    if a.pids:
        keep |= {int(x) for x in a.pids.split(",") if x}
    stacks = fold(sys.stdin, keep, a.comm_root)
    if a.folded:
        with open(a.folded, "w") as f:
            for s, n in sorted(stacks.items(), key=lambda kv: -kv[1]):
                f.write(f"{s} {n}\n")
    sys.stdout.write(svg(stacks, a.title))


if __name__ == "__main__":
    main()
