"""Keras 3's convolution: keras.layers.Conv1D/2D/3D, and ZeroPadding1D/2D/3D + the layer for
pads per side, channels_last, on whichever backend KERAS_BACKEND selects. The layers are built
once (`layer`, `padded_layers`), for the run and the script alike."""

from __future__ import annotations

import numpy as np

from adapters.keras._common import layers_code, run_layers
from harness.adapter_api import Call, Case, NotExpressible, Served

RANKS = (1, 2, 3)
LAYER = {f"conv{r}d": f"keras.layers.Conv{r}D" for r in RANKS}
PADDING_LAYER = {f"conv{r}d": f"keras.layers.ZeroPadding{r}D" for r in RANKS}
PADDED = {op: f"{PADDING_LAYER[op]} + {LAYER[op]}" for op in LAYER}


def _padding(case: Case) -> str:
    kind = case.padding.kind
    if kind in ("valid", "same"):
        return kind
    if kind == "explicit" and not any(case.padding.pads):
        return "valid"
    raise NotExpressible(f"{LAYER[case.op]} takes 'valid' or 'same', not {case.padding}")


def _layer(case: Case, padding: str) -> Call:
    arguments = dict(
        filters=case.out_channels,
        kernel_size=case.kernel,
        strides=case.stride,
        padding=padding,
        data_format="channels_last",
        dilation_rate=case.dilation,
        groups=case.groups,
        use_bias=case.bias,
        dtype=case.dtype,
    )
    return Call(LAYER[case.op], arguments)


def layer(case: Case) -> Call:
    return _layer(case, _padding(case))


def _explicit(case: Case):
    """ZeroPadding's argument: (low, high) in 1-d, one (low, high) pair per axis otherwise."""
    if case.padding.kind in ("same", "same_lower"):
        raise NotExpressible(f"{PADDED[case.op]} takes pads per side, not {case.padding.kind!r}")
    pairs = case.padding.pairs() if case.padding.kind == "explicit" else [(0, 0)] * case.rank
    return pairs[0] if case.rank == 1 else tuple(pairs)


def padded_layers(case: Case) -> tuple[Call, Call]:
    """Any explicit pads, the way Keras users write them: ZeroPadding, then 'valid'."""
    arguments = dict(padding=_explicit(case), data_format="channels_last", dtype=case.dtype)
    return Call(PADDING_LAYER[case.op], arguments), _layer(case, "valid")


def run(case: Case, x, w, b, device: str) -> np.ndarray:
    return run_layers(case, x, w, b, device, layer(case))


def padded(case: Case, x, w, b, device: str) -> np.ndarray:
    return run_layers(case, x, w, b, device, *padded_layers(case))


def code(case: Case, env: dict[str, str]) -> str:
    return layers_code(case, layer(case))


def padded_code(case: Case, env: dict[str, str]) -> str:
    return layers_code(case, *padded_layers(case))


FAMILY = "conv"  # the operator family this module serves
SERVED = {
    "keras": Served(LAYER, run, code),
    "keras.padded": Served(PADDED, padded, padded_code),
}
