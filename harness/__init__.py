"""convharness: convolution (conv1d, conv2d, conv3d) consistency across frameworks, settled by
experiment."""

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
