#!/usr/bin/python3
"""PyTorch (float64) replay of `wscope train --sampling sequential`.

Writes into tests/fixtures/train/:
  seq_model.safetensors  a tiny GPT (2 layers, d 32, 4 heads, vocab 67,
                         block 32, biases, untied) in our users' naming, F32
  seq.bin                2000 uint16 tokens from a fixed Markov chain
  seq_losses.txt         the loss of each of STEPS steps (before its update)
  seq_eval.txt           `wscope eval` of the initial model with T 16: the
                         mean loss over windows k*T, k = 0, 1, ... (k*T + T < N)
  seq_policy_losses.txt  the same run with --policy qkv@0=freeze
                         --policy attn_out@1=crystal:2 --policy mlp_up@0=grid:4:
                         qkv of layer 0 (weight, bias) frozen; attn_out weight of
                         layer 1 its rank-2 SVD truncation, frozen, and its bias
                         frozen at its values (the bias rule: the bias of a
                         replaced matrix follows it); mlp_up weight of layer 0
                         = A G with only A trained (A by least squares, decayed
                         as a 2-D tensor), its bias trained

The run: window b of step s starts at ((s*B + b)*T) mod (N - T - 1), N the
token count (no validation split); nanoGPT's get_lr (linear warm-up, cosine
to MIN_LR at STEPS), AdamW (decay on 2-D tensors only), clip_grad_norm_.
Run: /usr/bin/python3 tests/ref/train_seq_ref.py
"""
import math
import os

import numpy as np
import torch

from st_write import write_safetensors

torch.set_default_dtype(torch.float64)
L, C, H, V, BLOCK = 2, 32, 4, 67, 32
B, T, STEPS = 4, 16, 8
LR, MIN_LR, WARMUP, WD, BETAS, EPS, CLIP = 1e-3, 1e-4, 2, 0.1, (0.9, 0.95), 1e-8, 1.0
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "train")


def names():
    n = ["tok_emb.weight", "pos_emb.weight"]
    for l in range(L):
        for s in ("ln1", "attn.c_attn", "attn.c_proj", "ln2", "mlp.0", "mlp.2"):
            n += ["blocks.%d.%s.weight" % (l, s), "blocks.%d.%s.bias" % (l, s)]
    return n + ["ln_f.weight", "ln_f.bias", "head.weight"]


def init(rng):
    p = {"tok_emb.weight": rng.normal(0, 0.02, (V, C)), "pos_emb.weight": rng.normal(0, 0.02, (BLOCK, C)),
         "ln_f.weight": np.ones(C), "ln_f.bias": np.zeros(C), "head.weight": rng.normal(0, 0.02, (V, C))}
    shapes = {"attn.c_attn": (3 * C, C), "attn.c_proj": (C, C), "mlp.0": (4 * C, C), "mlp.2": (C, 4 * C)}
    for l in range(L):
        k = "blocks.%d." % l
        for s in ("ln1", "ln2"):
            p[k + s + ".weight"] = 1 + rng.normal(0, 0.05, C)
            p[k + s + ".bias"] = rng.normal(0, 0.02, C)
        for s, sh in shapes.items():
            p[k + s + ".weight"] = rng.normal(0, 0.05, sh)
            p[k + s + ".bias"] = rng.normal(0, 0.02, sh[0])
    return {k: v.astype(np.float32) for k, v in p.items()}


