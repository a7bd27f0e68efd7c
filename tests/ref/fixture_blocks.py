"""The block format of the spectra fixtures (tests/spectra_fixture.h reads
it): "name rows cols" lines, each followed by the values on one line.
float32 inputs are printed with 9 significant digits, so they round-trip
exactly; results with 17."""
import numpy as np


class Blocks:
    def __init__(self):
        self.lines = []

    def put(self, name, a, fmt="%.17g"):
        a = np.atleast_2d(np.asarray(a, dtype=np.float64))
        self.lines.append("%s %d %d" % (name, a.shape[0], a.shape[1]))
        self.lines.append(" ".join(fmt % v for v in a.ravel()))

    def put_f32(self, name, a):
        """Store a as float32; return what the C side sees, in float64."""
        a = np.asarray(a, dtype=np.float32)
        self.put(name, a.astype(np.float64), "%.9g")
        return a.astype(np.float64)

    def write(self, path):
        with open(path, "w") as f:
            f.write("\n".join(self.lines) + "\n")
