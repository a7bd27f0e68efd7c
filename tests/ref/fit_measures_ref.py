#!/usr/bin/python3
"""Reference for the fit measurements and the predictability (tests/test_fit.c),
in numpy, from their definitions (man page ANALYSES, Gaussian fits).

Writes into tests/fixtures/:
  fit_measures.safetensors  float32: E (300 x 24, an embedding with a decaying
                            spectrum), W (60 x 24, rows), A, mu, sigma (60 x 3:
                            the L1 parameters of each row, given, not fitted,
                            in no particular component order). A planted
                            structure: the amplitude of each row's first
                            component (by centre) is 2 x its coordinate on the
                            leading eigenvector of E^T E plus a little noise,
                            so it is predictable; the rest is not.
  fit_measures.txt          name value lines: the numbers the C test compares:
                            the predictability (fit_predict.h) and the fit
                            measurements (fit_measures.h) of those rows.
Run: /usr/bin/python3 tests/ref/fit_measures_ref.py
"""
import os
import sys

import numpy as np
from scipy import stats

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from st_write import write_safetensors

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures")
V, D, R, K, DIMS, FOLDS, NPC = 300, 24, 60, 3, 8, 5, 3


def grid(n, k):
    j = np.arange(n)
    mu = n * (np.arange(k) + 1) / (k + 1)
    return np.exp(-(j[None, :] - mu[:, None]) ** 2 / (2 * (n / k) ** 2))   # K x n


def cv_r2(X, Y, folds):
    """OLS with an intercept, fold = i mod F, R^2 against the mean of all rows."""
    m = len(X)
    Xi = np.hstack([np.ones((m, 1)), X])
    pred = np.empty_like(Y)
    for f in range(folds):
        test = np.arange(m) % folds == f
        beta = np.linalg.lstsq(Xi[~test], Y[~test], rcond=None)[0]
        pred[test] = Xi[test] @ beta
    sst = ((Y - Y.mean(0)) ** 2).sum(0)
    return 1 - ((Y - pred) ** 2).sum(0) / sst


def main():
    rng = np.random.default_rng(12)
    E = rng.normal(size=(V, D)) * np.linspace(2.0, 0.2, D)
    E = (E @ np.linalg.qr(rng.normal(size=(D, D)))[0]).astype(np.float32)
    W = (rng.normal(0, 0.02, (R, D))).astype(np.float32)
    lam, vec = np.linalg.eigh(E.astype(np.float64).T @ E.astype(np.float64))
    order = np.argsort(lam)[::-1]
    lam, vec = lam[order], vec[:, order]            # columns: eigenvectors, descending
    x1 = W.astype(np.float64) @ vec[:, 0]
    mu = np.sort(rng.uniform(0, D - 1, (R, K)), axis=1)
    sigma = rng.uniform(1, 8, (R, K))
    A = rng.normal(0, 0.03, (R, K))
    A[:, 0] = 2 * x1 + rng.normal(0, 0.002, R)       # the planted structure
    perm = np.array([rng.permutation(K) for _ in range(R)])   # store components unordered
    Ap, mup, sgp = (np.take_along_axis(a, perm, 1) for a in (A, mu, sigma))
    write_safetensors(os.path.join(OUT, "fit_measures.safetensors"),
                      {"E": E, "W": W, "A": Ap.astype(np.float32), "mu": mup.astype(np.float32),
                       "sigma": sgp.astype(np.float32)}, "<f4")
    # everything below from the float32 values as stored
    A, mu, sigma = (a.astype(np.float32).astype(np.float64) for a in (A, mu, sigma))
    Wd = W.astype(np.float64)
    lines = []
    # predictability
    X = Wd @ vec[:, :DIMS]
    G = grid(D, K)
    amp = np.linalg.lstsq(G.T, Wd.T, rcond=None)[0].T                     # R x K grid amplitudes
    ac = amp - amp.mean(0)
    pl, pv = np.linalg.eigh(ac.T @ ac / (R - 1))
    o = np.argsort(pl)[::-1]
    pl, pv = pl[o], pv[:, o]
    scores = ac @ pv[:, :NPC]
    Y = np.hstack([mu, sigma, A, scores])
    r2 = cv_r2(X, Y, FOLDS)
    for k in range(K):
        lines += ["r2_mu%d %.12g" % (k, r2[k]), "r2_sigma%d %.12g" % (k, r2[K + k]),
                  "r2_amp%d %.12g" % (k, r2[2 * K + k])]
    for j in range(NPC):
        lines.append("r2_pc%d %.12g" % (j, r2[3 * K + j]))
    for k in range(K):
        lines.append("pc_share%d %.12g" % (k, max(pl[k], 0) / np.clip(pl, 0, None).sum()))
    for j in range(NPC):
        u = G.T @ pv[:, j]
        cos = np.abs(vec.T @ u) / np.linalg.norm(u)
        lines += ["align%d %.12g" % (j, cos.max()), "align_eig%d %d" % (j, int(cos.argmax()))]
    # the fit measurements: over every (row, component), components by centre
    o = np.argsort(mu, axis=1)
    ms, ss, As = (np.take_along_axis(a, o, 1) for a in (mu, sigma, A))
    cv = lambda x: x.std() / abs(x.mean())
    lines += ["sigma_mean %.12g" % sigma.mean(), "sigma_cv %.12g" % cv(sigma),
              "amp_mean %.12g" % A.mean(), "amp_cv %.12g" % cv(A), "amp_abs_mean %.12g" % np.abs(A).mean()]
    for k in range(K):
        lines += ["mu_k%d %.12g" % (k, ms[:, k].mean()), "sigma_k%d %.12g" % (k, ss[:, k].mean()),
                  "sigma_cv_k%d %.12g" % (k, cv(ss[:, k])), "amp_k%d %.12g" % (k, As[:, k].mean()),
                  "amp_cv_k%d %.12g" % (k, cv(As[:, k])), "amp_abs_k%d %.12g" % (k, np.abs(As[:, k]).mean())]
    slope, intercept = np.polyfit(np.arange(K), ms.mean(0), 1)
    lines += ["centre_slope %.12g" % slope, "centre_intercept %.12g" % intercept]
    spacing = lam[:K] - lam[1:K + 1]
    r, p = stats.pearsonr(ss.mean(0), spacing)
    lines += ["sigma_spacing_r %.12g" % r, "sigma_spacing_p %.12g" % p]
    r, p = stats.pearsonr(np.abs(As).mean(0), np.sqrt(lam[:K]))
    lines += ["amp_sv_r %.12g" % r, "amp_sv_p %.12g" % p]
    lines += ["params %d" % (R * D), "params_l1 %d" % (R * 3 * K)]
    open(os.path.join(OUT, "fit_measures.txt"), "w").write("\n".join(lines) + "\n")
    print("\n".join(lines))


main()
