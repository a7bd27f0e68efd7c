#!/usr/bin/python3
"""Reference for the grid's linspace centres (run with Debian's /usr/bin/python3).

Reads tests/fixtures/fit_rows.f32 (R x 96 float32, written by fit_ref.py) and
writes tests/fixtures/fit_grid_linspace_A.f64: for K = 4 then K = 8, the
R x K float64 amplitudes numpy.linalg.lstsq gives on Paper 61's grid,
centres numpy.linspace(0, n - 1, K), widths n / K (fit --centres linspace,
pr --centres linspace, train grid:K:linspace)."""
import os

import numpy as np

N = 96
here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures")
W = np.fromfile(os.path.join(here, "fit_rows.f32"), "<f4").reshape(-1, N).astype(np.float64)
x = np.arange(N, dtype=np.float64)
out = []
for K in (4, 8):
    mu = np.linspace(0, N - 1, K)
    G = np.exp(-(x[:, None] - mu[None, :]) ** 2 / (2 * (N / K) ** 2))
    out.append(np.linalg.lstsq(G, W.T, rcond=None)[0].T.ravel())
np.concatenate(out).astype("<f8").tofile(os.path.join(here, "fit_grid_linspace_A.f64"))
