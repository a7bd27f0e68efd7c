"""Write a safetensors file (sorted names, header padded to 8 bytes) from
numpy arrays, for the training reference scripts."""
import json
import struct

import numpy as np

DTYPES = {"<f4": "F32", "<f8": "F64", "<i4": "I32", "<f2": "F16", "|b1": "BOOL"}


def write_safetensors(path, tensors, dtype="<f8", metadata=None):
    """dtype: every array converted to it, or None to keep each array's own
    (float32, float64, float16, int32 or bool)."""
    header, blobs, off = {}, [], 0
    for name in sorted(tensors):
        dt = dtype or np.asarray(tensors[name]).dtype.newbyteorder("<").str
        raw = np.ascontiguousarray(tensors[name], dtype=dt).tobytes()
        header[name] = {"dtype": DTYPES[dt], "shape": list(np.shape(tensors[name])),
                        "data_offsets": [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    if metadata:
        header["__metadata__"] = metadata
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))
