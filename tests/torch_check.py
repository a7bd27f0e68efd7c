#!/usr/bin/python3
"""Checks of tests/torch_export.sh: wscope's runs against the exported
PyTorch script's, and checkpoints loaded by torch.

  torch_check.py runs WS_LOG PT_LOG WS_WEIGHTS PT_WEIGHTS
      every step's loss and validation loss to 1e-5 relative, n_frozen
      equal, final weights to 1e-4 (max |difference|); the key third of a
      qkv bias is left out: its gradient is zero in exact arithmetic
      (softmax ignores a constant added to every score of a row), so Adam
      turns rounding noise of either side into steps of about lr
  torch_check.py logs LOG_A LOG_B
      the same losses to 1e-5 relative (one process against torchrun)
  torch_check.py ckpt DIR
      DIR/ckpt.pt loads with weights_only=True: nanoGPT's keys, its model
      tensors bit for bit those of DIR/final.safetensors, model_args
  torch_check.py compare WS_CSV DIR
      wscope compare's table against the exported jobs' logs in DIR
  torch_check.py pt FILE.pt SOURCE.safetensors
      FILE.pt (wscope's writer) loads with weights_only=True and holds the
      source's tensors bit for bit under nanoGPT's names
Exits 1 with a message on the first mismatch.
"""
import csv
import json
import math
import os
import struct
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "export"))
import train as script  # noqa: E402  (the exported script: its readers and names)


def fail(msg):
    print("torch_check: " + msg, file=sys.stderr)
    sys.exit(1)


def rows(path):
    return list(csv.DictReader(open(path)))


def num(s):
    return float(s) if s != "" else float("nan")


def close(a, b, rtol):
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= rtol * abs(b)


def same_losses(a, b, what):
    ra, rb = rows(a), rows(b)
    if len(ra) != len(rb):
        fail("%s: %d rows against %d" % (what, len(ra), len(rb)))
    worst = 0.0
    for x, y in zip(ra, rb):
        for col in ("loss", "val_loss"):
            if not close(num(x[col]), num(y[col]), 1e-5):
                fail("%s: step %s %s %s against %s" % (what, x["step"], col, x[col], y[col]))
            if x[col]:
                worst = max(worst, abs(num(x[col]) - num(y[col])) / abs(num(y[col])))
        if x["step"] != y["step"] or x["n_frozen"] != y["n_frozen"]:
            fail("%s: step %s n_frozen %s against step %s n_frozen %s"
                 % (what, x["step"], x["n_frozen"], y["step"], y["n_frozen"]))
        if events(x) != events(y):
            fail("%s: step %s events %r against %r" % (what, x["step"], x["events"], y["events"]))
    return len(ra), worst


def events(row):
    """The freeze events of a log row, without the PR values: {TENSOR=POLICY}."""
    return sorted(e.split(" (PR")[0] for e in row.get("events", "").split(";") if e)


def key_part(name, shape):
    """The slice of a qkv bias that holds the keys, else None."""
    if name.endswith("attn.c_attn.bias"):
        c = shape[0] // 3
        return slice(c, 2 * c)
    return None


def float_tensors(path):
    """The tensors of a safetensors file as float32, through the script's
    reader; a file wscope saves keeps an HF model's attention mask buffers,
    some BOOL, which the script never reads: they come as 0/1."""
    saved = dict(script.ST_DTYPES)
    script.ST_DTYPES.setdefault("BOOL", np.uint8)
    try:
        return script.read_safetensors(path)[0]
    finally:
        script.ST_DTYPES.clear()
        script.ST_DTYPES.update(saved)


def runs(ws_log, pt_log, ws_w, pt_w):
    n, worst = same_losses(ws_log, pt_log, "losses")
    a, b = float_tensors(ws_w), script.read_safetensors(pt_w)[0]
    # the script writes the network; wscope keeps the attention mask buffers too
    extra = [k for k in set(a) - set(b) if k.endswith((".attn.bias", ".attn.masked_bias"))]
    for k in extra:
        del a[k]
    if sorted(a) != sorted(b):
        fail("weights: different tensors: %s" % sorted(set(a) ^ set(b)))
    wmax = 0.0
    for k in a:
        d = np.abs(a[k] - b[k])
        ks = key_part(k, a[k].shape)
        if ks is not None:
            d[ks] = 0
        wmax = max(wmax, float(d.max()))
        if d.max() > 1e-4:
            fail("weights: %s differs by %g" % (k, d.max()))
    print("%d rows, losses within %.2g relative, weights within %.2g" % (n, worst, wmax))


