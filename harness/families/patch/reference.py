"""An independent float64 patch extraction in NumPy, at any rank: the patch ground truth.

Input [N, C, *spatial], zero-padded by `pads` ((low, high) per axis; negative values crop);
a window of `kernel` taps, `dilation` apart, starts every `stride` positions, as a
convolution's does, so the output size per axis is the convolution's floor formula. The output
is [N, C·K, *out] with K = prod(kernel), channel-major: channel c's tap t (taps in row-major
order over the kernel) is channel c·K + t, each the tap's strided view of the padded input.
"""

from __future__ import annotations

import itertools

import numpy as np

from harness.case import Pads
from harness.families.pool.reference import padded


def patches(x: np.ndarray, kernel, stride, dilation, pads: Pads) -> np.ndarray:
    """float64 patches of `x`, channel-major ([N, C·K, *out])."""
    x = padded(np.asarray(x, np.float64), pads, 0.0)
    out = [
        max((size - d * (k - 1) - 1) // s + 1, 0)
        for size, k, s, d in zip(x.shape[2:], kernel, stride, dilation, strict=True)
    ]
    taps = [
        x[
            (slice(None), slice(None))
            + tuple(
                slice(t * d, t * d + s * o, s)
                for t, d, s, o in zip(tap, dilation, stride, out, strict=True)
            )
        ]
        for tap in itertools.product(*(range(k) for k in kernel))
    ]
    stacked = np.stack(taps, axis=2)  # [N, C, K, *out]
    return stacked.reshape(x.shape[0], x.shape[1] * len(taps), *out)
