#!/usr/bin/python3
"""Reference drift of the bundled sample pair, computed with numpy in
float64 from the committed files, independently of wscope's C code.

Reads sample-models/moby-dick.safetensors (base) and
moby-dick-sotu.safetensors (tuned) with a plain safetensors reader, and
writes tests/fixtures/samples/drift.csv with the rows of `wscope drift
--csv` (network only): one per tensor, one per layer, one for the model;
columns name, kind, rms, relative, cosine, mean_cos, as wscope(1),
ANALYSES, Drift, defines them: RMS = ||W1 - W0|| / sqrt(N), relative =
||W1 - W0|| / ||W0||, cosine = <W0, W1> / (||W0|| ||W1||) over the
flattened tensors, per layer and for the model over all their tensors;
mean_cos the mean of the cosines of the 2-D weight matrices of the layer or
the model. Run from the source tree:
/usr/bin/python3 tests/ref/samples_ref.py
"""
import json
import math
import os
import re
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
SAMPLES = os.path.join(TOP, "sample-models")
OUT = os.path.join(TOP, "tests", "fixtures", "samples")
DTYPES = {"F16": np.float16, "F32": np.float32, "BF16": None}


def load(path):
    """name -> float64 array, in file order."""
    with open(path, "rb") as f:
        n = int.from_bytes(f.read(8), "little")
        hdr = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, t in hdr.items():
        if name == "__metadata__":
            continue
        a, b = t["data_offsets"]
        x = np.frombuffer(data[a:b], dtype=DTYPES[t["dtype"]]).reshape(t["shape"])
        out[name] = x.astype(np.float64)
    return out


def stats(sd, s0, s1, dot, n):
    return (math.sqrt(sd / n), math.sqrt(sd / s0) if s0 > 0 else None,
            dot / math.sqrt(s0 * s1) if s0 > 0 and s1 > 0 else None)


def is_matrix(name, a):
    return a.ndim == 2 and min(a.shape) > 1 and not name.endswith(".bias")


def main():
    base = load(os.path.join(SAMPLES, "moby-dick.safetensors"))
    tuned = load(os.path.join(SAMPLES, "moby-dick-sotu.safetensors"))
    assert list(base) == list(tuned), "the pair holds different tensors"
    rows, layers, total, cos = [], {}, [0.0] * 5, []
    layer_cos = {}
    for name, w0 in base.items():
        w1 = tuned[name]
        assert w0.shape == w1.shape, name
        a, b = w0.ravel(), w1.ravel()
        d = b - a
        s = [float(d @ d), float(a @ a), float(b @ b), float(a @ b), a.size]
        r = stats(*s)
        rows.append((name, "tensor") + r + (None,))
        m = re.match(r"blocks\.(\d+)\.", name)
        if m:
            k = int(m.group(1))
            acc = layers.setdefault(k, [0.0] * 5)
            for i in range(5):
                acc[i] += s[i]
            if is_matrix(name, w0):
                layer_cos.setdefault(k, []).append(r[2])
        for i in range(5):
            total[i] += s[i]
        if is_matrix(name, w0):
            cos.append(r[2])
    for k in sorted(layers):
        c = layer_cos[k]
        rows.append(("layer %d" % k, "layer") + stats(*layers[k]) + (sum(c) / len(c),))
    rows.append(("(model)", "model") + stats(*total) + (sum(cos) / len(cos),))
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "drift.csv"), "w") as f:
        f.write("name,kind,rms,relative,cosine,mean_cos\n")
        for r in rows:
            f.write(",".join([r[0], r[1]] + ["" if v is None else "%.17g" % v for v in r[2:]]) + "\n")
    print("wrote %d rows to %s" % (len(rows), os.path.join(OUT, "drift.csv")), file=sys.stderr)


if __name__ == "__main__":
    main()
