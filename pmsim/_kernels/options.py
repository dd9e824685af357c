"""How kernels that only read and write the arrays they are given are compiled.

numba counts the references to every array a compiled function hands on (its
runtime, NRT: an increment and a decrement through a function pointer for
each array, each time). The dated passes (:mod:`.dated`) hand a tuple of about
thirty arrays to inline helpers on every task and link, so on a 10,000-task
network those counts were 90 % of the CPM time (1.4 µs a task in the forward
pass, 0.015 µs without them). A kernel that allocates nothing and keeps no
array needs no counts: :data:`SCAN` compiles it without numba's runtime
(numba refuses to compile one that would need it, so the option cannot
silently go wrong).
"""

SCAN = {"cache": True, "_nrt": False}
