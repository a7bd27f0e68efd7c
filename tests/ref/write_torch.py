#!/usr/bin/python3
"""PyTorch / NumPy fixtures for tests/test_formats.c, written by the real
torch.save and np.save (torch 1.13, numpy from Debian).

Writes into tests/fixtures/formats/:
  ckpt.pt            nanoGPT-style checkpoint: model (tied lm_head), optimizer
                     (AdamW after one step), model_args, iter_num,
                     best_val_loss (0-d tensor), config
  ckpt_compiled.pt   same model with torch.compile's "_orig_mod." prefix and a
                     numpy float64 best_val_loss (numpy scalar pickling)
  sd_mixed.pt        plain state dict: F16, BF16, I64, a transposed
                     (non-contiguous) view and an offset view
  arr_f4.npy, arr_f2.npy, arr_f8_fortran.npy, arr_f4_big.npy, arr_i8_v2.npy
  sd_archive.pt      the same state dict saved to a stream (folder "archive/")
  legacy.pt          the pre-1.6 (non-zip) format, which is refused
  big_endian.pt      sd_mixed.pt plus a byteorder record "big", refused
  scripted.pt        a TorchScript archive (torch.jit.save), refused
  one_tensor.pt      torch.save(tensor): not a state dict, refused
  evil_system.pt     data.pkl calls os.system (protocol 2 GLOBAL)
  evil_eval.pt       data.pkl calls builtins.eval (protocol 4 STACK_GLOBAL)
  expected.json      every tensor's dtype, shape and values (as float), and
                     the metadata a loader must report
Run: /usr/bin/python3 tests/ref/write_torch.py
"""
import io
import json
import os
import pickle
import zipfile
from collections import OrderedDict

import numpy as np
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "fixtures", "formats")
MARKER = "/tmp/wscope-formats-pwned"


class Block(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.ln_1 = nn.LayerNorm(d)
        self.attn = nn.Module()
        self.attn.c_attn = nn.Linear(d, 3 * d)
        self.attn.c_proj = nn.Linear(d, d)
        self.ln_2 = nn.LayerNorm(d)
        self.mlp = nn.Module()
        self.mlp.c_fc = nn.Linear(d, 4 * d)
        self.mlp.c_proj = nn.Linear(4 * d, d)


class TinyGPT(nn.Module):
    """nanoGPT's parameter names and shapes (1 layer, d 8, vocab 11, block 6)."""

    def __init__(self, n_layer=1, d=8, vocab=11, block=6):
        super().__init__()
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(vocab, d), wpe=nn.Embedding(block, d),
            h=nn.ModuleList([Block(d) for _ in range(n_layer)]), ln_f=nn.LayerNorm(d)))
        self.lm_head = nn.Linear(d, vocab, bias=False)
        self.transformer.wte.weight = self.lm_head.weight  # tied, as nanoGPT


def values(t):
    return t.detach().to(torch.float64).reshape(-1).tolist()


def describe(sd, skip=()):
    names = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.int64: "I64"}
    return {k: {"dtype": names[v.dtype], "shape": list(v.shape), "values": values(v)}
            for k, v in sd.items() if k not in skip}


def nanogpt_ckpt(expected):
    torch.manual_seed(3)
    model = TinyGPT()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    model.lm_head.weight.sum().backward()
    opt.step()
    model_args = dict(n_layer=1, n_head=2, n_embd=8, block_size=6, bias=True, vocab_size=11, dropout=0.0)
    config = dict(batch_size=4, learning_rate=6e-4, dataset="shakespeare_char", compile=False,
                  n_head=2, beta2=0.99)
    sd = model.state_dict()
    ckpt = dict(model=sd, optimizer=opt.state_dict(), model_args=model_args, iter_num=250,
                best_val_loss=torch.tensor(1.4695), config=config)
    torch.save(ckpt, os.path.join(OUT, "ckpt.pt"))
    expected["ckpt.pt"] = {
        "tensors": describe(sd, skip=("lm_head.weight",)),
        "meta": {"n_head": "2", "n_layer": "1", "n_embd": "8", "vocab_size": "11", "block_size": "6",
                 "bias": "true", "iter_num": "250", "aliases": "lm_head.weight"},
        "best_val_loss": float(torch.tensor(1.4695)),
    }
    compiled = OrderedDict(("_orig_mod." + k, v) for k, v in sd.items())
    ck2 = dict(model=compiled, model_args=model_args, iter_num=np.int64(7),
               best_val_loss=np.float64(2.25), config=config)
    torch.save(ck2, os.path.join(OUT, "ckpt_compiled.pt"))
    expected["ckpt_compiled.pt"] = {
        "tensors": describe(compiled, skip=("_orig_mod.lm_head.weight",)),
        "meta": {"n_head": "2", "iter_num": "7", "best_val_loss": "2.25"},
    }


