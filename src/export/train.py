#!/usr/bin/env python3
"""A wscope training run, exported to PyTorch (`wscope export-run`).

This file reproduces `wscope train` with the options and policies recorded in
plan.json beside it: the same network (nanoGPT's GPT: pre-LN blocks,
LayerNorm eps from the plan, causal attention, GELU exact or tanh, tied or untied
head, biases or not), the same batches (sequential windows, or wscope's
seeded random windows: its generator is ported below), AdamW with decay on
2-D tensors only, gradient clipping, warm-up then cosine or constant, and
each tensor's policy (freeze, crystal:R, random, grid:K[:linspace], freeze@S,
freeze-pr:X). It needs only torch and numpy.

    python3 train.py                        one process (CPU, or --device cuda)
    torchrun --nproc_per_node N train.py    N processes with DDP (gloo on CPU,
                                            nccl on CUDA); N must divide the
                                            batch B: each takes B/N windows

It writes, next to plan.json: log.csv (wscope's training log columns, one
row per step, flushed as it goes), final.safetensors (the weights under the
model's own names and orientation, with its metadata: wscope opens it) and
ckpt.pt (nanoGPT's checkpoint dict, loadable with weights_only=True).
Read back with `wscope MODEL --runs DIR/log.csv` and
`wscope drift MODEL DIR/final.safetensors`.
"""
import argparse
import csv
import json
import math
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

# ---------------------------------------------------------------- files


ST_DTYPES = {"F32": np.float32, "F16": np.float16, "F64": np.float64, "BF16": np.uint16}


def read_safetensors(path):
    """(tensors as float32 numpy arrays, metadata) of a safetensors file."""
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        body = np.fromfile(f, dtype=np.uint8)
    meta = header.pop("__metadata__", {}) or {}
    out = {}
    for name, h in header.items():
        if h["dtype"] not in ST_DTYPES:
            raise SystemExit("%s: %s has dtype %s" % (path, name, h["dtype"]))
        a, b = h["data_offsets"]
        x = body[a:b].view(ST_DTYPES[h["dtype"]])
        if h["dtype"] == "BF16":   # the top half of a float32
            x = (x.astype(np.uint32) << 16).view(np.float32)
        out[name] = x.astype(np.float32).reshape(h["shape"])
    return out, meta


def atomic_write(path, write):
    """Write through a temporary file beside `path`, then rename over it."""
    tmp = path + ".tmp%d" % os.getpid()
    with open(tmp, "wb") as f:
        write(f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def write_safetensors(path, tensors, meta):
    """float32 tensors (name -> numpy array) and string metadata."""
    header, off = {"__metadata__": meta}, 0
    for name, a in tensors.items():
        header[name] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": [off, off + a.nbytes]}
        off += a.nbytes
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)

    def write(f):
        f.write(struct.pack("<Q", len(h)) + h)
        for a in tensors.values():
            f.write(np.ascontiguousarray(a, dtype="<f4").tobytes())
    atomic_write(path, write)


# ---------------------------------------------------------------- wscope's batches

M64 = (1 << 64) - 1


class Rng:
    """wscope's generator (src/rng.c): xoshiro256** seeded by splitmix64."""

    def __init__(self, seed):
        self.s = []
        for _ in range(4):
            seed = (seed + 0x9E3779B97F4A7C15) & M64
            z = seed
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
            self.s.append(z ^ (z >> 31))

    def u64(self):
        s = self.s
        rotl = lambda x, k: ((x << k) | (x >> (64 - k))) & M64
        out = (rotl((s[1] * 5) & M64, 7) * 9) & M64
        t = (s[1] << 17) & M64
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return out

    def below(self, n):
        """Uniform in [0, n), by rejection (no modulo bias)."""
        limit = M64 - M64 % n
        while True:
            x = self.u64()
            if x < limit:
                return x % n


def window_starts(plan, step, n):
    """Starts of the B windows of `step` over n training tokens (src/data.c)."""
    B, T = plan["batch"], plan["seq"]
    if plan["sampling"] == "sequential":
        return [((step * B + b) * T) % (n - T - 1) for b in range(B)]
    r = Rng(((plan["seed"] * 0x9E3779B97F4A7C15) ^ (step * 0xD1B54A32D192ED03)) & M64)
    return [r.below(n - T) for _ in range(B)]


