#!/usr/bin/python3
"""PyTorch side of bench/train: the same GPT (nanoGPT semantics: pre-LN, biases,
exact GELU, untied head, manual causal attention as nanoGPT without flash),
float32, forward + backward + clip_grad_norm_(1.0) + AdamW with nanoGPT's decay
groups, on random tokens.

usage: train_torch.py LAYERS D HEADS VOCAB B T STEPS THREADS [FROZEN_LAYERS]
(FROZEN_LAYERS: the embeddings and the first N blocks get requires_grad False)
prints: tokens/s X  ms/step Y  loss Z
"""
import math
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.h = h
        self.ln_1, self.ln_2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.c_attn, self.c_proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
        self.c_fc, self.mlp_proj = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)

    def forward(self, x, mask):
        B, T, C = x.shape
        q, k, v = self.c_attn(self.ln_1(x)).split(C, dim=2)
        q, k, v = (t.view(B, T, self.h, C // self.h).transpose(1, 2) for t in (q, k, v))
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        att = F.softmax(att.masked_fill(mask[:, :, :T, :T] == 0, float("-inf")), dim=-1)
        y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
        x = x + self.c_proj(y)
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x))))


class GPT(nn.Module):
    def __init__(self, L, d, h, V, block):
        super().__init__()
        self.wte, self.wpe = nn.Embedding(V, d), nn.Embedding(block, d)
        self.h = nn.ModuleList(Block(d, h) for _ in range(L))
        self.ln_f, self.lm_head = nn.LayerNorm(d), nn.Linear(d, V, bias=False)
        self.register_buffer("mask", torch.tril(torch.ones(block, block)).view(1, 1, block, block))
        for p in self.parameters():
            if p.dim() >= 2:
                nn.init.normal_(p, 0.0, 0.02)

    def forward(self, idx, tgt):
        x = self.wte(idx) + self.wpe(torch.arange(idx.size(1)))
        for b in self.h:
            x = b(x, self.mask)
        logits = self.lm_head(self.ln_f(x))
        return F.cross_entropy(logits.view(-1, logits.size(-1)), tgt.view(-1))


def main():
    L, d, h, V, B, T, steps, threads = map(int, sys.argv[1:9])
    frozen = int(sys.argv[9]) if len(sys.argv) > 9 else 0
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    model = GPT(L, d, h, V, T)
    if frozen:
        for m in [model.wte, model.wpe] + list(model.h[:frozen]):
            m.requires_grad_(False)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW([{"params": [p for p in params if p.dim() >= 2], "weight_decay": 0.1},
                             {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0}],
                            lr=6e-4, betas=(0.9, 0.95), eps=1e-8)
    t0 = 0.0
    for s in range(steps + 1):
        if s == 1:
            t0 = time.perf_counter()   # step 0 warms up
        tok = torch.randint(0, V, (B * T + 1,))
        loss = model(tok[:-1].view(B, T), tok[1:].view(B, T))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
    dt = (time.perf_counter() - t0) / steps
    print("tokens/s %.0f  ms/step %.1f  loss %.4f" % (B * T / dt, 1e3 * dt, float(loss)))


if __name__ == "__main__":
    main()
