#!/usr/bin/python3
"""PyTorch (float64) reference for wscope's GPT forward/backward and AdamW.

Builds a tiny GPT (2 layers, d 32, 4 heads, vocab 67, block 24) written in
nanoGPT's semantics, stores it under each naming layout wscope recognises
(ours, nanoGPT, HF GPT-2 with Conv1D weights transposed), tied and untied,
and records for the first batch the logits, the loss and every parameter
gradient, then 5 AdamW steps (warm-up + cosine learning rate, gradient
clipping) and, for some cases, 5 steps with some tensors frozen.

Writes tests/fixtures/gpt/<case>.safetensors (the model) and
<case>_ref.safetensors (inputs, targets, expected values; every matrix in
the canonical out x in orientation). Run: /usr/bin/python3 tests/ref/gpt_ref.py
"""
import math
import os
import sys

import numpy as np
import torch

from st_write import write_safetensors

torch.set_default_dtype(torch.float64)

L, C, H, V, BLOCK = 2, 32, 4, 67, 24
B, T, STEPS = 2, 16, 5
LR, MIN_LR, WARMUP, WD, BETAS, EPS, CLIP = 1e-3, 1e-4, 2, 0.1, (0.9, 0.95), 1e-8, 0.5
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "gpt")


def canonical_params(gen, tied, bias):
    """Random parameters in canonical orientation, keyed by a role path."""
    def rnd(*shape, std=0.15):
        return torch.randn(*shape, generator=gen) * std
    p = {"embed": rnd(V, C, std=0.3), "pos": rnd(BLOCK, C, std=0.3)}
    for l in range(L):
        k = "b%d." % l
        p[k + "ln1.w"] = 1 + rnd(C, std=0.1)
        p[k + "qkv.w"] = rnd(3 * C, C, std=0.25)
        p[k + "ao.w"] = rnd(C, C)
        p[k + "ln2.w"] = 1 + rnd(C, std=0.1)
        p[k + "up.w"] = rnd(4 * C, C)
        p[k + "down.w"] = rnd(C, 4 * C, std=0.08)
        if bias:
            for n in ("ln1", "qkv", "ao", "ln2", "up", "down"):
                rows = p[k + n + ".w"].shape[0]
                p[k + n + ".b"] = rnd(rows, std=0.05)
    p["lnf.w"] = 1 + rnd(C, std=0.1)
    if bias:
        p["lnf.b"] = rnd(C, std=0.05)
    if not tied:
        p["head.w"] = rnd(V, C, std=0.15)
    return {k: v.requires_grad_(True) for k, v in p.items()}


def gelu(x, tanh):
    if tanh:
        return 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))
    return 0.5 * x * (1 + torch.erf(x / math.sqrt(2)))


