#!/usr/bin/python3
"""Crafted hostile files for the hardening regression tests
(tests/cli_hostile.sh, tests/cli_outputs.sh) and the fuzz seed corpora.

Each file reproduces one defect found by fuzzing or by hand; the .pt files
are torch.save-shaped zips whose data.pkl is written opcode by opcode
(protocol 2, as torch.save writes it), so no torch is needed and the
malformed parts are exactly what is described.

Writes into tests/fixtures/hostile/:
  empty_header.safetensors   a 10-byte file, header "{}": no tensors
  esc_gap.safetensors        a tensor named "\\x1b[31mevil" whose data_offsets
                             leave a gap: the error quotes the name
  newline_gap.safetensors    the same with a name holding a newline
  esc_name.safetensors       a valid tensor named "\\x1b]0;pwned\\x07w" (an OSC
                             title sequence): info prints the name
  json_ctrl.safetensors      a header "{\\x07}": jansson's error quotes the byte
  esc_name.pt                a valid tensor named "w\\x1b[2Jx"
  nonutf8_name.pt            a valid tensor whose name is the bytes "w\\xff\\xfe"
  newline_missing.pt         a tensor named "a\\nb" whose storage is missing
  broadcast.pt               a (600000000,) view with stride 0 of a 1-float
                             storage (2.4 GB if materialised)
  broadcast_8g.pt            a (65536, 32768) view, strides (0, 0): 8 GiB
  zero_dim_overflow.pt       shape (0, 2147483648, 8589934592): an empty
                             tensor whose stride product overflows int64
  codecs_bomb.pt             300 kB of pickle that calls _codecs.encode on one
                             200 kB string 10,000 times (2 GB if kept)
  sharded/                   tests/fixtures/train/seq_model.safetensors split
                             into two shards with a model.safetensors.index.json
Run: /usr/bin/python3 tests/ref/hostile.py
"""
import json
import os
import struct
import zipfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.join(HERE, "..", "fixtures")
OUT = os.path.join(FIX, "hostile")


# ---- safetensors ----

def st_bytes(header, data=b""):
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    return struct.pack("<Q", len(h)) + h + data


def st_raw(header_bytes, data=b""):
    return struct.pack("<Q", len(header_bytes)) + header_bytes + data


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


def gap(name):
    """Two F32 scalars; the second begins 4 bytes after the first ends."""
    return st_bytes({"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]},
                     name: {"dtype": "F32", "shape": [1], "data_offsets": [8, 12]}}, b"\0" * 12)


def read_st(path):
    with open(path, "rb") as f:
        raw = f.read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    meta = header.pop("__metadata__", None)
    data = raw[8 + n:]
    return {k: (v, data[v["data_offsets"][0]:v["data_offsets"][1]]) for k, v in header.items()}, meta


def shard_file(items, meta):
    header, blobs, off = {}, [], 0
    for name in sorted(items):
        info, blob = items[name]
        header[name] = {"dtype": info["dtype"], "shape": info["shape"], "data_offsets": [off, off + len(blob)]}
        blobs.append(blob)
        off += len(blob)
    if meta:
        header["__metadata__"] = meta
    return st_bytes(header, b"".join(blobs))


def sharded():
    tensors, meta = read_st(os.path.join(FIX, "train", "seq_model.safetensors"))
    names = sorted(tensors)
    half = len(names) // 2
    files = ["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"]
    os.makedirs(os.path.join(OUT, "sharded"), exist_ok=True)
    weight_map = {}
    for part, sel in zip(files, (names[:half], names[half:])):
        write(os.path.join("sharded", part), shard_file({k: tensors[k] for k in sel}, meta))
        weight_map.update({k: part for k in sel})
    index = {"metadata": dict(meta or {}), "weight_map": weight_map}
    write(os.path.join("sharded", "model.safetensors.index.json"),
          (json.dumps(index, indent=1, sort_keys=True) + "\n").encode())


# ---- pickles, opcode by opcode ----

def p_str(s):
    b = s if isinstance(s, bytes) else s.encode()
    return b"X" + struct.pack("<I", len(b)) + b


