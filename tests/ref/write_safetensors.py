#!/usr/bin/python3
"""Independent safetensors writer (numpy only, straight from the spec).

Writes tests/fixtures/ref_numpy.safetensors and, beside it,
ref_numpy.expected.json with every value, so the C reader is checked
against a file it did not write. Run: /usr/bin/python3 tests/ref/write_safetensors.py
"""
import json
import os
import struct

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "fixtures")


def bf16_bytes(x):
    """float32 -> bfloat16 with round-to-nearest-even, as raw little-endian bytes."""
    u = x.astype("<f4").view("<u4").astype(np.uint64)
    rounded = ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype("<u2")
    return rounded.tobytes(), (rounded.astype(np.uint32) << 16).view("<f4")


def main():
    rng = np.random.default_rng(7)
    tensors = []  # (name, dtype, shape, bytes, values as float64 list)
    a = rng.normal(0, 0.02, size=(3, 5)).astype("<f4")
    tensors.append(("a.weight", "F32", a.shape, a.tobytes(), a.astype(np.float64)))
    h = rng.normal(0, 1.0, size=(4,)).astype("<f2")
    tensors.append(("b.half", "F16", h.shape, h.tobytes(), h.astype(np.float64)))
    raw, vals = bf16_bytes(rng.normal(0, 3.0, size=(2, 3)).astype("<f4"))
    tensors.append(("c.bf16", "BF16", (2, 3), raw, vals.astype(np.float64)))
    i = np.arange(-3, 3, dtype="<i4").reshape(2, 3)
    tensors.append(("d.int", "I32", i.shape, i.tobytes(), i.astype(np.float64)))
    z = np.zeros((0, 4), dtype="<f4")
    tensors.append(("e.empty", "F32", z.shape, b"", z.astype(np.float64)))
    s = np.array(2.5, dtype="<f8")
    tensors.append(("f.scalar", "F64", (), s.tobytes(), s.astype(np.float64)))

    # The spec's writer orders by dtype alignment, then name; any contiguous
    # order is valid, so this one deliberately differs from wscope's.
    tensors.sort(key=lambda t: t[0], reverse=True)
    header = {"__metadata__": {"format": "pt", "n_head": "4"}}
    off = 0
    for name, dt, shape, b, _ in tensors:
        header[name] = {"dtype": dt, "shape": list(shape), "data_offsets": [off, off + len(b)]}
        off += len(b)
    hj = json.dumps(header, separators=(",", ":")).encode()
    hj += b" " * ((8 - len(hj) % 8) % 8)
    with open(os.path.join(OUT, "ref_numpy.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(hj)))
        f.write(hj)
        for t in tensors:
            f.write(t[3])
    expected = {name: {"dtype": dt, "shape": list(shape), "values": v.reshape(-1).tolist()}
                for name, dt, shape, _, v in tensors}
    with open(os.path.join(OUT, "ref_numpy.expected.json"), "w") as f:
        json.dump(expected, f, indent=1)


def write_file(path, tensors, metadata):
    """tensors: list of (name, float32 array); laid out in the given order."""
    header = {"__metadata__": metadata} if metadata else {}
    off = 0
    for name, a in tensors:
        header[name] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": [off, off + a.nbytes]}
        off += a.nbytes
    hj = json.dumps(header, separators=(",", ":")).encode()
    hj += b" " * ((8 - len(hj) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hj)))
        f.write(hj)
        for _, a in tensors:
            f.write(a.astype("<f4").tobytes())


def hf_gpt2_without_n_head():
    """A tiny GPT in HF GPT-2 naming (Conv1D weights in x out), as HF writes
    it: no n_head anywhere, so wscope must be told (--heads)."""
    rng = np.random.default_rng(11)
    d, V, T = 8, 11, 8
    n = lambda *s: rng.normal(0, 0.02, size=s).astype("<f4")
    t = [("wte.weight", n(V, d)), ("wpe.weight", n(T, d)),
         ("h.0.ln_1.weight", np.ones(d, "<f4")), ("h.0.ln_1.bias", np.zeros(d, "<f4")),
         ("h.0.attn.c_attn.weight", n(d, 3 * d)), ("h.0.attn.c_attn.bias", np.zeros(3 * d, "<f4")),
         ("h.0.attn.c_proj.weight", n(d, d)), ("h.0.attn.c_proj.bias", np.zeros(d, "<f4")),
         ("h.0.ln_2.weight", np.ones(d, "<f4")), ("h.0.ln_2.bias", np.zeros(d, "<f4")),
         ("h.0.mlp.c_fc.weight", n(d, 4 * d)), ("h.0.mlp.c_fc.bias", np.zeros(4 * d, "<f4")),
         ("h.0.mlp.c_proj.weight", n(4 * d, d)), ("h.0.mlp.c_proj.bias", np.zeros(d, "<f4")),
         ("ln_f.weight", np.ones(d, "<f4")), ("ln_f.bias", np.zeros(d, "<f4"))]
    write_file(os.path.join(OUT, "hf_no_n_head.safetensors"), t, {"format": "pt"})


if __name__ == "__main__":
    main()
    hf_gpt2_without_n_head()
