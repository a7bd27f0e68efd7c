"""Write a safetensors file (sorted names, header padded to 8 bytes) from
numpy arrays, for the training reference scripts."""
import json
import struct

import numpy as np

DTYPES = {"<f4": "F32", "<f8": "F64"}


def write_safetensors(path, tensors, dtype="<f8", metadata=None):
    header, blobs, off = {}, [], 0
    for name in sorted(tensors):
        raw = np.ascontiguousarray(tensors[name], dtype=dtype).tobytes()
        header[name] = {"dtype": DTYPES[dtype], "shape": list(np.shape(tensors[name])),
                        "data_offsets": [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    if metadata:
        header["__metadata__"] = metadata
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))
