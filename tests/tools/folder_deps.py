#!/usr/bin/env python3
"""Folder dependency graph of src/NasOnnx: which top-level folders use types declared in which others, and the cycles.

A file uses a type when the type's name appears in its code (comments and strings removed) and the file can see the
type's namespace: through a `using` of it, because the file's own namespace is that namespace or inside it, or because
the name is written qualified (Training.IEpochAware). Member accesses such as TimeSpan.Zero do not count.
Usage: folder_deps.py [SRC_DIR] [--why FROM->TO]
  SRC_DIR  default src/NasOnnx
  --why    list the files and types behind one edge
"""
import os, re, sys
from collections import defaultdict

args = [a for a in sys.argv[1:]]
why_edge = None
if "--why" in args:
    i = args.index("--why"); why_edge = tuple(args[i + 1].split("->")); del args[i:i + 2]
src = args[0] if args else "src/NasOnnx"
root_ns = "NasOnnx"
decl = re.compile(r"\b(?:class|record|struct|interface|enum)\s+([A-Z][A-Za-z0-9_]*)")
ns_re = re.compile(r"^namespace\s+([\w.]+)\s*;", re.M)
using_re = re.compile(r"^using\s+(?:static\s+)?([\w.]+)\s*;", re.M)
chain = re.compile(r"(?<![\w.])([A-Za-z_][A-Za-z0-9_]*(?:\s*\.\s*[A-Za-z_][A-Za-z0-9_]*)*)")

def strip(text):
    text = re.sub(r"//[^\n]*", "", text)
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(r'\$?@?"(?:[^"\\\n]|\\.)*"', '""', text)
    return text

def folder(path):
    parts = os.path.relpath(path, src).split(os.sep)
    return parts[0] if len(parts) > 1 else "(root)"

files = {}
for root, dirs, names in os.walk(src):
    dirs[:] = [d for d in dirs if d not in ("bin", "obj")]
    for n in names:
        if n.endswith(".cs"):
            p = os.path.join(root, n)
            files[p] = strip(open(p, encoding="utf-8").read())

declared = defaultdict(set)  # type name -> {(namespace, folder)}
namespace_of = {}
for p, text in files.items():
    m = ns_re.search(text)
    namespace_of[p] = m.group(1) if m else root_ns
    for d in decl.finditer(text):
        declared[d.group(1)].add((namespace_of[p], folder(p)))

def visible(p, text):
    own = namespace_of[p].split(".")
    seen = {".".join(own[:k]) for k in range(1, len(own) + 1)}
    seen.update(using_re.findall(text))
    return seen

edges = defaultdict(set)
why = defaultdict(set)
for p, text in files.items():
    f, vis = folder(p), visible(p, text)
    for m in chain.finditer(text):
        parts = [x.strip() for x in m.group(1).split(".")]
        for i, name in enumerate(parts):
            if name not in declared: continue
            prefix = ".".join(parts[:i])
            for ns, g in declared[name]:
                if g == f or g == "(root)": continue
                if prefix:
                    # qualified: the prefix must name the namespace, whole or relative to a visible one (else: member access)
                    if prefix != ns and not any(v + "." + prefix == ns for v in vis): continue
                elif ns not in vis:
                    continue
                edges[f].add(g)
                why[(f, g)].add(f"{os.path.relpath(p, src)}: {name}")

if why_edge:
    print("\n".join(sorted(why[why_edge])))
    sys.exit(0)

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
