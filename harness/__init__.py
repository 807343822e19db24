"""convharness: convolution (conv1d, conv2d, conv3d) consistency across frameworks, settled by
experiment."""

from importlib import metadata

try:
    __version__ = metadata.version("convharness")
except metadata.PackageNotFoundError:  # running from a checkout that is not installed
    __version__ = "0.0.0"
