#!/bin/bash
# Side-by-side: `nasonnx bench search` and the plain PyTorch DARTS search network, alternating per mode, same
# config and thread count; prints one JSON line per run and a ratio table at the end.
# Usage: tests/bench/compare_search.sh [C] [layers] [batch] [res] [warmup] [steps] [modes...]
#   e.g. tests/bench/compare_search.sh 16 8 64 28 2 3 darts gdas pc spos darts2
set -u
cd "$(dirname "$0")/../.."
C=${1:-16}; L=${2:-8}; B=${3:-64}; R=${4:-28}; W=${5:-2}; S=${6:-3}; shift 6 2>/dev/null || shift $#
MODES=${*:-darts gdas pc spos darts2}
NASONNX=${NASONNX:-"dotnet src/NasOnnx.Cli/bin/Debug/net10.0/nasonnx.dll"}
OUT=${OUT:-/tmp/bench_search_$C_$L_$B_$R.jsonl}
: > "$OUT"
for m in $MODES; do
  $NASONNX bench search --mode "$m" --C "$C" --layers "$L" --batch "$B" --res "$R" --warmup "$W" --steps "$S" --threads 2 --json | tr -d '\n' >> "$OUT"; echo >> "$OUT"
  /usr/bin/python3 tests/bench/darts_search_bench.py --mode "$m" --C "$C" --layers "$L" --batch "$B" --res "$R" --warmup "$W" --steps "$S" --threads 2 >> "$OUT"
  tail -2 "$OUT"
done
/usr/bin/python3 - "$OUT" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
by = {}
for r in rows: by.setdefault(r['mode'], {})[r['impl']] = r
print(f"{'mode':7} {'nasonnx ms':>11} {'pytorch ms':>11} {'speedup':>8} {'cpu speedup':>11} {'nasonnx MB':>11} {'pytorch MB':>11}")
for m, d in by.items():
    n, p = d.get('nasonnx'), d.get('pytorch')
    if not n or not p: continue
    cs = p.get('cpu_ms_per_step', 0) / max(1e-9, n.get('cpu_ms_per_step', 0)) if n.get('cpu_ms_per_step') else 0
    print(f"{m:7} {n['ms_per_step']:11.0f} {p['ms_per_step']:11.0f} {p['ms_per_step']/n['ms_per_step']:7.2f}x {cs:10.2f}x {n['peak_rss_mb']:11.0f} {p['peak_rss_mb']:11.0f}")
PY