def forward(p, idx, tied, tanh=False):
    """nanoGPT's forward, written out: returns logits [B, T, V]."""
    Bn, Tn = idx.shape
    ln = lambda x, n: torch.nn.functional.layer_norm(x, (C,), p[n + ".w"], p.get(n + ".b"), 1e-5)
    lin = lambda x, n: torch.nn.functional.linear(x, p[n + ".w"], p.get(n + ".b"))
    x = p["embed"][idx] + p["pos"][:Tn]
    mask = torch.tril(torch.ones(Tn, Tn, dtype=torch.bool))
    for l in range(L):
        k = "b%d." % l
        q, kk, v = lin(ln(x, k + "ln1"), k + "qkv").split(C, dim=2)
        heads = lambda t: t.view(Bn, Tn, H, C // H).transpose(1, 2)
        q, kk, v = heads(q), heads(kk), heads(v)
        att = (q @ kk.transpose(-2, -1)) / math.sqrt(C // H)
        att = att.masked_fill(~mask, float("-inf")).softmax(dim=-1)
        y = (att @ v).transpose(1, 2).contiguous().view(Bn, Tn, C)
        x = x + lin(y, k + "ao")
        x = x + lin(gelu(lin(ln(x, k + "ln2"), k + "up"), tanh), k + "down")
    x = ln(x, "lnf")
    return x @ (p["embed"] if tied else p["head.w"]).t()


def loss_of(p, idx, tgt, tied, tanh=False):
    logits = forward(p, idx, tied, tanh)
    return logits, torch.nn.functional.cross_entropy(logits.view(-1, V), tgt.view(-1))


# role path -> (name in each layout, whether HF stores it transposed)
def names(layout, tied):
    m = {}
    for l in range(L):
        k = "b%d." % l
        for role, ours, nano, hf in (("ln1", "ln1", "ln_1", "ln_1"), ("qkv", "attn.c_attn", "attn.c_attn", "attn.c_attn"),
                                     ("ao", "attn.c_proj", "attn.c_proj", "attn.c_proj"), ("ln2", "ln2", "ln_2", "ln_2"),
                                     ("up", "mlp.0", "mlp.c_fc", "mlp.c_fc"), ("down", "mlp.2", "mlp.c_proj", "mlp.c_proj")):
            for s, suf in (("w", "weight"), ("b", "bias")):
                m[k + role + "." + s] = {"ours": "blocks.%d.%s.%s" % (l, ours, suf),
                                         "nanogpt": "transformer.h.%d.%s.%s" % (l, nano, suf),
                                         "hf": "h.%d.%s.%s" % (l, hf, suf)}[layout]
    top = {"ours": ("tok_emb.weight", "pos_emb.weight", "ln_f", "head.weight"),
           "nanogpt": ("transformer.wte.weight", "transformer.wpe.weight", "transformer.ln_f", "lm_head.weight"),
           "hf": ("wte.weight", "wpe.weight", "ln_f", "lm_head.weight")}[layout]
    m["embed"], m["pos"], m["head.w"] = top[0], top[1], top[3]
    m["lnf.w"], m["lnf.b"] = top[2] + ".weight", top[2] + ".bias"
    return m


def is_conv1d(layout, key):
    parts = key.split(".")
    return layout == "hf" and len(parts) == 3 and parts[1] in ("qkv", "ao", "up", "down") and parts[2] == "w"


def lr_at(step):
    """nanoGPT's get_lr with lr_decay_iters = STEPS."""
    if step < WARMUP:
        return LR * (step + 1) / (WARMUP + 1)
    ratio = (step - WARMUP) / (STEPS - WARMUP)
    return MIN_LR + 0.5 * (1 + math.cos(math.pi * ratio)) * (LR - MIN_LR)


def train(p, frozen, batches, tied, tanh):
    params = {k: v.detach().clone().requires_grad_(k not in frozen) for k, v in p.items()}
    train_keys = [k for k in params if k not in frozen]
    decay = [params[k] for k in train_keys if params[k].dim() >= 2]
    nodecay = [params[k] for k in train_keys if params[k].dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": WD},
                             {"params": nodecay, "weight_decay": 0.0}],
                            lr=LR, betas=BETAS, eps=EPS)
    losses, norms = [], []
    for s, (idx, tgt) in enumerate(batches):
        for g in opt.param_groups:
            g["lr"] = lr_at(s)
        _, loss = loss_of(params, idx, tgt, tied, tanh)
        opt.zero_grad()
        loss.backward()
        norms.append(float(torch.nn.utils.clip_grad_norm_([params[k] for k in train_keys], CLIP)))
        opt.step()
        losses.append(float(loss))
    return params, losses, norms


def make_case(case, layout, tied, bias=True, tanh=False, frozen=None, seed=0):
    gen = torch.Generator().manual_seed(seed)
    p = canonical_params(gen, tied, bias)
    nm = names(layout, tied)
    batches = [(torch.randint(0, V, (B, T), generator=gen), torch.randint(0, V, (B, T), generator=gen))
               for _ in range(STEPS)]

    model = {}
    for k, v in p.items():
        a = v.detach().numpy()
        model[nm[k]] = (a.T if is_conv1d(layout, k) else a).astype(np.float32)
    meta = {"n_layer": str(L), "n_head": str(H), "n_embd": str(C), "vocab_size": str(V),
            "block_size": str(BLOCK), "gelu": "tanh" if tanh else "exact"}
    write_safetensors(os.path.join(OUT, case + ".safetensors"), model, None, meta)

    # The reference starts from exactly the float32 values wscope reads.
    p = {k: torch.tensor(v.detach().numpy().astype(np.float32).astype(np.float64), requires_grad=True)
         for k, v in p.items()}
    idx, tgt = batches[0]
    logits, loss = loss_of(p, idx, tgt, tied, tanh)
    loss.backward()
    ref = {"inputs": np.stack([b[0].numpy() for b in batches]).astype(np.int32),
           "targets": np.stack([b[1].numpy() for b in batches]).astype(np.int32),
           "logits": logits.detach().numpy().reshape(B * T, V).astype(np.float32),
           "loss": np.array([float(loss)])}
    for k, v in p.items():
        ref["grad." + nm[k]] = v.grad.numpy().astype(np.float32)
    final, losses, norms = train(p, set(), batches, tied, tanh)
    ref["losses"], ref["norms"] = np.array(losses), np.array(norms)
    ref["lrs"] = np.array([lr_at(s) for s in range(STEPS)])
    for k, v in final.items():
        ref["final." + nm[k]] = v.detach().numpy().astype(np.float32)
    if frozen is not None:
        keys = {k for k in p if any(k.startswith(f) for f in frozen)}
        final, losses, norms = train(p, keys, batches, tied, tanh)
        ref["frozen_losses"], ref["frozen_norms"] = np.array(losses), np.array(norms)
        for k, v in final.items():
            if k not in keys:
                ref["frozen_final." + nm[k]] = v.detach().numpy().astype(np.float32)
    fmeta = {"frozen": ",".join(sorted(nm[k] for k in p if frozen and any(k.startswith(f) for f in frozen)))}
    write_safetensors(os.path.join(OUT, case + "_ref.safetensors"), ref, None, fmeta)
    print("%-16s loss %.6f  norms %s" % (case, float(loss), " ".join("%.3f" % n for n in norms)))


def main():
    os.makedirs(OUT, exist_ok=True)
    make_case("ours_untied", "ours", False, frozen=["embed", "pos", "b0.", "b1.qkv.w"], seed=1)
    make_case("ours_tied", "ours", True, seed=2)
    make_case("nanogpt_untied", "nanogpt", False, seed=3)
    make_case("nanogpt_tied", "nanogpt", True, frozen=["pos", "b0.up.w", "lnf.b"], seed=4)
    make_case("hf_untied", "hf", False, seed=5)
    make_case("hf_tied", "hf", True, seed=6)
    make_case("nanogpt_nobias", "nanogpt", True, bias=False, seed=7)
    make_case("ours_tanh", "ours", False, tanh=True, seed=8)


if __name__ == "__main__":
    sys.exit(main())
