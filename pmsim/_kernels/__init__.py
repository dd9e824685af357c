"""The compiled hot loops (numba), and nothing else.

One module per algorithm family; each function works on plain arrays of a
network whose tasks are numbered in topological order (see
:mod:`pmsim.network`), so every predecessor has a smaller index than its
successor. Link types are coded FS=0, SS=1, FF=2, SF=3.

Everything is compiled with ``cache=True``: the first call in a fresh
process loads machine code from numba's on-disk cache.
"""
