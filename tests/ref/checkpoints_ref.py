#!/usr/bin/python3
"""Checkpoints as researchers have them, and the numbers wscope must give on
them (tests/cli_net.sh). Writes tests/fixtures/net/:

  train.bin, val.bin     uint16 token ids (a char-level corpus, vocab 65)
  nanogpt/ckpt.pt        a nanoGPT GPT (a faithful small copy of nanoGPT's
                         model.py: 2 layers, 2 heads, d 16, block 16, bias,
                         tied lm_head, the attn.bias causal-mask buffers that
                         torch < 2 registers) trained 8 steps with nanoGPT's
                         AdamW groups, saved as nanoGPT's train.py saves it:
                         {'model', 'optimizer', 'model_args', 'iter_num',
                         'best_val_loss' (0-d tensor), 'config'} with the
                         '_orig_mod.' keys of a torch.compile'd model
  nanogpt/ckpt.safetensors
                         its export: the same state dict without the prefix
                         and the tied duplicate, in F16
  hf_erf/                an HF GPT-2 folder: the same network after 400 more
                         steps, HF naming (h.N..., Conv1D weights in x out),
                         model.safetensors + config.json with
                         activation_function "gelu" (erf), eps 1e-5
  hf_tanh/               the same weights, config.json "gelu_new" (tanh) and
                         layer_norm_epsilon 1e-3, plus HF's legacy buffers
                         attn.bias (BOOL mask) and attn.masked_bias
  hf_sharded/            hf_erf in two shards with model.safetensors.index.json
  tuned.safetensors      a wscope fine-tune of ckpt.pt with training state
                         (made by the wscope binary given as argument:
                         --stop-at keeps AdamW and grid state, one matrix
                         frozen, one on a grid policy)
  expected.json          from numpy float64 / PyTorch float64:
                         drift of ckpt.pt -> tuned.safetensors,
                         ckpt.pt -> ckpt.safetensors, ckpt.pt -> hf_erf
                         (per tensor of the network by its name in the base
                         file, per layer, model, mean of per-matrix cosines);
                         eval losses (T 16, B 4, every sequential window of
                         val.bin) of ckpt.pt, hf_erf and hf_tanh, and of the
                         HF ones with the other GELU form (what a wrong
                         reading of config.json would give)

No tokenizer files go in the HF folders: a byte-level BPE has at least 256
tokens and these models 65 rows. tests/cli_tokenizers.sh puts GPT-2's
(tests/fixtures/tok/gpt2/) beside a 50257-row model it builds, and runs this
nanoGPT checkpoint with the meta.pkl of CORPUS_TEXT
(tests/fixtures/tok/char/moby_char/, from tests/ref/meta_pkl_ref.py).

Run: /usr/bin/python3 tests/ref/checkpoints_ref.py [path/to/wscope]
"""
import json
import math
import os
import shutil
import subprocess
import sys
from collections import OrderedDict

import numpy as np
import torch
import torch.nn as nn
from torch.nn import functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from st_write import write_safetensors  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "fixtures", "net")
CFG = dict(n_layer=2, n_head=2, n_embd=16, block_size=16, vocab_size=65, dropout=0.0, bias=True)
T_EVAL, B_EVAL = 16, 4


# ---- a small nanoGPT (model.py's structure and names) ----

class LayerNorm(nn.Module):
    def __init__(self, ndim, bias, eps=1e-5):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(ndim))
        self.bias = nn.Parameter(torch.zeros(ndim)) if bias else None
        self.eps = eps

    def forward(self, x):
        return F.layer_norm(x, self.weight.shape, self.weight, self.bias, self.eps)


class CausalSelfAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c_attn = nn.Linear(c["n_embd"], 3 * c["n_embd"], bias=c["bias"])
        self.c_proj = nn.Linear(c["n_embd"], c["n_embd"], bias=c["bias"])
        self.n_head, self.n_embd = c["n_head"], c["n_embd"]
        # torch < 2 has no flash attention: nanoGPT registers the mask buffer
        self.register_buffer("bias", torch.tril(torch.ones(c["block_size"], c["block_size"]))
                             .view(1, 1, c["block_size"], c["block_size"]))

    def forward(self, x):
        B, T, C = x.size()
        q, k, v = self.c_attn(x).split(self.n_embd, dim=2)
        k = k.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        q = q.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        v = v.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        att = att.masked_fill(self.bias[:, :, :T, :T] == 0, float("-inf"))
        att = F.softmax(att, dim=-1)
        y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
        return self.c_proj(y)