def windows(tok, starts, T, device):
    x = np.stack([tok[i:i + T] for i in starts]).astype(np.int64)
    y = np.stack([tok[i + 1:i + 1 + T] for i in starts]).astype(np.int64)
    return torch.from_numpy(x).to(device), torch.from_numpy(y).to(device)


def lr_at(o, step):
    """nanoGPT's get_lr, in float32 as wscope computes it (src/adamw.c)."""
    f = np.float32
    lr, min_lr = f(o["lr"]), f(o["min_lr"])
    if step < o["warmup"]:
        return float(lr * f(step + 1) / f(o["warmup"] + 1))
    if o["schedule"] != "cosine":
        return float(lr)
    if step > o["steps"] or o["steps"] <= o["warmup"]:
        return float(min_lr)
    ratio = (step - o["warmup"]) / (o["steps"] - o["warmup"])
    return float(f(float(min_lr) + 0.5 * (1.0 + math.cos(math.pi * ratio)) * (float(lr) - float(min_lr))))


# ---------------------------------------------------------------- the network

# nanoGPT's name of each role; per-layer roles take the layer number.
NANOGPT = {"embed": "transformer.wte", "pos_embed": "transformer.wpe",
           "ln1": "transformer.h.%d.ln_1", "qkv": "transformer.h.%d.attn.c_attn",
           "attn_out": "transformer.h.%d.attn.c_proj", "ln2": "transformer.h.%d.ln_2",
           "mlp_up": "transformer.h.%d.mlp.c_fc", "mlp_down": "transformer.h.%d.mlp.c_proj",
           "ln_f": "transformer.ln_f", "head": "lm_head"}


def nanogpt_key(t):
    stem = NANOGPT[t["role"]]
    return (stem % t["layer"] if "%d" in stem else stem) + (".bias" if t["bias"] else ".weight")


def torch_shape(t):
    return [t["rows"], t["cols"]] if t["ndim"] == 2 else [t["rows"] * t["cols"]]


def frozen_at_start(t):
    p = t["policy"]
    return p in ("freeze", "random") or p.startswith("crystal:")


def grid_basis(K, n, centres="inner"):
    """G (K x n): G[k][j] = exp(-(j - mu_k)^2 / (2 sigma^2)), mu_k = n(k+1)/(K+1), sigma = n/K
    (grid:K:linspace: mu_k = linspace(0, n-1, K))."""
    j = torch.arange(n, dtype=torch.float64)
    if centres == "linspace":
        mu = torch.linspace(0, n - 1, K, dtype=torch.float64)
    else:
        mu = n * (torch.arange(K, dtype=torch.float64) + 1) / (K + 1)
    return torch.exp(-(j[None, :] - mu[:, None]) ** 2 / (2 * (n / K) ** 2))


def weight_pr(w):
    """Participation ratio (sum l)^2 / sum l^2 of the centred row covariance (src/pr.c)."""
    w = w.detach().double()
    if w.shape[0] < 2 or not torch.isfinite(w).all():
        return float("nan")
    lam = torch.linalg.svdvals(w - w.mean(0)) ** 2
    s = lam.sum()
    return 0.0 if s <= 0 else float(s * s / (lam * lam).sum())


def f32(x):
    """A number of the plan as the float32 wscope holds it."""
    return float(np.float32(x))