def mixed_state_dict(expected):
    g = torch.Generator().manual_seed(5)
    base = torch.randn(3, 4, generator=g)
    sd = OrderedDict()
    sd["half.weight"] = torch.randn(2, 3, generator=g).to(torch.float16)
    sd["bf16.weight"] = torch.randn(5, generator=g).to(torch.bfloat16)
    sd["steps"] = torch.arange(6, dtype=torch.int64).reshape(2, 3) - 2
    sd["transposed.weight"] = base.t()        # stride (1, 4): non-contiguous
    sd["row.weight"] = base[1]                # storage offset 4
    sd["scalar"] = torch.tensor(3.5)          # 0-d
    torch.save(sd, os.path.join(OUT, "sd_mixed.pt"))
    expected["sd_mixed.pt"] = {"tensors": describe(sd), "meta": {}}
    torch.save(OrderedDict(w=torch.ones(2)), os.path.join(OUT, "legacy.pt"),
               _use_new_zipfile_serialization=False)
    buf = io.BytesIO()  # a stream writer names the folder "archive/"
    torch.save(sd, buf)
    with open(os.path.join(OUT, "sd_archive.pt"), "wb") as f:
        f.write(buf.getvalue())
    expected["sd_archive.pt"] = expected["sd_mixed.pt"]
    # byteorder "big" (the record torch >= 2.1 writes), added to a copy
    with zipfile.ZipFile(os.path.join(OUT, "sd_mixed.pt")) as zin, \
            zipfile.ZipFile(os.path.join(OUT, "big_endian.pt"), "w", zipfile.ZIP_STORED) as zout:
        for info in zin.infolist():
            zout.writestr(fixed_time(info.filename.replace("sd_mixed/", "big_endian/")), zin.read(info))
        zout.writestr(fixed_time("big_endian/byteorder"), "big")
    torch.jit.save(torch.jit.script(nn.Linear(2, 2)), os.path.join(OUT, "scripted.pt"))
    torch.save(torch.ones(3), os.path.join(OUT, "one_tensor.pt"))


def npy_files(expected):
    rng = np.random.default_rng(11)
    arrays = {
        "arr_f4.npy": rng.normal(size=(3, 5)).astype("<f4"),
        "arr_f2.npy": rng.normal(size=(4,)).astype("<f2"),
        "arr_f8_fortran.npy": np.asfortranarray(rng.normal(size=(3, 4))),
        "arr_f4_big.npy": rng.normal(size=(2, 3)).astype(">f4"),
    }
    names = {"f4": "F32", "f2": "F16", "f8": "F64", "i8": "I64"}
    for fname, a in arrays.items():
        np.save(os.path.join(OUT, fname), a)
    v2 = np.arange(-3, 3, dtype="<i8").reshape(2, 3)
    with open(os.path.join(OUT, "arr_i8_v2.npy"), "wb") as f:
        np.lib.format.write_array(f, v2, version=(2, 0))
    arrays["arr_i8_v2.npy"] = v2
    for fname, a in arrays.items():
        stem = fname[:-4]
        expected[fname] = {"tensors": {stem: {"dtype": names[a.dtype.str[1:]], "shape": list(a.shape),
                                              "values": a.astype(np.float64).reshape(-1).tolist()}},
                           "meta": {}}


def fixed_time(name):
    """A zip entry with a fixed date, so reruns write identical files."""
    return zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))


class System:
    def __reduce__(self):
        return (os.system, ("touch " + MARKER,))


class Eval:
    def __reduce__(self):
        return (eval, ("open('" + MARKER + "', 'w')",))


def evil(name, payload):
    """A torch.save-shaped zip whose data.pkl runs code under pickle.load."""
    with zipfile.ZipFile(os.path.join(OUT, name + ".pt"), "w", zipfile.ZIP_STORED) as z:
        z.writestr(fixed_time(name + "/data.pkl"), payload)
        z.writestr(fixed_time(name + "/version"), "3\n")


def main():
    os.makedirs(OUT, exist_ok=True)
    expected = {}
    nanogpt_ckpt(expected)
    mixed_state_dict(expected)
    npy_files(expected)
    evil("evil_system", pickle.dumps({"model": System()}, protocol=2))
    evil("evil_eval", pickle.dumps({"model": Eval()}, protocol=4))
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)


if __name__ == "__main__":
    main()
