#!/usr/bin/python3
"""numpy/scipy reference for wscope's run records (src/run.c, src/ttest.c).

Writes into tests/fixtures/run/:
  log.csv            a fixed training log in wscope's columns (120 steps,
                     validation every 20, one infinite loss at step 50, two
                     freeze events, the final evaluation)
  seed1.csv .. seed3.csv   three short logs of one strategy (40, 40, 35 steps)
  expected.txt       one line per check: NAME N v1 ... vN
    ema_W            TensorBoard's debiased EMA of log.csv's training loss
                     with weight W: m = w*m + (1-w)*x; x_s = m / (1 - w^n),
                     non-finite values passed through
    eta              seconds to step 200 from log.csv: (200 - (s_last+1)) *
                     (el_last - el_first) / (s_last - s_first) over the last
                     100 training records
    band_mean, band_sd   mean and sample std over the three seeds at steps
                     0..39 of their EMA (w = 0.6) training losses
    axes             x0 x1 y0 y1 of log.csv and seed1.csv overlaid over the
                     last 30 steps (raw and validation losses)
    welch            per case: m1 s1 n1 m2 s2 n2 t df p (scipy ttest_ind,
                     equal_var=False, b against a)
    betainc          per case: a b x I_x(a, b) (scipy.special.betainc)
Run: /usr/bin/python3 tests/ref/run_ref.py
"""
import math
import os

import numpy as np
from scipy import special, stats

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "run")
MATS = ["tok_emb.weight", "blocks.0.attn.c_attn.weight"]


def fmt(v):
    return "" if v is None or (isinstance(v, float) and math.isnan(v)) else "%.9g" % v


def make_log(path, steps, seed, final=True, events=None):
    rng = np.random.RandomState(seed)
    el = 0.0
    rows = []
    for s in range(steps):
        val = 4.0 + 3.0 * math.exp(-s / 50.0) + 0.01 * rng.randn() if s % 20 == 0 else None
        el += 0.05 + 0.01 * rng.rand() + (0.3 if val is not None else 0)
        loss = 2.0 + 5.0 * math.exp(-s / 40.0) + 0.3 * rng.randn()
        if seed == 7 and s == 50:
            loss = math.inf
        lr = 6e-4 * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * s / steps)))
        ev = (events or {}).get(s, "")
        rows.append([str(s), fmt(loss), fmt(val), fmt(lr), fmt(1 + rng.rand()),
                     "%.1f" % (4000 + 100 * rng.rand()), str(1 if s >= 30 else 0),
                     fmt(rng.rand()), fmt(rng.rand()), "%.3f" % el, ev])
    if final:
        el += 0.3
        rows.append([str(steps), "", fmt(4.0 + 0.01 * rng.randn()), "", "", "", "1", "", "",
                     "%.3f" % el, ""])
    with open(path, "w") as f:
        f.write("step,loss,val_loss,lr,grad_norm,tokens_per_s,n_frozen,"
                + ",".join("update:" + m for m in MATS) + ",elapsed_s,events\n")
        for r in rows:
            f.write(",".join(r) + "\n")


def read_log(path):
    """(steps, losses, vals, elapsed) as the C reader sees them."""
    recs = []
    with open(path) as f:
        head = f.readline().strip().split(",")
        for line in f:
            cells = line.rstrip("\n").split(",")
            d = dict(zip(head, cells))
            num = lambda k: float(d[k]) if d.get(k, "") != "" else math.nan
            recs.append((int(d["step"]), num("loss"), num("val_loss"), num("elapsed_s")))
    return recs


def ema(x, w):
    out, m, n = [], 0.0, 0
    for v in x:
        if not math.isfinite(v):
            out.append(v)
            continue
        m = w * m + (1 - w) * v
        n += 1
        out.append(m / (1 - w ** n))
    return np.array(out)


def train_points(recs):
    return [(s, l, e) for s, l, v, e in recs if not math.isnan(l)]


def main():
    os.makedirs(OUT, exist_ok=True)
    log = os.path.join(OUT, "log.csv")
    make_log(log, 120, 7, events={30: "blocks.0.attn.c_attn.weight=freeze@30",
                                  80: "head.weight=freeze-pr:20 (PR 17.93);x=y=freeze@80"})
    seeds = []
    for k, n in zip((1, 2, 3), (40, 40, 35)):
        p = os.path.join(OUT, "seed%d.csv" % k)
        make_log(p, n, k, final=n == 40)
        seeds.append(read_log(p))
    recs = read_log(log)
    tp = train_points(recs)
    loss = np.array([l for s, l, e in tp])
    lines = []

    def put(name, vals):
        lines.append("%s %d %s" % (name, len(vals), " ".join("%.17g" % v for v in vals)))

    for w in (0.0, 0.5, 0.9, 0.99):
        put("ema_%g" % w, ema(loss, w))
    last = tp[-1]
    win = tp[-100:]
    first = win[0]
    put("eta", [(200 - (last[0] + 1)) * (last[2] - first[2]) / (last[0] - first[0])])

    sm = [ema(np.array([l for s, l, e in train_points(r)]), 0.6) for r in seeds]
    mean, sd = [], []
    for s in range(40):
        v = [c[s] for c in sm if s < len(c)]
        mean.append(np.mean(v))
        sd.append(np.std(v, ddof=1) if len(v) > 1 else math.nan)
    put("band_mean", mean)
    put("band_sd", sd)

    y = []
    xs = []
    for r in (recs, seeds[0]):
        lo = max(s for s, *_ in r) - 30
        for s, l, v, e in r:
            if s > lo:
                xs.append(s)
                y += [q for q in (l, v) if math.isfinite(q)]
    put("axes", [min(xs), max(xs), min(y), max(y)])

    rng = np.random.RandomState(3)
    welch = []
    for n1, n2, shift in ((3, 3, 0.0), (3, 3, 0.05), (5, 3, 0.02), (4, 6, -0.1), (2, 2, 0.3)):
        a = 5.0 + 0.02 * rng.randn(n1)
        b = 5.0 + shift + 0.03 * rng.randn(n2)
        r = stats.ttest_ind(b, a, equal_var=False)
        v1, v2 = a.var(ddof=1) / n1, b.var(ddof=1) / n2
        df = (v1 + v2) ** 2 / (v1 ** 2 / (n1 - 1) + v2 ** 2 / (n2 - 1))
        welch += [a.mean(), a.std(ddof=1), n1, b.mean(), b.std(ddof=1), n2, r.statistic, df,
                  r.pvalue]
    put("welch", welch)
    bi = []
    for a, b, x in ((0.5, 0.5, 0.3), (2.0, 0.5, 0.9), (1.5, 0.5, 0.999), (10.0, 0.5, 0.5),
                    (0.7, 3.0, 0.01), (50.0, 0.5, 0.97), (2.5, 2.5, 0.5)):
        bi += [a, b, x, special.betainc(a, b, x)]
    put("betainc", bi)
    with open(os.path.join(OUT, "expected.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")


main()
