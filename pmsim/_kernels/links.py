"""Link types as the kernels code them (placeholder until the kernels split lands)."""

import numpy as np

FS, SS, FF, SF = 0, 1, 2, 3
MIRROR = np.array([0, 2, 1, 3], dtype=np.int8)
