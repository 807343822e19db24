"""convharness: how frameworks compute the operators that change a tensor's spatial size
(convolution, transposed convolution, pooling; rank 1 to 3), each framework measured against
its own documentation and a float64 reference, and the frameworks against each other."""

import os

# The harness's own array work (references, comparisons, inference) is many small products,
# beside busy workers: one BLAS thread is the fastest, as spinning threads cost seconds on a
# loaded machine. It must be said before NumPy loads; a value already set is kept.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def __getattr__(name: str) -> str:
    """`__version__`, read from the installed distribution when first asked for: the workers,
    which import this package, never do (importlib.metadata costs tens of milliseconds)."""
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import metadata

    try:
        version = metadata.version("convharness")
    except metadata.PackageNotFoundError:  # running from a checkout that is not installed
        version = "0.0.0"
    globals()["__version__"] = version
    return version
