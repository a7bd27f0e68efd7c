#!/usr/bin/python3
"""Reference fixtures for tests/test_fit.c (run with Debian's /usr/bin/python3).

Usage: fit_ref.py [--model TRAINED.safetensors]

Writes into tests/fixtures/:
  fit_rows.f32          R x N float32 rows (little-endian), N = 96: three
                        kinds, 70 rows each: N(0, 0.02) noise; smooth random
                        signals (cosine sums plus a little noise); true
                        4-Gaussian mixtures plus noise.
  fit_trained96.f32     rows of a trained model nobody tuned the fit for: 24
  fit_trained384.f32    evenly spaced rows (round(i*R/24)) of each weight
                        matrix, in file order; the matrices with 96 columns
                        (tok_emb, pos_emb, c_attn, c_proj, mlp.0, head) in
                        the first file, mlp.2 (384 columns) in the second.
                        Only with --model (else the committed files are read
                        back). The model was made by
                          wscope train --init --layers 2 --d 96 --heads 4
                            --block 64 --vocab 1500 --lowercase
                            --data sample-models/moby-dick.txt.gz --steps 600
                            --batch 8 --seed 1 --weights-only --out MODEL
  fit_scipy_r2.csv      set,K,row,r2: the best R^2 scipy.optimize.curve_fit
                        reaches on every row of the three sets (rows,
                        trained96, trained384), K = 4 and 8, inside wscope's
                        bounds (mu in [0, n-1], sigma in [0.5, 4n],
                        |A| <= 2 max|w|; with bounds curve_fit uses 'trf'),
                        analytic Jacobian, max_nfev 20000, from two starts:
                        wscope's grid (mu_k = n(k+1)/(K+1), sigma_k = n/K,
                        least-squares amplitudes held in the bounds) and
                        scipy's own default point for these bounds
                        (scipy.optimize._minpack_py._initialize_feasible).
  fit_grid_A.f64        for K = 4 then K = 8: R x K float64 amplitudes of
                        fit_rows from numpy.linalg.lstsq on the grid basis.
"""
import json, os, struct, sys, warnings
import numpy as np
from scipy.optimize import curve_fit
from scipy.optimize._minpack_py import _initialize_feasible

N, PER_KIND, PER_MATRIX = 96, 70, 24
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures")
rng = np.random.default_rng(4)
j = np.arange(N, dtype=np.float64)

def rows():
    R = []
    for _ in range(PER_KIND):
        R.append(rng.normal(0, 0.02, N))
    for _ in range(PER_KIND):
        c = rng.normal(size=6); ph = rng.uniform(0, 6.3, 6)
        s = sum(c[q] * np.cos(np.pi * q * j / N + ph[q]) for q in range(6))
        R.append(0.02 * s + rng.normal(0, 0.003, N))
    for _ in range(PER_KIND):
        w = rng.normal(0, 0.002, N)
        for _ in range(4):
            A, mu, sg = rng.normal(0, 0.05), rng.uniform(0, N - 1), rng.uniform(3, 20)
            w += A * np.exp(-(j - mu) ** 2 / (2 * sg * sg))
        R.append(w)
    return np.array(R).astype(np.float32)

def read_safetensors(path):
    b = open(path, "rb").read()
    h = struct.unpack("<Q", b[:8])[0]
    hdr = json.loads(b[8:8 + h])
    for k, v in hdr.items():
        if k == "__metadata__" or v["dtype"] != "F32" or len(v["shape"]) != 2:
            continue
        s, e = v["data_offsets"]
        yield k, np.frombuffer(b[8 + h + s:8 + h + e], dtype="<f4").reshape(v["shape"])

def trained_rows(path):
    """24 evenly spaced rows of each weight matrix, split by row length."""
    by_n = {96: [], 384: []}
    for name, W in read_safetensors(path):
        if not name.endswith(".weight") or W.shape[1] not in by_n:
            continue
        R = W.shape[0]
        by_n[W.shape[1]].extend(W[int(round(i * R / PER_MATRIX))] for i in range(PER_MATRIX))
    return {n: np.array(v, np.float32) for n, v in by_n.items()}

def grid(n, K):
    x = np.arange(n, dtype=np.float64)
    mu = n * (np.arange(K) + 1) / (K + 1)
    return np.exp(-(x[:, None] - mu[None, :]) ** 2 / (2 * (n / K) ** 2)), mu

def model(x, *p):
    p = np.asarray(p).reshape(-1, 3)
    return sum(a * np.exp(-(x - m) ** 2 / (2 * s * s)) for a, m, s in p)

def jac(x, *p):
    p = np.asarray(p).reshape(-1, 3)
    cols = []
    for a, m, s in p:
        g = np.exp(-(x - m) ** 2 / (2 * s * s)); d = x - m
        cols += [g, a * g * d / s**2, a * g * d * d / s**3]
    return np.stack(cols, 1)

def scipy_best(w, K):
    """Best R^2 of curve_fit from the grid start and from scipy's own start."""
    n = len(w)
    x = np.arange(n, dtype=np.float64)
    G, mu = grid(n, K)
    amax = 2 * np.abs(w).max()
    lo = np.array([-amax, 0, 0.5] * K); hi = np.array([amax, n - 1, 4.0 * n] * K)
    A = np.clip(np.linalg.lstsq(G, w, rcond=None)[0], -amax, amax)
    starts = [np.ravel(np.column_stack([A, mu, np.full(K, n / K)])), _initialize_feasible(lo, hi)]
    sst = np.sum((w - w.mean()) ** 2)
    best = -np.inf
    for p0 in starts:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                p, _ = curve_fit(model, x, w, p0=p0, jac=jac, bounds=(lo, hi), max_nfev=20000)
            except RuntimeError:
                p = p0
        best = max(best, 1 - np.sum((w - model(x, *p)) ** 2) / sst)
    return best

def main():
    W = rows()
    W.tofile(os.path.join(out, "fit_rows.f32"))
    grids = []
    for K in (4, 8):
        G, _ = grid(N, K)
        grids.append(np.linalg.lstsq(G, W.astype(np.float64).T, rcond=None)[0].T)
    np.concatenate([g.ravel() for g in grids]).astype("<f8").tofile(os.path.join(out, "fit_grid_A.f64"))

    sets = {"rows": W}
    if len(sys.argv) == 3 and sys.argv[1] == "--model":
        for n, T in trained_rows(sys.argv[2]).items():
            T.astype("<f4").tofile(os.path.join(out, "fit_trained%d.f32" % n))
    for n in (96, 384):
        sets["trained%d" % n] = np.fromfile(os.path.join(out, "fit_trained%d.f32" % n), "<f4").reshape(-1, n)
    lines = ["set,K,row,r2"]
    for name, S in sets.items():
        for K in (4, 8):
            for i, w in enumerate(S.astype(np.float64)):
                lines.append("%s,%d,%d,%.9g" % (name, K, i, scipy_best(w, K)))
            print("%s K=%d done" % (name, K), file=sys.stderr)
    open(os.path.join(out, "fit_scipy_r2.csv"), "w").write("\n".join(lines) + "\n")

main()
