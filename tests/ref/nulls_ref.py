#!/usr/bin/python3
"""Reference numbers for the null baselines, the level-spacing pair test,
the ESD (WeightWatcher) diagnostics, the corpus measurements and the
p-values, computed with numpy / scipy in float64, independently of
wscope's C code (each definition written again from the man page).

Writes tests/fixtures/nulls.txt in the block format of spectra.txt.
Run: /usr/bin/python3 tests/ref/nulls_ref.py
"""
import os
import sys

import numpy as np
from scipy import special, stats

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture_blocks import Blocks  # noqa: E402
from st_write import write_safetensors  # noqa: E402

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures")

blocks = Blocks()


def section(seed):
    """Each section draws from its own generator, so that adding one does
    not change the others' fixtures."""
    return np.random.default_rng(seed)


put, put_f32 = blocks.put, blocks.put_f32


# --- special functions ---------------------------------------------------
rng = section(12)
cases = [(0.5, 0.5, 0.3), (2, 3, 0.4), (10, 0.5, 0.97), (0.5, 40, 0.01), (150, 0.5, 0.999),
         (1, 1, 0.25), (7.5, 0.5, 0.2), (3000, 0.5, 0.9995)]
put("betainc", [[a, b, x, special.betainc(a, b, x)] for a, b, x in cases])
tcases = [(0.5, 3), (2.2, 10), (-4.0, 2), (1.0, 1), (6.0, 200)]
put("t_p", [[t, nu, 2 * stats.t.sf(abs(t), nu)] for t, nu in tcases])
pcases = []
for n, r in [(4, 0.991), (4, 0.93), (32, 0.2), (9, -0.6), (300, 0.05), (3, 0.5)]:
    x = rng.normal(size=n)
    # a sample with exactly this r: y = r x̂ + √(1−r²) ẑ, ẑ ⟂ x̂
    xs = (x - x.mean()) / np.linalg.norm(x - x.mean())
    z = rng.normal(size=n)
    z -= z.mean()
    z -= (z @ xs) * xs
    z /= np.linalg.norm(z)
    y = r * xs + np.sqrt(1 - r * r) * z
    rr, p = stats.pearsonr(xs, y)
    pcases.append([rr, n, p])
put("pearson_p", pcases)


# max |corr| of amplitude columns and its Bonferroni p-value
rng = section(13)
A = rng.normal(size=(60, 8))
A[:, 3] += 0.4 * A[:, 5]
A = put_f32("A_corr", A)
r = np.corrcoef(A, rowvar=False)
iu = np.triu_indices(8, 1)
best = np.argmax(np.abs(r[iu]))
i, j = iu[0][best], iu[1][best]
_, pval = stats.pearsonr(A[:, i], A[:, j])
put("A_corr_ref", [abs(r[i, j]), min(1.0, pval * 28)])


# --- level spacing: unfolding and the Wigner p-values --------------------
rng = section(14)
def unfold(lam, half=5):
    """ln λ gaps over the mean of the 2·half nearest other gaps (window
    shifted inward at the ends)."""
    g = -np.diff(np.log(lam))
    ng = len(g)
    want = min(2 * half, ng - 1)
    s = np.full(ng, np.nan)
    for i in range(ng):
        lo = min(max(i - half, 0), ng - 1 - want)
        idx = [j for j in range(lo, lo + want + 1) if j != i]
        s[i] = g[i] / np.mean(g[idx])
    return s


def wigner_p(s):
    return -np.expm1(-np.pi * s * s / 4)


# A white-noise spectrum with one planted exact pair.
X = rng.normal(size=(240, 48))
u, sv, vt = np.linalg.svd(X, full_matrices=False)
sv[20] = sv[21]                       # exactly paired singular values
E = put_f32("E_planted", (u * sv) @ vt)
lam = np.linalg.eigvalsh(E.T @ E)[::-1]
put("E_planted_lam", lam)
s = unfold(lam)
put("E_planted_s", s)
put("E_planted_p", wigner_p(s))

