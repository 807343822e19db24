"""convharness: how frameworks compute the operators that change a tensor's spatial size
(convolution, transposed convolution, pooling; rank 1 to 3), each framework measured against
its own documentation and a float64 reference, and the frameworks against each other."""

import os
from importlib import metadata

# The harness's own array work (references, comparisons, inference) is many small products,
# beside busy workers: one BLAS thread is the fastest, as spinning threads cost seconds on a
# loaded machine. It must be said before NumPy loads; a value already set is kept.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

try:
    __version__ = metadata.version("convharness")
except metadata.PackageNotFoundError:  # running from a checkout that is not installed
    __version__ = "0.0.0"
