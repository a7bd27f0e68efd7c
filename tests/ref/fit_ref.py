#!/usr/bin/python3
"""Reference fixtures for tests/test_fit.c (run with Debian's /usr/bin/python3).

Writes into tests/fixtures/:
  fit_rows.f32      R × N float32 rows (little-endian): three kinds, 70 rows each:
                    N(0, 0.02) noise; smooth random signals (cosine sums plus a
                    little noise); true 4-Gaussian mixtures plus noise.
  fit_scipy_r2.csv  K,row,r2 of scipy.optimize.curve_fit on every row, K = 4, 8,
                    with wscope's start point (grid μ_k = N(k+1)/(K+1), σ_k = N/K,
                    least-squares amplitudes) and bounds (μ ∈ [0, N−1],
                    σ ∈ [0.5, 4N]); with bounds curve_fit uses 'trf'.
  fit_grid_A.f64    for K = 4 then K = 8: R × K float64 amplitudes from
                    numpy.linalg.lstsq on the grid basis.
"""
import os, sys
import numpy as np
from scipy.optimize import curve_fit

N, PER_KIND = 96, 70
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

def grid(K):
    mu = N * (np.arange(K) + 1) / (K + 1)
    return np.exp(-(j[:, None] - mu[None, :]) ** 2 / (2 * (N / K) ** 2)), mu

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

def main():
    W = rows()
    W.tofile(os.path.join(out, "fit_rows.f32"))
    lines = ["K,row,r2"]
    grids = []
    for K in (4, 8):
        G, mu = grid(K)
        A = np.linalg.lstsq(G, W.astype(np.float64).T, rcond=None)[0].T
        grids.append(A)
        lo = [-np.inf, 0, 0.5] * K
        hi = [np.inf, N - 1, 4.0 * N] * K
        for i, w in enumerate(W.astype(np.float64)):
            p0 = np.ravel(np.column_stack([A[i], mu, np.full(K, N / K)]))
            try:
                p, _ = curve_fit(model, j, w, p0=p0, jac=jac, bounds=(lo, hi))
            except RuntimeError:
                p = p0
            sse = np.sum((w - model(j, *p)) ** 2)
            sst = np.sum((w - w.mean()) ** 2)
            lines.append("%d,%d,%.9g" % (K, i, 1 - sse / sst))
        print("K=%d done" % K, file=sys.stderr)
    np.concatenate([g.ravel() for g in grids]).astype("<f8").tofile(os.path.join(out, "fit_grid_A.f64"))
    open(os.path.join(out, "fit_scipy_r2.csv"), "w").write("\n".join(lines) + "\n")

main()