class GPT(torch.nn.Module):
    """nanoGPT's GPT with its parameter names; each tensor as its policy makes it.

    A grid:K tensor W is not a parameter: W = A G with A (rows x K) trained
    and G fixed; a frozen tensor is a parameter without gradient."""

    def __init__(self, plan, values, random_values):
        super().__init__()
        self.cfg = plan["model"]
        self.entries, self.grid = {}, {}
        for t in plan["tensors"]:
            key = nanogpt_key(t)
            self.entries[key] = t
            w = torch.from_numpy(values[t["name"]])
            # canonical orientation: out x in (HF's Conv1D stores in x out)
            w = w.reshape(t["cols"], t["rows"]).t() if t["transposed"] else w.reshape(t["rows"], t["cols"])
            pol = t["policy"]
            if pol.startswith("crystal:"):   # rank-R truncated SVD, in double
                r = int(pol[8:])
                u, s, vh = torch.linalg.svd(w.double(), full_matrices=False)
                w = ((u[:, :r] * s[:r]) @ vh[:r]).float()
            elif pol == "random":            # wscope's draw, carried in the values file
                w = torch.from_numpy(random_values[t["name"]]).reshape(w.shape)
            w = w.reshape(torch_shape(t)).contiguous()
            if pol.startswith("grid:"):      # A = least squares of A G = W, in double
                K, _, centres = pol[5:].partition(":")
                G = grid_basis(int(K), w.shape[1], centres or "inner")
                A = torch.linalg.lstsq(G.t(), w.double().t()).solution.t()
                self._put(key + "_grid_A", torch.nn.Parameter(A.float().contiguous()))
                self._put(key + "_grid_G", G.float(), buffer=True)
                self.grid[key] = True
            else:
                self._put(key, torch.nn.Parameter(w, requires_grad=not frozen_at_start(t)))

    def _put(self, key, value, buffer=False):
        """Register `value` at a dotted path, making the modules on the way."""
        *path, leaf = key.split(".")
        m = self
        for p in path:
            if p not in m._modules:
                m.add_module(p, torch.nn.Module())
            m = m._modules[p]
        if buffer:
            m.register_buffer(leaf, value)
        else:
            m.register_parameter(leaf, value)

    def get(self, key):
        """The tensor under nanoGPT's name (W = A G for a grid tensor); None if absent."""
        if key not in self.entries:
            return None
        if key in self.grid:
            return self.get_submodule_attr(key + "_grid_A") @ self.get_submodule_attr(key + "_grid_G")
        return self.get_submodule_attr(key)

    def get_submodule_attr(self, key):
        *path, leaf = key.split(".")
        m = self
        for p in path:
            m = m._modules[p]
        return getattr(m, leaf)

    def leaf_of(self, key):
        """The trained leaf of a tensor: A for a grid tensor, else itself."""
        return self.get_submodule_attr(key + "_grid_A" if key in self.grid else key)

    def forward(self, idx, targets):
        c, g = self.cfg, self.get
        B, T = idx.shape
        C, H = c["n_embd"], c["n_head"]
        ln = lambda x, k: F.layer_norm(x, (C,), g(k + ".weight"), g(k + ".bias"), c["ln_eps"])
        lin = lambda x, k: F.linear(x, g(k + ".weight"), g(k + ".bias"))
        x = F.embedding(idx, g("transformer.wte.weight")) + g("transformer.wpe.weight")[:T]
        mask = torch.ones(T, T, dtype=torch.bool, device=idx.device).tril()
        for layer in range(c["n_layer"]):
            k = "transformer.h.%d." % layer
            q, kk, v = lin(ln(x, k + "ln_1"), k + "attn.c_attn").split(C, dim=2)
            heads = lambda z: z.view(B, T, H, C // H).transpose(1, 2)
            q, kk, v = heads(q), heads(kk), heads(v)
            if idx.is_cuda and hasattr(F, "scaled_dot_product_attention"):
                # the same function through a fused kernel (torch >= 2.0):
                # on GPUs the products add in another order anyway
                y = F.scaled_dot_product_attention(q, kk, v, is_causal=True)
            else:   # written out, as wscope computes it
                att = (q @ kk.transpose(-2, -1)) * (1.0 / math.sqrt(C // H))
                y = att.masked_fill(~mask, float("-inf")).softmax(dim=-1) @ v
            y = y.transpose(1, 2).contiguous().view(B, T, C)
            x = x + lin(y, k + "attn.c_proj")
            h = lin(ln(x, k + "ln_2"), k + "mlp.c_fc")
            h = F.gelu(h, approximate="tanh" if c["gelu"] == "tanh" else "none")
            x = x + lin(h, k + "mlp.c_proj")
        x = ln(x, "transformer.ln_f")
        head = g("lm_head.weight")
        logits = F.linear(x, g("transformer.wte.weight") if head is None else head, g("lm_head.bias"))
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


# ---------------------------------------------------------------- the run


class Run:
    def __init__(self, plan, here, device, rank, world):
        self.plan, self.here, self.device, self.rank, self.world = plan, here, device, rank, world
        values, self.meta = read_safetensors(self.path(plan["model"]["weights"]))
        rnd = plan.get("random_values")
        random_values = read_safetensors(self.path(rnd))[0] if rnd else {}
        self.model = GPT(plan, values, random_values).to(device)
        d = plan["data"]
        dt = np.dtype(d["dtype"]).newbyteorder("<")
        self.train_tok = np.memmap(self.path(d["train"]), dtype=dt, mode="r")
        self.val_tok = np.memmap(self.path(d["val"]), dtype=dt, mode="r") if d.get("n_val") else None
        self.frozen = {k for k, t in self.model.entries.items() if frozen_at_start(t)}
        o = plan["optimizer"]
        decay = [leaf for _, leaf in self.trainable() if leaf.dim() == 2]
        nodecay = [leaf for _, leaf in self.trainable() if leaf.dim() < 2]
        self.opt = torch.optim.AdamW([{"params": decay, "weight_decay": f32(o["weight_decay"])},
                                      {"params": nodecay, "weight_decay": 0.0}],
                                     lr=f32(o["lr"]), betas=(f32(o["beta1"]), f32(o["beta2"])),
                                     eps=f32(o["eps"]))
        self.step, self.best_val, self.ddp, self.log, self.snapshot = 0, float("inf"), None, None, {}
        self.events, self.t_start = {}, time.time()
        self.wrap()

    def path(self, rel):
        return os.path.join(self.here, rel)

    def trainable(self):
        """(name, leaf) of what trains now, in the plan's order."""
        return [(k, self.model.leaf_of(k)) for k in self.model.entries if k not in self.frozen]

    def wrap(self):
        """DDP over what trains now: made again whenever a tensor freezes."""
        if self.world > 1:
            from torch.nn.parallel import DistributedDataParallel as DDP
            ids = [self.device.index] if self.device.type == "cuda" else None
            self.ddp = DDP(self.model, device_ids=ids)

    def freeze(self, key, step, why):
        """Freeze a tensor from `step` on; the log's events column says why."""
        leaf = self.model.leaf_of(key)
        leaf.requires_grad_(False)
        leaf.grad = None
        self.frozen.add(key)
        self.events.setdefault(step, []).append("%s=%s" % (self.model.entries[key]["name"], why))

    # ---- the steps ----

    def evaluate(self):
        """Mean loss over sequential windows k*T of the validation tokens (src/train.c)."""
        p = self.plan
        B, T = p["batch"], p["seq"]
        if self.val_tok is None or len(self.val_tok) < T + 1:
            return float("nan")
        nwin = (len(self.val_tok) - 1) // T
        if p["eval_batches"] and nwin > p["eval_batches"] * B:
            nwin = p["eval_batches"] * B
        total, done = 0.0, 0
        with torch.no_grad():
            while done < nwin:
                b = min(B, nwin - done)
                x, y = windows(self.val_tok, [(done + k) * T for k in range(b)], T, self.device)
                total += self.model(x, y).item() * b
                done += b
        return total / nwin

    def matrices(self):
        return [(k, t) for k, t in self.model.entries.items() if t["ndim"] == 2]

    def one_step(self):
        p, s = self.plan, self.step
        B, T = p["batch"], p["seq"]
        rec = {"step": s, "val_loss": float("nan")}
        changed = False
        for k, t in self.model.entries.items():   # freeze@S
            if t["policy"].startswith("freeze@") and k not in self.frozen and s >= int(t["policy"][7:]):
                self.freeze(k, s, t["policy"])
                changed = True
        if changed:
            self.wrap()
        if p["eval_every"] and s % p["eval_every"] == 0 and self.rank == 0:
            rec["val_loss"] = self.evaluate()
        t0 = time.time()
        per = B // self.world
        starts = window_starts(p, s, len(self.train_tok))[self.rank * per:(self.rank + 1) * per]
        x, y = windows(self.train_tok, starts, T, self.device)
        loss = (self.ddp or self.model)(x, y)
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        leaves = [leaf for _, leaf in self.trainable()]
        clip = p["optimizer"]["clip"]
        norm = torch.nn.utils.clip_grad_norm_(leaves, clip if clip > 0 else float("inf"))
        loss = loss.detach()
        if self.world > 1:   # the global batch's mean loss
            torch.distributed.all_reduce(loss)
            loss /= self.world
        rec["loss"], rec["grad_norm"] = loss.item(), norm.item()
        if not (math.isfinite(rec["loss"]) and math.isfinite(rec["grad_norm"])):
            return rec, "the %s is not finite at step %d" % ("loss" if not math.isfinite(rec["loss"]) else "gradient norm", s)
        rec["lr"] = lr_at(dict(p["optimizer"], steps=p["steps"]), s)
        for g in self.opt.param_groups:
            g["lr"] = rec["lr"]
        with torch.no_grad():
            self.snapshot = {k: leaf.detach().clone() for k, leaf in self.trainable()}
            self.opt.step()
            rec["updates"] = [self.update_norm(k) for k, _ in self.matrices()]
        if self.device.type == "cuda":
            torch.cuda.synchronize()
        rec["tokens_per_s"] = B * T / (time.time() - t0)
        self.step = s + 1
        if self.step % p["pr_every"] == 0 and self.check_pr():
            self.wrap()
        rec["n_frozen"] = len(self.frozen)
        return rec, None

    def update_norm(self, k):
        """Frobenius norm of W_after - W_before (0 when W did not train)."""
        if k not in self.snapshot:
            return 0.0
        d = self.model.leaf_of(k) - self.snapshot[k]
        if k in self.model.grid:
            d = d @ self.model.get_submodule_attr(k + "_grid_G")
        return float(d.double().norm())

    def check_pr(self):
        """Freeze the freeze-pr:X matrices whose weight PR fell below X."""
        hit = False
        for k, t in self.model.entries.items():
            if t["policy"].startswith("freeze-pr:") and k not in self.frozen and t["ndim"] == 2:
                pr = weight_pr(self.model.get(k))
                if pr < float(t["policy"][10:]):
                    self.freeze(k, self.step, "%s (PR %.4g)" % (t["policy"], pr))
                    hit = True
        return hit

    def roll_back(self):
        """Back to the weights before the last update (src/train.c's rule)."""
        with torch.no_grad():
            for k, w in self.snapshot.items():
                self.model.leaf_of(k).copy_(w)
        if self.snapshot:
            self.step -= 1

    # ---- output ----

    def open_log(self):
        """wscope's training log (src/runlog.h): one row per step, flushed as it goes."""
        cols = ["step", "loss", "val_loss", "lr", "grad_norm", "tokens_per_s", "n_frozen"]
        cols += ["update:" + t["name"] for _, t in self.matrices()] + ["elapsed_s", "events"]
        self.log = open(self.path(self.plan["outputs"]["log"]), "w", newline="")
        self.csv = csv.writer(self.log, lineterminator="\n")
        self.csv.writerow(cols)
        self.log.flush()

    def write_row(self, rec):
        num = lambda v, fmt="%.9g": "" if v is None or math.isnan(v) else fmt % v
        row = [str(rec["step"]), num(rec.get("loss")), num(rec.get("val_loss")), num(rec.get("lr")),
               num(rec.get("grad_norm")), num(rec.get("tokens_per_s"), "%.1f"), str(rec["n_frozen"])]
        row += [num(u) for u in rec.get("updates") or [None] * len(self.matrices())]
        row += ["%.3f" % (time.time() - self.t_start), ";".join(self.events.get(rec["step"], []))]
        self.csv.writerow(row)
        self.log.flush()
        if not math.isnan(rec.get("val_loss", float("nan"))):
            self.best_val = min(self.best_val, rec["val_loss"])

    def canonical(self):
        """name -> float32 numpy array, canonical orientation (rows x cols as the plan says)."""
        with torch.no_grad():
            return {k: self.model.get(k).detach().float().cpu().numpy() for k in self.model.entries}

    def save(self):
        out = self.plan["outputs"]
        w = self.canonical()
        files = {}
        for k, t in self.model.entries.items():
            a = w[k].reshape(t["rows"], t["cols"])
            files[t["name"]] = (a.T if t["transposed"] else a).reshape(t["file_shape"])
        meta = {k: v for k, v in self.meta.items() if not k.startswith("train.")}
        meta["train.step"] = str(self.step)
        write_safetensors(self.path(out["final"]), files, meta)
        self.save_nanogpt(w)

    def save_nanogpt(self, w):
        """nanoGPT's ckpt.pt as wscope writes .pt files (wscope(1), FILE FORMATS):
        model, model_args, iter_num, best_val_loss, config. No Python floats,
        so that torch.load(weights_only=True) reads it from torch 1.13 on:
        best_val_loss and the float settings of config are 0-d tensors, and
        model_args leaves out dropout (0 here; nanoGPT's default)."""
        c, o, p = self.plan["model"], self.plan["optimizer"], self.plan
        sd = {k: torch.from_numpy(v) for k, v in w.items()}
        if "lm_head.weight" not in sd:          # tied: nanoGPT stores the same tensor twice
            sd["lm_head.weight"] = sd["transformer.wte.weight"]
        args = {k: c[k] for k in ("n_layer", "n_head", "n_embd", "block_size", "bias", "vocab_size")}
        real = lambda x: torch.tensor(f32(x), dtype=torch.float64)
        config = dict(args, batch_size=p["batch"], max_iters=p["steps"], lr_decay_iters=p["steps"],
                      warmup_iters=o["warmup"], decay_lr=o["schedule"] == "cosine",
                      eval_interval=p["eval_every"], eval_iters=p["eval_batches"],
                      gradient_accumulation_steps=1, seed=p["seed"], learning_rate=real(o["lr"]),
                      min_lr=real(o["min_lr"]), weight_decay=real(o["weight_decay"]),
                      beta1=real(o["beta1"]), beta2=real(o["beta2"]), grad_clip=real(o["clip"]),
                      dropout=real(0), gelu=c["gelu"], layer_norm_epsilon=real(c["ln_eps"]))
        best = self.best_val if math.isfinite(self.best_val) else 1e9
        ck = {"model": sd, "model_args": args, "iter_num": self.step,
              "best_val_loss": torch.tensor(best, dtype=torch.float32), "config": config}
        atomic_write(self.path(self.plan["outputs"]["ckpt"]), lambda f: torch.save(ck, f))

    def run(self):
        p = self.plan
        if self.rank == 0:
            self.open_log()
        self.t_start = time.time()
        why = None
        while self.step < p["steps"] and not why:
            rec, why = self.one_step()
            if why:
                self.roll_back()
            elif self.rank == 0:
                self.write_row(rec)
        if self.rank == 0:
            if not why:
                self.write_row({"step": self.step, "val_loss": self.evaluate(), "n_frozen": len(self.frozen)})
            self.log.close()
            self.save()
        return why


def main():
    ap = argparse.ArgumentParser(description="Run a wscope training plan on PyTorch.")
    ap.add_argument("--plan", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "plan.json"),
                    help="the plan (default: plan.json beside this script)")
    ap.add_argument("--device", default=None, help="cpu, cuda or cuda:N (default: cuda when available)")
    ap.add_argument("--threads", type=int, default=0, help="CPU threads (default: torch's choice)")
    a = ap.parse_args()
    with open(a.plan) as f:
        plan = json.load(f)
    if plan.get("format") != "wscope-run-plan" or plan.get("version") != 1:
        raise SystemExit("%s: not a wscope run plan (version 1)" % a.plan)
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local = int(os.environ.get("LOCAL_RANK", "0"))
    if plan["batch"] % world:
        print("train.py: %d processes do not divide the batch B = %d (each takes B/N windows)"
              % (world, plan["batch"]), file=sys.stderr)
        return 2
    want = a.device or ("cuda" if torch.cuda.is_available() else "cpu")
    device = torch.device(want)
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = False   # float32 as wscope computes
        torch.backends.cudnn.allow_tf32 = False
        if world > 1 or device.index is None:
            device = torch.device("cuda", local)
        torch.cuda.set_device(device)
    if a.threads:
        torch.set_num_threads(a.threads)
    if world > 1:
        torch.distributed.init_process_group("nccl" if device.type == "cuda" else "gloo")
    run = Run(plan, os.path.dirname(os.path.abspath(a.plan)), device, rank, world)
    why = run.run()
    if world > 1:
        # Rank 0 evaluates and saves alone at the end: wait for it before the
        # teardown, or a rank that tears down early can hang in gloo's store
        # once rank 0 (which hosts it) has exited.
        torch.distributed.barrier()
        torch.distributed.destroy_process_group()
    if why:
        if rank == 0:
            print("train.py: %s: stopped, keeping the weights before the last update" % why, file=sys.stderr)
        return 1
    if rank == 0:
        print("done: %d steps, wrote %s" % (run.step, ", ".join(plan["outputs"].values())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
