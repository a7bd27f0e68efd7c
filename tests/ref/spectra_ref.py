#!/usr/bin/python3
"""Reference numbers for the spectra tests, computed with numpy /
scipy in float64, independently of wscope's C code.

Writes tests/fixtures/spectra.txt: blocks "name rows cols" followed by the
values (float32 inputs printed with 9 significant digits, so they round-trip
exactly; results with 17). Run: /usr/bin/python3 tests/ref/spectra_ref.py
"""
import os
import sys

import numpy as np
from scipy import stats

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture_blocks import Blocks  # noqa: E402

rng = np.random.default_rng(5)
blocks = Blocks()
put, put_f32 = blocks.put, blocks.put_f32


def counts_for(x, share):
    """Smallest k with cumsum(x)[k-1] >= share * sum(x); assert no near tie."""
    c = np.cumsum(x) / x.sum()
    k = int(np.argmax(c >= share)) + 1
    assert abs(c[k - 1] - share) > 1e-6 and (k < 2 or abs(c[k - 2] - share) > 1e-6)
    return k


def pr_numbers(lam):
    lam = np.clip(lam[::-1], 0, None)  # descending
    s = lam.sum()
    return [s * s / (lam * lam).sum(), lam[0] / s, counts_for(lam, 0.95), s / lam[0]]


def pairs(lam, tol=0.01):
    """Greedy adjacent pairs |l_i - l_i+1| / l_i <= tol, resuming at i + 2."""
    out, i = [], 0
    while i + 1 < len(lam) and lam[i + 1] > 1e-12 * lam[0]:
        if abs(lam[i] - lam[i + 1]) / lam[i] <= tol:
            out.append(i)
            i += 2
        else:
            i += 1
    return out


def eig_desc(g):
    return np.linalg.eigvalsh(g)[::-1]


# --- spectrum of a random embedding (distinct eigenvalues) -----------------
E = put_f32("E_rand", rng.normal(0, 0.02, (300, 48)) * np.linspace(3, 0.5, 48))
lam = eig_desc(E.T @ E)
put("E_rand_lam", lam)
put("E_rand_pairs", [len(pairs(lam))] + pairs(lam))
put("E_rand_sv", np.linalg.svd(E, compute_uv=False))

# --- structured: known repeated singular values (pairs) and a known gap ----
def built(sv, rows, name):
    u, _ = np.linalg.qr(rng.normal(size=(rows, len(sv))))
    v, _ = np.linalg.qr(rng.normal(size=(len(sv), len(sv))))
    e = put_f32(name, (u * sv) @ v.T)
    lam = eig_desc(e.T @ e)
    put(name + "_lam", lam)
    put(name + "_pairs", [len(pairs(lam))] + pairs(lam))


# pairs at 1, 3, 5, 9 (the test checks these against the rule above too)
built(np.array([10, 7, 7, 5, 5, 3.5, 3.5, 3, 2, 1.5, 1.5, 1, .8, .6, .4, .2]), 300, "E_pairs")
# adjacent singular values 2 % apart: eigenvalue gaps near 4 %, never ≤ 1 %
built(10 * 0.98 ** np.arange(16), 300, "E_gap")

# --- spectral energy of W in the E_rand eigenbasis --------------------------
_, V = np.linalg.eigh(E.T @ E)
V = V[:, ::-1]
for name, W in [("W_energy_rand", rng.normal(size=(120, 48))),
                ("W_energy_top", rng.normal(size=(90, 48)) @ (V[:, :6] @ V[:, :6].T) * 3
                 + 0.05 * rng.normal(size=(90, 48)))]:
    W = put_f32(name, W)
    en = ((W @ V) ** 2).sum(axis=0)
    put(name + "_energy", en)
    put(name + "_counts", [counts_for(en, 0.5), counts_for(en, 0.9)])
    # Paper 56: the component energies' Pearson r with the eigenvalues, its p
    r, p = stats.pearsonr(en, eig_desc(E.T @ E))
    put(name + "_ev_r", [r, p])
    # corpus-basis share for the top 8 eigenvectors
    put(name + "_share8", [en[:8].sum() / (W ** 2).sum()])