def ckpt(d):
    ck = torch.load(os.path.join(d, "ckpt.pt"), map_location="cpu", weights_only=True)
    plan = json.load(open(os.path.join(d, "plan.json")))
    final = script.read_safetensors(os.path.join(d, "final.safetensors"))[0]
    for k in ("model", "model_args", "iter_num", "best_val_loss", "config"):
        if k not in ck:
            fail("ckpt.pt: no %s" % k)
    args = ck["model_args"]
    for k in ("n_layer", "n_head", "n_embd", "block_size", "vocab_size"):
        if args[k] != plan["model"][k]:
            fail("ckpt.pt: model_args %s = %s" % (k, args[k]))
    if ck["iter_num"] != plan["steps"]:
        fail("ckpt.pt: iter_num %s" % ck["iter_num"])
    sd = ck["model"]
    for t in plan["tensors"]:
        key = script.nanogpt_key(t)
        w = final[t["name"]].reshape(t["file_shape"])
        w = (w.reshape(t["cols"], t["rows"]).T if t["transposed"] else w).reshape(script.torch_shape(t))
        if key not in sd or not np.array_equal(sd[key].numpy().view(np.uint32), w.view(np.uint32)):
            fail("ckpt.pt: %s is not %s bit for bit" % (key, t["name"]))
    if "lm_head.weight" not in sd:
        fail("ckpt.pt: no lm_head.weight")
    if plan["model"]["tied"] and sd["lm_head.weight"].data_ptr() != sd["transformer.wte.weight"].data_ptr():
        fail("ckpt.pt: a tied head is not the embedding")
    print("ckpt.pt: %d tensors bit for bit" % len(sd))


def compare(ws_csv, d):
    table = rows(ws_csv)
    for r in table:
        jobs = sorted(j for j in os.listdir(d) if j.startswith(r["strategy"] + "-seed"))
        start, end, tail = [], [], []
        for j in jobs:
            log = rows(os.path.join(d, j, "log.csv"))
            steps = len(log) - 1
            start.append(num(log[0]["val_loss"]))
            end.append(num(log[-1]["val_loss"]))
            k = max(1, steps // 10)
            tail.append(np.mean([num(x["loss"]) for x in log[steps - k:steps]]))
        if int(r["seeds"]) != len(jobs):
            fail("compare: %s has %d jobs" % (r["strategy"], len(jobs)))
        for col, vals in (("val_start", start), ("val_end_mean", end), ("train_end_mean", tail)):
            if not close(float(np.mean(vals)), num(r[col]), 1e-5):
                fail("compare: %s %s %s against %g" % (r["strategy"], col, r[col], np.mean(vals)))
    print("compare: %d strategies agree" % len(table))


RAW = {"F32": (np.uint32, torch.int32), "F16": (np.uint16, torch.int16), "BF16": (np.uint16, torch.int16),
       "F64": (np.uint64, torch.int64)}


def raw_safetensors(path):
    """name -> (dtype, the elements' bits as unsigned integers, shaped)."""
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        body = f.read()
    header.pop("__metadata__", None)
    out = {}
    for name, h in header.items():
        a, b = h["data_offsets"]
        out[name] = (h["dtype"], np.frombuffer(body[a:b], dtype=RAW[h["dtype"]][0]).reshape(h["shape"]))
    return out


def nanogpt_keys(args):
    """The parameters of nanoGPT's GPT for these model_args, in its order."""
    keys = ["transformer.wte.weight", "transformer.wpe.weight"]
    for layer in range(args["n_layer"]):
        for part in ("ln_1", "attn.c_attn", "attn.c_proj", "ln_2", "mlp.c_fc", "mlp.c_proj"):
            keys += ["transformer.h.%d.%s.%s" % (layer, part, s) for s in ("weight", "bias")[:1 + args["bias"]]]
    return keys + ["transformer.ln_f.%s" % s for s in ("weight", "bias")[:1 + args["bias"]]] + ["lm_head.weight"]


def pt(path, source):
    ck = torch.load(path, map_location="cpu", weights_only=True)
    sd, args = ck["model"], ck["model_args"]
    if list(sd) != nanogpt_keys(args):
        fail("%s: keys %s are not nanoGPT's %s" % (path, list(sd), nanogpt_keys(args)))
    if not isinstance(ck["iter_num"], int) or ck["best_val_loss"].dim() != 0:
        fail("%s: iter_num %r best_val_loss %r" % (path, ck["iter_num"], ck["best_val_loss"]))
    bits = {k: v.view(RAW[{torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16",
                           torch.float64: "F64"}[v.dtype]][1]).numpy() for k, v in sd.items()}
    for name, (dt, w) in raw_safetensors(source).items():
        hits = [k for k, b in bits.items() if b.dtype.itemsize == w.dtype.itemsize and
                (np.array_equal(b.view(w.dtype), w) or (w.ndim == 2 and np.array_equal(b.view(w.dtype), w.T)))]
        if not hits:
            fail("%s: no tensor equals %s (%s) bit for bit" % (path, name, dt))
    tied = "lm_head.weight" not in [k for k in raw_safetensors(source)] and "head.weight" not in raw_safetensors(source)
    if tied and sd["lm_head.weight"].data_ptr() != sd["transformer.wte.weight"].data_ptr():
        fail("%s: the tied head is not the embedding's storage" % path)
    print("%s: %d tensors bit for bit under nanoGPT's names (%s)" % (path, len(sd), ", ".join(
        sorted({str(v.dtype)[6:] for v in sd.values()}))))


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    {"runs": runs, "logs": lambda a, b: print("%d rows, losses within %.2g relative" % same_losses(a, b, "logs")),
     "ckpt": ckpt, "compare": compare, "pt": pt}[cmd](*args)


main()
