#!/usr/bin/env python3
"""Checks the labels of the corpus and the holdout sets: every slug exists in
seed/catalogue.yaml, no slug is both requested and mentioned, every labelled
file exists, and every file in the folders is labelled."""
import json
import os
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", "..", ".."))
cat = yaml.safe_load(open(os.path.join(ROOT, "seed", "catalogue.yaml"), encoding="utf-8"))
slugs = {s["slug"] for s in cat["standards"]}
profiles = yaml.safe_load(open(os.path.join(ROOT, "seed", "profiles.yaml"), encoding="utf-8"))
kinds = {p["slug"] for p in profiles["profiles"]} | {"software-development"}
bad = 0
for d in ("corpus", "holdout", "holdout2", "holdout3", "holdout4", "holdout5"):
    path = os.path.join(HERE, "..", d, "labels.json")
    if not os.path.exists(path):
        continue
    docs = json.load(open(path, encoding="utf-8"))["documents"]
    files = {f for f in os.listdir(os.path.join(HERE, "..", d)) if f not in ("labels.json", "README.md")}
    for doc in docs:
        for s in doc["requested"] + doc["mentioned"]:
            if s not in slugs:
                print(f"{d}/{doc['file']}: unknown slug {s}"); bad += 1
        for k in doc["kinds"]:
            if k not in kinds:
                print(f"{d}/{doc['file']}: unknown kind {k}"); bad += 1
        both = set(doc["requested"]) & set(doc["mentioned"])
        if both:
            print(f"{d}/{doc['file']}: both requested and mentioned: {both}"); bad += 1
        if len(set(doc["requested"])) != len(doc["requested"]) or len(set(doc["mentioned"])) != len(doc["mentioned"]):
            print(f"{d}/{doc['file']}: duplicate slug"); bad += 1
        if doc["file"] not in files:
            print(f"{d}/{doc['file']}: file missing"); bad += 1
        files.discard(doc["file"])
    for f in sorted(files):
        print(f"{d}/{f}: not labelled"); bad += 1
    print(f"{d}: {len(docs)} documents checked")
sys.exit(1 if bad else 0)
