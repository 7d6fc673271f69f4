#!/usr/bin/env python3
"""Folder dependency graph of src/NasOnnx: which top-level folders use types declared in which others, and the cycles.

A type is "used" when its name appears as an identifier in a file (comments and strings removed); types are found by
their declarations (class, record, struct, interface, enum). Names declared in more than one folder count for each.
Usage: folder_deps.py [SRC_DIR]   (default: src/NasOnnx)
"""
import os, re, sys
from collections import defaultdict

src = sys.argv[1] if len(sys.argv) > 1 else "src/NasOnnx"
decl = re.compile(r"\b(?:class|record|struct|interface|enum)\s+([A-Z][A-Za-z0-9_]*)")
ident = re.compile(r"\b([A-Z][A-Za-z0-9_]*)\b")

def strip(text):
    text = re.sub(r"//[^\n]*", "", text)
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(r'@?"(?:[^"\\\n]|\\.)*"', '""', text)
    return text

def folder(path):
    rel = os.path.relpath(path, src)
    parts = rel.split(os.sep)
    return parts[0] if len(parts) > 1 else "(root)"

files = {}
for root, dirs, names in os.walk(src):
    dirs[:] = [d for d in dirs if d not in ("bin", "obj")]
    for n in names:
        if n.endswith(".cs"):
            p = os.path.join(root, n)
            files[p] = strip(open(p, encoding="utf-8").read())

declared = defaultdict(set)
for p, text in files.items():
    for m in decl.finditer(text):
        declared[m.group(1)].add(folder(p))

edges = defaultdict(set)
for p, text in files.items():
    f = folder(p)
    for name in set(ident.findall(text)):
        for g in declared.get(name, ()):
            if g != f and g != "(root)":
                edges[f].add(g)

nodes = sorted(set(edges) | {g for v in edges.values() for g in v})
for n in nodes:
    print(f"{n} -> {', '.join(sorted(edges[n])) or '(nothing)'}")

# strongly connected components (Tarjan): every component of more than one folder is a cycle
index, low, stack, on, sccs, counter = {}, {}, [], set(), [], [0]
def visit(v):
    index[v] = low[v] = counter[0]; counter[0] += 1; stack.append(v); on.add(v)
    for w in edges[v]:
        if w not in index:
            visit(w); low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while True:
            w = stack.pop(); on.discard(w); comp.append(w)
            if w == v: break
        sccs.append(sorted(comp))
sys.setrecursionlimit(10000)
for n in nodes:
    if n not in index: visit(n)
cycles = [c for c in sccs if len(c) > 1]
print(f"cycles: {len(cycles)}")
for c in cycles:
    print("  " + " <-> ".join(c))
sys.exit(0)