class MLP(nn.Module):
    def __init__(self, c, approximate="none"):
        super().__init__()
        self.c_fc = nn.Linear(c["n_embd"], 4 * c["n_embd"], bias=c["bias"])
        self.gelu = nn.GELU(approximate=approximate)
        self.c_proj = nn.Linear(4 * c["n_embd"], c["n_embd"], bias=c["bias"])

    def forward(self, x):
        return self.c_proj(self.gelu(self.c_fc(x)))


class Block(nn.Module):
    def __init__(self, c, approximate="none", eps=1e-5):
        super().__init__()
        self.ln_1 = LayerNorm(c["n_embd"], c["bias"], eps)
        self.attn = CausalSelfAttention(c)
        self.ln_2 = LayerNorm(c["n_embd"], c["bias"], eps)
        self.mlp = MLP(c, approximate)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT(nn.Module):
    """nanoGPT's GPT; approximate/eps let the same module stand for an HF
    GPT-2 config (gelu_new = tanh, layer_norm_epsilon)."""

    def __init__(self, c, approximate="none", eps=1e-5):
        super().__init__()
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(c["vocab_size"], c["n_embd"]),
            wpe=nn.Embedding(c["block_size"], c["n_embd"]),
            drop=nn.Dropout(c["dropout"]),
            h=nn.ModuleList([Block(c, approximate, eps) for _ in range(c["n_layer"])]),
            ln_f=LayerNorm(c["n_embd"], c["bias"], eps),
        ))
        self.lm_head = nn.Linear(c["n_embd"], c["vocab_size"], bias=False)
        self.transformer.wte.weight = self.lm_head.weight   # weight tying
        self.apply(self._init_weights)
        for pn, p in self.named_parameters():
            if pn.endswith("c_proj.weight"):
                torch.nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * c["n_layer"]))

    def _init_weights(self, module):
        if isinstance(module, nn.Linear):
            torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)
            if module.bias is not None:
                torch.nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)

    def forward(self, idx, targets):
        b, t = idx.size()
        pos = torch.arange(0, t, dtype=torch.long)
        x = self.transformer.drop(self.transformer.wte(idx) + self.transformer.wpe(pos))
        for block in self.transformer.h:
            x = block(x)
        logits = self.lm_head(self.transformer.ln_f(x))
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))

    def configure_optimizers(self, weight_decay, learning_rate, betas):
        params = {pn: p for pn, p in self.named_parameters() if p.requires_grad}
        groups = [{"params": [p for p in params.values() if p.dim() >= 2], "weight_decay": weight_decay},
                  {"params": [p for p in params.values() if p.dim() < 2], "weight_decay": 0.0}]
        return torch.optim.AdamW(groups, lr=learning_rate, betas=betas)


# ---- data ----

# The text of the char-level corpus (tests/ref/meta_pkl_ref.py writes its
# nanoGPT meta.pkl from it).
CORPUS_TEXT = ("Call me Ishmael. Some years ago, never mind how long precisely, having little or "
               "no money in my purse, and nothing particular to interest me on shore, I thought I "
               "would sail about a little and see the watery part of the world. ") * 8


def corpus_tokens():
    """A char-level corpus with nanoGPT's shakespeare_char vocabulary size (65)."""
    text = CORPUS_TEXT
    chars = sorted(set(text))
    stoi = {ch: i for i, ch in enumerate(chars)}
    ids = np.array([stoi[c] for c in text], dtype=np.uint16)
    return ids % CFG["vocab_size"]


def get_batch(data, gen, B, T):
    ix = torch.randint(len(data) - T - 1, (B,), generator=gen)
    x = torch.stack([torch.from_numpy(data[i:i + T].astype(np.int64)) for i in ix])
    y = torch.stack([torch.from_numpy(data[i + 1:i + 1 + T].astype(np.int64)) for i in ix])
    return x, y


