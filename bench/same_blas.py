"""Give the reference (numpy, scipy, torch) the OpenBLAS kernels wscope runs
with, so a ratio compares programs, not kernel sets.

wscope restarts itself with OPENBLAS_CORETYPE set when OpenBLAS falls back to
its SSE3 kernels on a CPU it does not know (src/blas_core.h). The same rule
here: ask the same library which kernels it chose and what the CPU offers.

  import same_blas  # in a Python bench, before numpy/scipy/torch: re-executes
                    # the script once with the variable set when needed
  eval "$(/usr/bin/python3 bench/same_blas.py)"  # in a shell bench
"""
import ctypes
import os
import sys

VECTOR_CORES = {"haswell", "zen", "skylakex", "cooperlake", "sapphirerapids"}


def better_core():
    """The OPENBLAS_CORETYPE wscope would set here, or None."""
    if "OPENBLAS_CORETYPE" in os.environ:
        return None
    try:
        lib = ctypes.CDLL("libopenblas.so.0")
        lib.openblas_get_corename.restype = ctypes.c_char_p
        core = lib.openblas_get_corename().decode().lower()
    except (OSError, AttributeError):
        return None
    if core in VECTOR_CORES:
        return None
    flags = set()
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
                break
    if {"avx512f", "avx512bw", "avx512vl", "avx512dq"} <= flags:
        return "SkylakeX"
    if {"avx2", "fma"} <= flags:
        return "Haswell"
    return None


if __name__ == "__main__":
    c = better_core()
    if c:
        print("export OPENBLAS_CORETYPE=%s" % c)
else:
    _c = better_core()
    if _c:
        os.environ["OPENBLAS_CORETYPE"] = _c
        os.execv(sys.executable, [sys.executable] + sys.argv)