# A rank-deficient embedding: 30 rows, 50 columns (V < d): 20 eigenvalues cut.
E = put_f32("E_short", rng.normal(size=(30, 50)))
lam = np.linalg.eigvalsh(E.T @ E)[::-1]
t = max(E.shape) * np.finfo(np.float32).eps
rank = int(np.sum(lam > lam[0] * t * t))
put("E_short_rank", [rank])
put("E_short_s", unfold(lam[:rank]))


# --- ESD: WeightWatcher's diagnostics, CSN power-law fit -----------------
rng = section(15)
def powerlaw_fit(x):
    """x ascending. For each xmin = x[i] (all but the largest): α by MLE,
    KS distance against the empirical CDF k/n; the xmin of least D."""
    best = (np.inf, np.nan, np.nan, 0)
    for i in range(len(x) - 1):
        t = x[i:]
        n = len(t)
        a = 1 + n / np.sum(np.log(t / x[i]))
        if not a > 1:
            continue
        d = np.max(np.abs(1 - (t / x[i]) ** (1 - a) - np.arange(n) / n))
        if d < best[0]:
            best = (d, a, x[i], n)
    return best[1], best[2], best[0], best[3]


def esd(w):
    lam = np.linalg.eigvalsh(w.T @ w if w.shape[0] >= w.shape[1] else w @ w.T)[::-1]
    N, M = max(w.shape), min(w.shape)
    t = N * np.finfo(np.float32).eps
    lam = lam[lam > lam[0] * t * t]
    a, xmin, d, nt = powerlaw_fit(lam[::-1])
    s2 = lam.sum() / (N * M)
    edge = s2 * (np.sqrt(N) + np.sqrt(M)) ** 2
    return [a, xmin, d, nt, a * np.log10(lam[0]), np.log10(lam[0]), lam.sum() / lam[0], edge,
            int(np.sum(lam > edge)), len(lam)]


heavy_sv = (np.arange(1, 61) ** -0.8) * 3
uu, _ = np.linalg.qr(rng.normal(size=(160, 60)))
vv, _ = np.linalg.qr(rng.normal(size=(60, 60)))
for name, w in [("W_esd_noise", rng.normal(0, 0.02, (160, 48))),
                ("W_esd_heavy", (uu * heavy_sv) @ vv.T + rng.normal(0, 0.002, (160, 60))),
                ("W_esd_wide", rng.standard_t(3, size=(40, 120)) * 0.05),
                ("W_esd_spiked", rng.normal(0, 0.02, (150, 40))
                 + 0.3 * np.outer(rng.normal(size=150), rng.normal(size=40)) / 10)]:
    w = put_f32(name, w)
    put(name + "_ref", esd(w))

# A power-law sample: the fit on its own.
x = np.sort((1 - rng.random(300)) ** (-1 / 1.5))   # Pareto, α = 2.5, xmin = 1
put("PL_sample", x)
put("PL_sample_ref", list(powerlaw_fit(x)))

rng = section(16)
# A model file whose embedding has two planted exact pairs (3-4, 10-11) in an
# otherwise white-noise spectrum: the TUI and CLI tests of the pair marks.
X = rng.normal(0, 0.02, size=(200, 32))
u, sv, vt = np.linalg.svd(X, full_matrices=False)
sv[4], sv[11] = sv[3], sv[10]
write_safetensors(os.path.join(FIXTURES, "planted_pair.safetensors"),
                  {"tok_emb.weight": ((u * sv) @ vt).astype(np.float32)}, dtype="<f4")

# --- corpus measurements on a small model -------------------------------
rng = section(17)
def bigram_T(tok, V):
    T = np.zeros((V, V))
    np.add.at(T, (tok[:-1], tok[1:]), 1)
    return T / np.maximum(T.sum(axis=1, keepdims=True), 1)