# a d_model-row matrix: its columns are projected (Wᵀ)
W = put_f32("W_down", rng.normal(size=(48, 130)))
put("W_down_share8", [((W.T @ V[:, :8]) ** 2).sum() / (W ** 2).sum()])

# --- weight PR: centred covariance of the rows (np.cov rowvar=False) --------
low = rng.normal(size=(200, 5)) @ rng.normal(size=(5, 40)) + 0.1 * rng.normal(size=(200, 40))
for name, W in [("W_pr_tall", rng.normal(size=(200, 40)) * np.linspace(2, 0.2, 40) + 0.3),
                ("W_pr_wide", rng.normal(size=(30, 80)) + 0.5),
                ("W_pr_low", low)]:
    W = put_f32(name, W)
    lc = eig_desc(np.cov(W, rowvar=False))
    put(name + "_centred", pr_numbers(lc[::-1]) + [lc.sum()])
    lu = eig_desc(W.T @ W / W.shape[0])
    put(name + "_uncentred", pr_numbers(lu[::-1]) + [lu.sum()])
    put(name + "_lam", lc[:min(W.shape)])

# --- amplitude structure -----------------------------------------------------
z = rng.normal(size=(300, 3))
mix = rng.normal(size=(3, 8))
A = put_f32("A_amp", z @ mix + 0.2 * rng.standard_t(3, size=(300, 8)))
lam = eig_desc(np.cov(A, rowvar=False))
corr = np.corrcoef(A, rowvar=False)
put("A_amp_ref", pr_numbers(lam[::-1]) + [np.abs(corr[~np.eye(8, dtype=bool)]).max(),
                                         stats.kurtosis(A.ravel())])

# --- amplitude structure of a matrix through the K=8 grid fit --------------
n, K = 64, 8
j = np.arange(n)
G = np.exp(-((j[None, :] - (n * (np.arange(K) + 1) / (K + 1))[:, None]) ** 2) / (2 * (n / K) ** 2))
true = rng.normal(size=(150, 2)) @ rng.normal(size=(2, K)) + 0.3 * rng.normal(size=(150, K))
W = put_f32("W_gridamp", true @ G + 0.05 * rng.normal(size=(150, n)))
A = np.linalg.lstsq(G.T, W.T, rcond=None)[0].T
lam = eig_desc(np.cov(A, rowvar=False))
corr = np.corrcoef(A, rowvar=False)
put("W_gridamp_ref", pr_numbers(lam[::-1]) + [np.abs(corr[~np.eye(K, dtype=bool)]).max(),
                                             stats.kurtosis(A.ravel())])

# --- drift ---------------------------------------------------------------------
W0 = put_f32("D_w0", rng.normal(0, 0.02, (64, 32)))
W1 = put_f32("D_w1", W0 + rng.normal(0, 0.01, (64, 32)))
dl = W1 - W0
put("D_ref", [np.linalg.norm(dl) / np.sqrt(dl.size), np.linalg.norm(dl) / np.linalg.norm(W0),
              (W0 * W1).sum() / np.linalg.norm(W0) / np.linalg.norm(W1)])

# --- corpus: bigram transition T, EᵀTE, QᵀK cosine --------------------------
V_, d = 50, 16
Ec = put_f32("C_emb", rng.normal(size=(V_, d)))
tok = rng.integers(0, V_, 2000)
tok[::7] = 3  # some structure
put("C_tokens", tok[None, :])
T = np.zeros((V_, V_))
np.add.at(T, (tok[:-1], tok[1:]), 1)
T = T / np.maximum(T.sum(axis=1, keepdims=True), 1)
ETE = Ec.T @ T @ Ec
put("C_ETE", ETE)
qkv = put_f32("C_qkv", rng.normal(size=(3 * d, d)) + 0.3 * np.vstack([ETE, ETE.T, ETE]) / np.abs(ETE).max())
QK = qkv[:d].T @ qkv[d:2 * d]
put("C_cos", [(QK * ETE).sum() / np.linalg.norm(QK) / np.linalg.norm(ETE)])

blocks.write(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "spectra.txt"))
