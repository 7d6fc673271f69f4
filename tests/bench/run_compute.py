#!/usr/bin/python3
"""Compute a pipeline run took, per stage and in all, across sittings.

    python3 tests/bench/run_compute.py runs/best-fashion [--csv out.csv]

pipeline.lock records each completed stage's seconds, but only those of the sitting that completed it: a retrain
killed and resumed counts just its last part there. A retrain's epochs.csv has every finished epoch's seconds, whatever
sitting ran it, so for retrains the larger of the two counts (epoch time misses the final evaluation and export of the
weights; lock time misses earlier sittings). A search's trial_timing.csv likewise sums every trial it kept. Stages still
in progress (a .work/<stage> folder, no lock entry) are listed with the epochs their checkpoint's epochs.csv holds.
Work lost to a kill (the epoch or trial under way) is not counted anywhere.
"""
import argparse
import csv
import json
import os


def column_sum(path, column):
    if not os.path.exists(path):
        return None
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    return sum(float(r[column]) for r in rows if r.get(column)) if rows and column in rows[0] else None


def main():
    p = argparse.ArgumentParser()
    p.add_argument("run", help="a run folder, e.g. runs/best-fashion")
    p.add_argument("--csv", help="also write the table here")
    a = p.parse_args()
    with open(os.path.join(a.run, "pipeline.lock")) as f:
        lock = json.load(f)
    rows = []
    for name, entry in lock["stages"].items():
        seconds = float(entry.get("seconds") or 0)
        kind = entry["kind"]
        counted = seconds
        if kind in ("retrain", "train"):
            epochs = column_sum(os.path.join(a.run, name, "epochs.csv"), "seconds")
            counted = max(seconds, epochs or 0)
        elif kind == "search":
            trials = column_sum(os.path.join(a.run, name, "trial_timing.csv"), "run_s")
            counted = max(seconds, trials or 0)
        rows.append((name, kind, "done", seconds, counted))
    work = os.path.join(a.run, ".work")
    if os.path.isdir(work):
        for name in sorted(os.listdir(work)):
            if name in lock["stages"]:
                continue
            epochs = None
            for root, _, files in os.walk(os.path.join(work, name)):
                if "epochs.csv" in files:
                    epochs = column_sum(os.path.join(root, "epochs.csv"), "seconds")
            rows.append((name, "?", "in progress", 0.0, epochs or 0.0))
    rows.sort(key=lambda r: r[0])
    width = max(len(r[0]) for r in rows)
    print(f"{'stage':<{width}}  {'kind':<16} {'state':<11} {'lock s':>9} {'counted s':>10}")
    for name, kind, state, seconds, counted in rows:
        print(f"{name:<{width}}  {kind:<16} {state:<11} {seconds:9.0f} {counted:10.0f}")
    total = sum(r[4] for r in rows)
    print(f"total: {total:.0f} s = {total / 3600:.2f} h ({sum(1 for r in rows if r[2] == 'done')} stages done, "
          f"{sum(1 for r in rows if r[2] != 'done')} in progress)")
    if a.csv:
        with open(a.csv, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["stage", "kind", "state", "lock_seconds", "counted_seconds"])
            w.writerows(rows)


if __name__ == "__main__":
    main()
