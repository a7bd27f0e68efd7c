#!/usr/bin/python3
"""numpy (float64) reference for wscope's training policies (src/policy.c).

Writes tests/fixtures/train/policy_ref.safetensors with, for three random
matrices W1 (48x16), W2 (16x64), W3 (64x16):
  crystal3_W1, crystal2_W2   rank-3 / rank-2 truncated SVD
  pr                         weight participation ratio of W1, W2
                             (eigenvalues of the centred row covariance)
  grid_G, grid_A, grid_W     grid K=5 on W3: G[k, j] = exp(-(j-mu_k)^2/(2 s_k^2)),
                             mu_k = n(k+1)/(K+1), s_k = n/K; A = lstsq; W = A G
  grid_lin_W                 the same with Paper 61's centres (grid:5:linspace):
                             mu_k = linspace(0, n-1, K)
Run: /usr/bin/python3 tests/ref/policy_ref.py
"""
import os

import numpy as np

from st_write import write_safetensors

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "train",
                   "policy_ref.safetensors")


def truncate(w, r):
    u, s, vt = np.linalg.svd(w, full_matrices=False)
    return (u[:, :r] * s[:r]) @ vt[:r]


def weight_pr(w):
    lam = np.linalg.eigvalsh(np.cov(w, rowvar=False))   # rows are samples, centred
    return lam.sum() ** 2 / (lam ** 2).sum()


def grid(w, k, linspace=False):
    n = w.shape[1]
    j = np.arange(n)
    mu = np.linspace(0, n - 1, k) if linspace else n * (np.arange(k) + 1) / (k + 1)
    s = n / k
    g = np.exp(-(j[None, :] - mu[:, None]) ** 2 / (2 * s * s))
    a = np.linalg.lstsq(g.T, w.T, rcond=None)[0].T
    return g, a, a @ g


rng = np.random.default_rng(20261122)
# Low-rank structure plus noise, so truncations and PR are not trivial.
w1 = rng.normal(size=(48, 4)) @ rng.normal(size=(4, 16)) + 0.1 * rng.normal(size=(48, 16))
w2 = rng.normal(size=(16, 64)) * np.linspace(0.2, 2, 64)
w3 = rng.normal(size=(64, 16))
w1 = w1.astype(np.float32).astype(np.float64)   # the values wscope holds in float32
w2 = w2.astype(np.float32).astype(np.float64)
w3 = w3.astype(np.float32).astype(np.float64)
g, a, wg = grid(w3, 5)
write_safetensors(OUT, {
    "W1": w1, "W2": w2, "W3": w3,
    "crystal3_W1": truncate(w1, 3), "crystal2_W2": truncate(w2, 2),
    "pr": np.array([weight_pr(w1), weight_pr(w2)]),
    "grid_G": g, "grid_A": a, "grid_W": wg, "grid_lin_W": grid(w3, 5, linspace=True)[2],
})
print("wrote", OUT)