def top_vec(a):
    w, v = np.linalg.eigh(a)
    return v[:, -1]


d, V, L = 16, 50, 3
tok = rng.integers(0, V, 3000)
tok[1::5] = (tok[0::5][: len(tok[1::5])] * 3) % V   # some bigram structure
Ec = rng.normal(0, 0.5, size=(V, d)).astype(np.float32).astype(np.float64)
T = bigram_T(tok, V)
M = Ec.T @ T @ Ec
u1 = top_vec(M @ M.T)
model = {"tok_emb.weight": Ec}
for l in range(L):
    q = rng.normal(0, 0.1, size=(d, d))
    if l == 0:   # planted: Q stretches u₁, and QᵀK follows M
        q += 2.0 * np.outer(rng.normal(size=d), u1) / np.sqrt(d)
        k = np.linalg.solve(q.T, M + 0.05 * np.abs(M).max() * rng.normal(size=(d, d)))
        k *= 0.1 * d / np.linalg.norm(k)   # the scale of the other blocks
    else:
        k = rng.normal(0, 0.1, size=(d, d))
    v = rng.normal(0, 0.1, size=(d, d))
    model[f"blocks.{l}.attn.c_attn.weight"] = np.vstack([q, k, v])
    model[f"blocks.{l}.attn.c_proj.weight"] = rng.normal(0, 0.1, size=(d, d))
    model[f"blocks.{l}.mlp.0.weight"] = rng.normal(0, 0.1, size=(4 * d, d))
    model[f"blocks.{l}.mlp.2.weight"] = rng.normal(0, 0.1, size=(d, 4 * d))
model = {k: np.asarray(v, dtype=np.float32).astype(np.float64) for k, v in model.items()}
write_safetensors(os.path.join(FIXTURES, "corpus_model.safetensors"), model, dtype="<f4")
put("corpus_tokens", tok[None, :])
qk_ref = []
for l in range(L):
    w = model[f"blocks.{l}.attn.c_attn.weight"]
    q, k = w[:d], w[d:2 * d]
    qk = q.T @ k
    cos = (qk * M).sum() / np.linalg.norm(qk) / np.linalg.norm(M)
    align = abs(top_vec(q.T @ q) @ u1)
    qk_ref.append([cos, align])
put("corpus_qk", qk_ref)
lam = np.abs(np.linalg.eigvalsh((M + M.T) / 2))
put("corpus_sym_pr", [lam.sum() ** 2 / (lam ** 2).sum()])
num = den = 0.0
for l in range(L):
    for name in ("attn.c_attn", "attn.c_proj", "mlp.0", "mlp.2"):
        w = model[f"blocks.{l}.{name}.weight"]
        w = w if w.shape[1] == d else w.T
        for b in range(w.shape[0] // d):
            blk = w[b * d:(b + 1) * d]
            pred = M * np.linalg.norm(blk) / np.linalg.norm(M)
            num += ((blk - pred) ** 2).sum()
            den += (blk ** 2).sum()
put("corpus_direct_r2", [1 - num / den])
# Corpus-basis share at K = 4 per block matrix, and pooled.
_, Vb = np.linalg.eigh(Ec.T @ Ec)
Vb = Vb[:, ::-1]
kept = tot = 0.0
shares = []
for l in range(L):
    for name in ("attn.c_attn", "attn.c_proj", "mlp.0", "mlp.2"):
        w = model[f"blocks.{l}.{name}.weight"]
        w = w if w.shape[1] == d else w.T
        en = ((w @ Vb) ** 2).sum(axis=0)
        shares.append(en[:4].sum() / en.sum())
        kept += en[:4].sum()
        tot += en.sum()
put("corpus_shares4", shares)
put("corpus_pooled4", [kept / tot])

blocks.write(os.path.join(FIXTURES, "nulls.txt"))
