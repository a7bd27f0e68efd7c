#!/usr/bin/python3
"""The seed corpora of the fuzz harnesses (fuzz/README.md), from the test
fixtures: small valid files of each format and the crafted hostile ones.

Writes fuzz/corpus/NAME/ for NAME in safetensors, st_index, zip, pickle,
torch, npy, tokenizer, runlog. The small tokenizer.json and vocab.json keep
the first 300 tokens (and the merges among them) of GPT-2's published
tokenizer (tests/fixtures/tok/gpt2, see its README for the provenance).
Inputs found by fuzzing are added beside these by hand (minimised,
fuzz/README.md) and are kept when this script runs again.
Run: /usr/bin/python3 tests/ref/fuzz_seeds.py
"""
import glob
import gzip
import json
import os
import shutil
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.join(HERE, "..", "fixtures")
OUT = os.path.join(HERE, "..", "..", "fuzz", "corpus")
SMALL = 30000   # bytes: the corpus stays small


def put(name, fname, data):
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, fname), "wb") as f:
        f.write(data)


def copy(name, paths):
    for p in paths:
        if os.path.getsize(p) <= SMALL:
            with open(p, "rb") as f:
                put(name, os.path.basename(p), f.read())


def main():
    copy("safetensors", glob.glob(os.path.join(FIX, "hostile", "*.safetensors")) +
         [os.path.join(FIX, "ref_numpy.safetensors"), os.path.join(FIX, "hf_no_n_head.safetensors")])
    torch = glob.glob(os.path.join(FIX, "formats", "*.pt")) + \
        [p for p in glob.glob(os.path.join(FIX, "hostile", "*.pt")) if "bomb" not in p]
    copy("torch", torch)
    copy("zip", torch)
    copy("npy", glob.glob(os.path.join(FIX, "formats", "*.npy")))
    for p in torch:   # the pickles inside
        try:
            with zipfile.ZipFile(p) as z:
                for n in z.namelist():
                    if n.endswith("data.pkl"):
                        put("pickle", os.path.basename(p) + ".pkl", z.read(n))
        except zipfile.BadZipFile:
            pass
    pkls = glob.glob(os.path.join(FIX, "tok", "char", "*.pkl"))
    copy("pickle", pkls)
    copy("tokenizer", pkls)
    tj = json.load(gzip.open(os.path.join(FIX, "tok", "gpt2", "tokenizer.json.gz")))
    keep = dict(sorted(tj["model"]["vocab"].items(), key=lambda kv: kv[1])[:300])
    merges = [m for m in tj["model"]["merges"][:200]
              if all(p in keep for p in (m.split(" ") if isinstance(m, str) else m))][:60]
    small = dict(tj, added_tokens=[], model=dict(tj["model"], vocab=keep, merges=merges))
    put("tokenizer", "tokenizer.json", json.dumps(small).encode())
    put("tokenizer", "vocab.json", json.dumps(keep).encode())
    shards = {"tok_emb.weight": "model-00001-of-00002.safetensors",
              "pos_emb.weight": "model-00001-of-00002.safetensors",
              "blocks.0.ln1.weight": "model-00002-of-00002.safetensors",
              "head.weight": "model-00002-of-00002.safetensors"}
    put("st_index", "index.json", json.dumps({"metadata": {"total_size": 32}, "weight_map": shards},
                                             indent=1).encode())
    put("st_index", "evil_shard.json",
        json.dumps({"weight_map": dict(shards, **{"head.weight": "../etc/passwd"})}).encode())
    put("st_index", "missing.json", json.dumps({"weight_map": {"x": shards["head.weight"]}}).encode())
    copy("runlog", glob.glob(os.path.join(FIX, "run", "*.csv")) + glob.glob(os.path.join(FIX, "runs", "*.csv")))


if __name__ == "__main__":
    main()