def train(model, opt, data, steps, gen):
    model.train()
    for _ in range(steps):
        x, y = get_batch(data, gen, 4, CFG["block_size"])
        loss = model(x, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()


@torch.no_grad()
def eval_windows(model, data, T=T_EVAL, B=B_EVAL):
    """wscope eval's windows: k*T while k*T + T < n, B per forward, each
    window weighing equally (here in float64)."""
    model.eval()
    nwin = (len(data) - 1) // T
    total = 0.0
    for s in range(0, nwin, B):
        ks = range(s, min(s + B, nwin))
        x = torch.stack([torch.from_numpy(data[k * T:k * T + T].astype(np.int64)) for k in ks])
        y = torch.stack([torch.from_numpy(data[k * T + 1:k * T + T + 1].astype(np.int64)) for k in ks])
        total += model(x, y).item() * len(ks)
    return total / nwin


# ---- files ----

def nanogpt_checkpoint(model, opt, iter_num, best_val_loss, path):
    """train.py's checkpoint of a torch.compile'd model: every key gains
    '_orig_mod.' (the tied lm_head keeps sharing wte's storage)."""
    sd = OrderedDict(("_orig_mod." + k, v) for k, v in model.state_dict().items())
    model_args = {k: CFG[k] for k in ("n_layer", "n_head", "n_embd", "block_size", "bias", "vocab_size",
                                      "dropout")}
    config = dict(out_dir="out-tiny", eval_interval=8, log_interval=1, eval_iters=4, always_save_checkpoint=True,
                  init_from="scratch", dataset="moby_char", gradient_accumulation_steps=1, batch_size=4,
                  block_size=16, n_layer=2, n_head=2, n_embd=16, dropout=0.0, bias=True, learning_rate=1e-3,
                  max_iters=8, weight_decay=0.1, beta1=0.9, beta2=0.95, grad_clip=1.0, decay_lr=False,
                  backend="nccl", device="cpu", dtype="float32", compile=True)
    torch.save({"model": sd, "optimizer": opt.state_dict(), "model_args": model_args,
                "iter_num": iter_num, "best_val_loss": best_val_loss, "config": config}, path)


def network_arrays(model):
    """The state dict as numpy, without the tied duplicate: name -> array."""
    return OrderedDict((k, v.detach().numpy().copy()) for k, v in model.state_dict().items()
                       if k != "lm_head.weight")


def hf_arrays(model, legacy_buffers=False):
    """HF GPT-2 (GPT2Model) naming: h.N..., Conv1D weights stored in x out."""
    out = OrderedDict()
    for k, v in network_arrays(model).items():
        if k.endswith(".attn.bias"):
            continue                      # nanoGPT's mask; HF's own below
        k = k[len("transformer."):]
        a = v
        if any(k.endswith(s) for s in ("c_attn.weight", "c_proj.weight", "c_fc.weight")):
            a = v.T.copy()
        out[k] = a
    if legacy_buffers:
        n = CFG["block_size"]
        for l in range(CFG["n_layer"]):
            out["h.%d.attn.bias" % l] = np.tril(np.ones((n, n), dtype=bool)).reshape(1, 1, n, n)
            out["h.%d.attn.masked_bias" % l] = np.array(-1e4, dtype=np.float32)
    return out


def hf_config(activation, eps):
    return {"model_type": "gpt2", "architectures": ["GPT2LMHeadModel"], "n_layer": CFG["n_layer"],
            "n_head": CFG["n_head"], "n_embd": CFG["n_embd"], "n_positions": CFG["block_size"],
            "n_ctx": CFG["block_size"], "vocab_size": CFG["vocab_size"], "layer_norm_epsilon": eps,
            "activation_function": activation, "tie_word_embeddings": True}


def write_hf_folder(name, arrays, activation, eps):
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    write_safetensors(os.path.join(d, "model.safetensors"), arrays, dtype=None, metadata={"format": "pt"})
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(hf_config(activation, eps), f, indent=2)


def write_sharded(arrays):
    d = os.path.join(OUT, "hf_sharded")
    os.makedirs(d, exist_ok=True)
    shards = [OrderedDict(), OrderedDict()]
    for k, v in arrays.items():
        shards[1 if k.startswith("h.1.") or k.startswith("ln_f.") else 0][k] = v
    weight_map, total = {}, 0
    for i, sh in enumerate(shards):
        fn = "model-%05d-of-%05d.safetensors" % (i + 1, len(shards))
        write_safetensors(os.path.join(d, fn), sh, dtype=None, metadata={"format": "pt"})
        for k, v in sh.items():
            weight_map[k] = fn
            total += v.nbytes
    with open(os.path.join(d, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f, indent=2)
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(hf_config("gelu", 1e-5), f, indent=2)


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    n = int.from_bytes(raw[:8], "little")
    header = json.loads(raw[8:8 + n])
    data = raw[8 + n:]
    dts = {"F32": np.float32, "F16": np.float16, "BF16": None, "BOOL": np.bool_, "I64": np.int64}
    out = {}
    for k, v in header.items():
        if k == "__metadata__":
            continue
        a, b = v["data_offsets"]
        out[k] = np.frombuffer(data[a:b], dtype=dts[v["dtype"]]).reshape(v["shape"])
    return out


# ---- expected numbers ----

ROLE_KEYS = ["ln_1", "attn.c_attn", "attn.c_proj", "ln_2", "mlp.c_fc", "mlp.c_proj"]


def canonical(name, a, conv1d):
    a = np.asarray(a, dtype=np.float64)
    if conv1d and any(name.endswith(s) for s in ("c_attn.weight", "c_proj.weight", "c_fc.weight")):
        a = a.T
    return a


def drift_numbers(base, tuned, pairs):
    """pairs: (base name, tuned name, tuned is Conv1D). Returns per tensor
    (by base name), per layer, model, mean of per-matrix cosines, all in
    float64 as src/drift.c defines them."""
    def stats(sd, s0, s1, dot, n):
        return {"rms": math.sqrt(sd / n), "relative": math.sqrt(sd / s0) if s0 > 0 else None,
                "cosine": dot / math.sqrt(s0 * s1) if s0 > 0 and s1 > 0 else None}
    per, layers, allsum, cos = {}, {}, [0.0, 0.0, 0.0, 0.0, 0], []
    for b, t, conv in pairs:
        w0 = canonical(b, base[b], False).ravel()
        w1 = canonical(t, tuned[t], conv).ravel()
        d = w1 - w0
        s = [float(d @ d), float(w0 @ w0), float(w1 @ w1), float(w0 @ w1), w0.size]
        per[b] = stats(*s)
        layer = None
        parts = b.split(".")
        if "h" in parts:
            layer = int(parts[parts.index("h") + 1])
        if layer is not None:
            acc = layers.setdefault(layer, [0.0, 0.0, 0.0, 0.0, 0])
            for i in range(5):
                acc[i] += s[i]
        for i in range(5):
            allsum[i] += s[i]
        shape = np.shape(base[b])
        if len(shape) == 2 and min(shape) > 1 and not b.endswith(".bias"):
            cos.append(per[b]["cosine"])
    lay = {str(k): stats(*v) for k, v in sorted(layers.items())}
    for k in lay:
        cs = [per[b]["cosine"] for b, _, _ in pairs
              if ".h.%s." % k in b and len(np.shape(base[b])) == 2 and min(np.shape(base[b])) > 1
              and not b.endswith(".bias")]
        lay[k]["mean_cos"] = sum(cs) / len(cs)
    model = stats(*allsum)
    model["mean_cos"] = sum(cos) / len(cos)
    model["n_mean_cos"] = len(cos)
    return {"tensors": per, "layers": lay, "model": model}


def network_names(sd_keys):
    """The network's tensors of a nanoGPT state dict (no masks, no tied duplicate)."""
    return [k for k in sd_keys if not k.endswith(".attn.bias") and not k.endswith("lm_head.weight")]


def main():
    wscope = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "wscope")
    torch.manual_seed(1337)
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(os.path.join(OUT, "nanogpt"))
    ids = corpus_tokens()
    split = int(0.8 * len(ids))
    train_ids, val_ids = ids[:split], ids[split:]
    train_ids.tofile(os.path.join(OUT, "train.bin"))
    val_ids.tofile(os.path.join(OUT, "val.bin"))

    gen = torch.Generator().manual_seed(1)
    model = GPT(CFG)
    opt = model.configure_optimizers(0.1, 1e-3, (0.9, 0.95))
    train(model, opt, train_ids, 8, gen)
    best = torch.tensor(eval_windows(model, val_ids), dtype=torch.float32)
    ckpt = os.path.join(OUT, "nanogpt", "ckpt.pt")
    nanogpt_checkpoint(model, opt, 8, best, ckpt)
    base = {("_orig_mod." + k): v for k, v in network_arrays(model).items()}
    base_eval = eval_windows(model.double(), val_ids)
    model.float()

    # The safetensors export: no prefix, no tied duplicate, F16.
    export = OrderedDict((k, v.astype(np.float16)) for k, v in network_arrays(model).items())
    write_safetensors(os.path.join(OUT, "nanogpt", "ckpt.safetensors"), export, dtype=None)

    # A later version of the same network, in HF GPT-2 files: trained on (400
    # steps at lr 1e-2) until GELU's erf and tanh forms give losses that
    # differ by 1.4e-5 relative, several times what float32 eval can tell.
    for group in opt.param_groups:
        group["lr"] = 1e-2
    train(model, opt, train_ids, 400, gen)
    write_hf_folder("hf_erf", hf_arrays(model), "gelu", 1e-5)
    write_hf_folder("hf_tanh", hf_arrays(model, legacy_buffers=True), "gelu_new", 1e-3)
    write_sharded(hf_arrays(model))
    sd = model.state_dict()
    evals, others = {"nanogpt/ckpt.pt": base_eval}, {}
    for name, approx, eps in (("hf_erf", "none", 1e-5), ("hf_tanh", "tanh", 1e-3)):
        for key, a in ((name, approx), (name + " other GELU", "tanh" if approx == "none" else "none")):
            m = GPT(CFG, a, eps).double()
            m.load_state_dict(sd)
            (evals if key == name else others)[name] = eval_windows(m, val_ids)

    # A wscope fine-tune of ckpt.pt that keeps its training state.
    tuned = os.path.join(OUT, "tuned.safetensors")
    subprocess.run([wscope, "train", ckpt, "--data", os.path.join(OUT, "train.bin"), "--val-data",
                    os.path.join(OUT, "val.bin"), "--steps", "6", "--stop-at", "4", "--batch", "2",
                    "--seq", "16", "--lr", "3e-3", "--policy", "qkv@0=freeze", "--policy",
                    "attn_out@1=grid:4", "--out", tuned], check=True, stdout=subprocess.DEVNULL)
    tuned_sd = read_safetensors(tuned)
    export_sd = read_safetensors(os.path.join(OUT, "nanogpt", "ckpt.safetensors"))
    hf_sd = read_safetensors(os.path.join(OUT, "hf_erf", "model.safetensors"))
    names = network_names(base.keys())

    def strip(k):
        return k[len("_orig_mod."):]

    expected = {
        "network_tensors": len(names),
        "drift": {
            "tuned": drift_numbers(base, tuned_sd, [(k, k, False) for k in names]),
            "export": drift_numbers(base, export_sd, [(k, strip(k), False) for k in names]),
            "hf": drift_numbers(base, hf_sd, [(k, strip(k)[len("transformer."):], True) for k in names]),
        },
        "state_tensors_tuned": sum(1 for k in tuned_sd if k.startswith(("optim.", "grid."))),
        "eval": evals,
        "eval_other_gelu": others,
        "best_val_loss": float(best),
    }
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)
    total = sum(os.path.getsize(os.path.join(dp, fn)) for dp, _, fns in os.walk(OUT) for fn in fns)
    print("wrote %s (%d bytes)" % (OUT, total))


if __name__ == "__main__":
    main()