def forward(P, x, y):
    Bx, Tx = x.shape
    h = P["tok_emb.weight"][x] + P["pos_emb.weight"][:Tx]
    mask = torch.tril(torch.ones(Tx, Tx, dtype=torch.bool))
    ln = lambda z, k: torch.nn.functional.layer_norm(z, (C,), P[k + ".weight"], P[k + ".bias"], 1e-5)
    lin = lambda z, k: z @ P[k + ".weight"].T + P[k + ".bias"]
    for l in range(L):
        k = "blocks.%d." % l
        q, kk, v = lin(ln(h, k + "ln1"), k + "attn.c_attn").split(C, dim=2)
        sh = lambda z: z.view(Bx, Tx, H, C // H).transpose(1, 2)
        q, kk, v = sh(q), sh(kk), sh(v)
        att = (q @ kk.transpose(-2, -1)) / math.sqrt(C // H)
        att = att.masked_fill(~mask, float("-inf")).softmax(-1)
        a = (att @ v).transpose(1, 2).contiguous().view(Bx, Tx, C)
        h = h + lin(a, k + "attn.c_proj")
        m = torch.nn.functional.gelu(lin(ln(h, k + "ln2"), k + "mlp.0"))
        h = h + lin(m, k + "mlp.2")
    logits = ln(h, "ln_f") @ P["head.weight"].T
    return torch.nn.functional.cross_entropy(logits.view(-1, V), y.view(-1))


def get_lr(it):
    if it < WARMUP:
        return LR * (it + 1) / (WARMUP + 1)
    if it > STEPS:
        return MIN_LR
    ratio = (it - WARMUP) / (STEPS - WARMUP)
    return MIN_LR + 0.5 * (1.0 + math.cos(math.pi * ratio)) * (LR - MIN_LR)


def grid_basis(k, n):
    j = np.arange(n)
    mu = n * (np.arange(k) + 1) / (k + 1)
    return np.exp(-(j[None, :] - mu[:, None]) ** 2 / (2 * (n / k) ** 2))


def train(p32, data, policy):
    """STEPS steps of sequential windows; policy: name -> freeze|crystal:R|grid:K."""
    leaves, grids = {}, {}
    for k in names():
        w = p32[k].astype(np.float64)
        pol = policy.get(k, "train")
        if pol.startswith("crystal:"):
            r = int(pol[8:])
            u, sv, vt = np.linalg.svd(w, full_matrices=False)
            w = ((u[:, :r] * sv[:r]) @ vt[:r]).astype(np.float32).astype(np.float64)
        if pol.startswith("grid:"):
            g = grid_basis(int(pol[5:]), w.shape[1])
            a = np.linalg.lstsq(g.T, w.T, rcond=None)[0].T
            grids[k] = torch.tensor(g)
            leaves["A:" + k] = torch.tensor(a, requires_grad=True)
        else:
            leaves[k] = torch.tensor(w, requires_grad=pol == "train")
    train_leaves = [v for v in leaves.values() if v.requires_grad]
    decay = [v for v in train_leaves if v.dim() == 2]
    no_decay = [v for v in train_leaves if v.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": WD},
                             {"params": no_decay, "weight_decay": 0.0}], lr=LR, betas=BETAS, eps=EPS)
    N = len(data)
    losses = []
    for s in range(STEPS):
        starts = [((s * B + b) * T) % (N - T - 1) for b in range(B)]
        x = torch.stack([data[i:i + T] for i in starts])
        y = torch.stack([data[i + 1:i + 1 + T] for i in starts])
        for g in opt.param_groups:
            g["lr"] = get_lr(s)
        P = {k: leaves["A:" + k] @ grids[k] if k in grids else leaves[k] for k in names()}
        loss = forward(P, x, y)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(train_leaves, CLIP)
        opt.step()
        losses.append(loss.item())
    return losses


def main():
    rng = np.random.default_rng(6)
    p32 = init(rng)
    meta = {"n_layer": str(L), "n_head": str(H), "n_embd": str(C), "vocab_size": str(V),
            "block_size": str(BLOCK), "gelu": "exact"}
    write_safetensors(os.path.join(OUT, "seq_model.safetensors"), p32, "<f4", meta)
    trans = rng.dirichlet(np.full(V, 0.1), size=V)   # a peaked Markov chain
    tok = [0]
    for _ in range(1999):
        tok.append(int(rng.choice(V, p=trans[tok[-1]])))
    tok = np.array(tok, dtype="<u2")
    tok.tofile(os.path.join(OUT, "seq.bin"))
    data = torch.tensor(tok.astype(np.int64))
    N = len(tok)
    P = {k: torch.tensor(p32[k].astype(np.float64)) for k in names()}
    with torch.no_grad():
        wins = [k * T for k in range((N - 1) // T)]
        ev = np.mean([forward(P, data[i:i + T][None], data[i + 1:i + 1 + T][None]).item() for i in wins])
    with open(os.path.join(OUT, "seq_eval.txt"), "w") as f:
        f.write("%.10f\n" % ev)
    losses = train(p32, data, {})
    policy = {"blocks.0.attn.c_attn.weight": "freeze", "blocks.0.attn.c_attn.bias": "freeze",
              "blocks.1.attn.c_proj.weight": "crystal:2", "blocks.1.attn.c_proj.bias": "freeze",
              "blocks.0.mlp.0.weight": "grid:4"}
    plosses = train(p32, data, policy)
    with open(os.path.join(OUT, "seq_policy_losses.txt"), "w") as f:
        f.write("".join("%.10f\n" % v for v in plosses))
    print("policy losses", plosses)
    with open(os.path.join(OUT, "seq_losses.txt"), "w") as f:
        f.write("".join("%.10f\n" % v for v in losses))
    print("losses", losses)


main()
