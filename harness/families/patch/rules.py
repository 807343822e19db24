"""What a framework documents about patch extraction beyond padding words: the order of the
patch axis. A patch of C channels and K = prod(kernel) taps is C·K values along one axis; PyTorch
(`unfold`) and JAX (`conv_general_dilated_patches`) put the channel first (index c·K + t),
TensorFlow (`extract_patches`) and Keras the tap first (index t·C + c). The harness's canonical
form is channel-major; a kernel-major answer is brought to it by the reshape and transpose of
the two factors, as the framework's convention documents (`arrange`). Read from the
`[frameworks.<name>.patch]` tables of conventions.toml.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from harness.fields import Pads

if TYPE_CHECKING:
    from harness.case import Case

ORDERS = ("channel_major", "kernel_major")


def to_channel_major(case: Case, output: np.ndarray) -> np.ndarray:
    """[N, K·C, *spatial] in kernel-major order as [N, C·K, *spatial] in channel-major order."""
    taps = math.prod(case.kernel)
    n, _, *spatial = output.shape
    split = output.reshape(n, taps, case.in_channels, *spatial)
    return np.swapaxes(split, 1, 2).reshape(output.shape)


def to_kernel_major(case: Case, output: np.ndarray) -> np.ndarray:
    """The inverse: channel-major [N, C·K, *spatial] as kernel-major."""
    taps = math.prod(case.kernel)
    n, _, *spatial = output.shape
    split = output.reshape(n, case.in_channels, taps, *spatial)
    return np.swapaxes(split, 1, 2).reshape(output.shape)


@dataclass(frozen=True)
class PatchRules:
    order: str  # channel_major or kernel_major: the framework's patch axis
    citation: str

    def pads(self, case: Case, pads: Pads | None, rounding: str) -> Pads | None:
        return pads

    def divisor_of(self, case: Case) -> str | None:
        return None

    def arrange(self, case: Case, output: np.ndarray) -> np.ndarray:
        """The framework's answer in channel-major order, as its convention documents it (an
        answer of another number of channels is left as it is: its shape is the verdict)."""
        wanted = case.in_channels * math.prod(case.kernel)
        if self.order == "channel_major" or output.ndim < 2 or output.shape[1] != wanted:
            return output
        return to_channel_major(case, output)


def parse_rules(body: dict[str, Any], where: str) -> PatchRules:
    """The patch-axis rule of one family table, validated."""
    axis = body.get("patch_axis")
    if not isinstance(axis, dict) or axis.get("order") not in ORDERS:
        raise ValueError(f"{where}: patch_axis gives an order, one of {', '.join(ORDERS)}")
    if not axis.get("citation"):
        raise ValueError(f"{where}: the patch_axis rule needs a citation")
    return PatchRules(axis["order"], axis["citation"])