def p_int(v):
    if 0 <= v < 256:
        return b"K" + bytes([v])
    if -2**31 <= v < 2**31:
        return b"J" + struct.pack("<i", v)
    b = v.to_bytes(9, "little", signed=True).rstrip(b"\0") or b"\0"
    if b[-1] & 0x80:
        b += b"\0"
    return b"\x8a" + bytes([len(b)]) + b


def p_global(mod, name):
    return b"c" + mod.encode() + b"\n" + name.encode() + b"\n"


def p_tuple(*items):
    return b"(" + b"".join(items) + b"t"


def p_tensor(key, numel, offset, size, stride, storage="FloatStorage"):
    """torch._utils._rebuild_tensor_v2(persistent storage, offset, size, stride, False, OrderedDict())"""
    pid = p_tuple(p_str("storage"), p_global("torch", storage), p_str(key), p_str("cpu"), p_int(numel))
    args = p_tuple(pid + b"Q", p_int(offset), p_tuple(*map(p_int, size)), p_tuple(*map(p_int, stride)),
                   b"\x89", p_global("collections", "OrderedDict") + b")R")
    return p_global("torch._utils", "_rebuild_tensor_v2") + args + b"R"


def p_state_dict(entries):
    """{name: tensor-pickle, ...} as an EMPTY_DICT filled by SETITEMS."""
    body = b"".join(p_str(k) + v for k, v in entries)
    return b"\x80\x02}(" + body + b"u."


def torch_zip(name, pkl, storages):
    with zipfile.ZipFile(os.path.join(OUT, name), "w", zipfile.ZIP_STORED) as z:
        def add(entry, data):
            z.writestr(zipfile.ZipInfo("archive/" + entry, date_time=(2024, 1, 1, 0, 0, 0)), data)
        add("data.pkl", pkl)
        add("byteorder", b"little")
        for key, data in storages.items():
            add("data/" + key, data)
        add("version", b"3\n")


def f32(*vals):
    return np.asarray(vals, dtype="<f4").tobytes()


def codecs_bomb():
    """A 200 kB string, memoised, handed to _codecs.encode 10,000 times."""
    s = "A" * 200000
    pkl = b"\x80\x02" + p_str(s) + b"q\x00" + b"0"                      # memo 0: the string
    pkl += p_global("_codecs", "encode") + b"q\x01" + b"0"               # memo 1: the function
    pkl += p_str("latin1") + b"q\x02" + b"0"                             # memo 2: the encoding
    pkl += (b"h\x01(h\x00h\x02tR0") * 10000
    pkl += b"}."
    torch_zip("codecs_bomb.pt", pkl, {})


def main():
    os.makedirs(OUT, exist_ok=True)
    write("empty_header.safetensors", st_raw(b"{}"))
    write("esc_gap.safetensors", gap("\x1b[31mevil"))
    write("newline_gap.safetensors", gap("line1\nline2"))
    write("esc_name.safetensors",
          st_bytes({"\x1b]0;pwned\x07w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}, f32(1, 2)))
    write("json_ctrl.safetensors", st_raw(b"{\x07}   "))
    one = {"0": f32(1, 2, 3, 4)}
    torch_zip("esc_name.pt", p_state_dict([("w\x1b[2Jx", p_tensor("0", 4, 0, [4], [1]))]), one)
    torch_zip("nonutf8_name.pt", p_state_dict([(b"w\xff\xfe", p_tensor("0", 4, 0, [4], [1]))]), one)
    torch_zip("newline_missing.pt", p_state_dict([("a\nb", p_tensor("7", 4, 0, [4], [1]))]), one)
    torch_zip("broadcast.pt", p_state_dict([("w", p_tensor("0", 1, 0, [600000000], [0]))]), {"0": f32(1)})
    torch_zip("broadcast_8g.pt", p_state_dict([("w", p_tensor("0", 1, 0, [65536, 32768], [0, 0]))]),
              {"0": f32(1)})
    torch_zip("zero_dim_overflow.pt",
              p_state_dict([("w", p_tensor("0", 1, 0, [0, 2147483648, 8589934592], [1, 8589934592, 1]))]),
              {"0": f32(1)})
    codecs_bomb()
    sharded()


if __name__ == "__main__":
    main()
