#!/usr/bin/python3
"""PyTorch (float64) replay of `wscope train --sampling sequential`.

Writes into tests/fixtures/train/:
  seq_model.safetensors  a tiny GPT (2 layers, d 32, 4 heads, vocab 67,
                         block 32, biases, untied) in our users' naming, F32
  seq.bin                2000 uint16 tokens from a fixed Markov chain
  seq_losses.txt         the loss of each of STEPS steps (before its update)
  seq_eval.txt           `wscope eval` of the initial model with T 16: the
                         mean loss over windows k*T, k = 0, 1, ... (k*T + T < N)

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
    P = {k: torch.tensor(p32[k].astype(np.float64), requires_grad=True) for k in names()}
    decay = [P[k] for k in names() if P[k].dim() == 2]
    no_decay = [P[k] for k in names() if P[k].dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": WD},
                             {"params": no_decay, "weight_decay": 0.0}], lr=LR, betas=BETAS, eps=EPS)
    data = torch.tensor(tok.astype(np.int64))
    N = len(tok)
    with torch.no_grad():
        wins = [k * T for k in range((N - 1) // T)]
        ev = np.mean([forward(P, data[i:i + T][None], data[i + 1:i + 1 + T][None]).item() for i in wins])
    with open(os.path.join(OUT, "seq_eval.txt"), "w") as f:
        f.write("%.10f\n" % ev)
    losses = []
    for s in range(STEPS):
        starts = [((s * B + b) * T) % (N - T - 1) for b in range(B)]
        x = torch.stack([data[i:i + T] for i in starts])
        y = torch.stack([data[i + 1:i + 1 + T] for i in starts])
        for g in opt.param_groups:
            g["lr"] = get_lr(s)
        loss = forward(P, x, y)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(list(P.values()), CLIP)
        opt.step()
        losses.append(loss.item())
    with open(os.path.join(OUT, "seq_losses.txt"), "w") as f:
        f.write("".join("%.10f\n" % v for v in losses))
    print("losses", losses)


main()
