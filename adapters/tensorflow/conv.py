"""TensorFlow's convolution: tf.nn.conv1d, tf.nn.conv2d and tf.nn.conv3d, in the variant's
layout (_common.py), [*kernel, in, out] filters. The call is built once (`call`), for the run
and the script alike."""

from __future__ import annotations

import numpy as np

from adapters.tensorflow._common import conv_code, data_format, explicit, full, run_conv
from harness.adapter_api import Call, Case, NotExpressible, Served

APIS_BY_OP = {f"conv{r}d": f"tf.nn.conv{r}d" for r in (1, 2, 3)}


def _padding(case: Case, env=None):
    """'SAME', 'VALID', or explicit pads on every axis where the API takes them (2-d)."""
    kind, api = case.padding.kind, APIS_BY_OP[case.op]
    if kind == "same_lower":
        raise NotExpressible(f"{api} has no 'same_lower'")
    if kind in ("valid", "same"):
        return kind.upper()
    if case.op != "conv2d":  # conv1d and conv3d take 'SAME' or 'VALID' only
        raise NotExpressible(f"{api} takes 'SAME' or 'VALID', not explicit pads")
    return explicit(case, env)


def _steps(case: Case, env=None) -> dict:
    """Stride, dilation and layout as each op spells them."""
    layout = dict(data_format=data_format(case.rank, env))
    if case.op == "conv1d":
        return dict(stride=case.stride[0], dilations=case.dilation[0], **layout)
    if case.op == "conv3d":  # five entries, batch and channels 1
        steps = dict(strides=case.stride, dilations=case.dilation)
        return {k: full(list(v), 1, 1, env) for k, v in steps.items()} | layout
    return dict(strides=list(case.stride), dilations=list(case.dilation), **layout)


def call(case: Case, env=None) -> Call:
    """The call on (input, filters); `env` the variant's (None: this process's)."""
    return Call(APIS_BY_OP[case.op], dict(padding=_padding(case, env), **_steps(case, env)))


def run(case: Case, x, w, b, device: str) -> np.ndarray:
    return run_conv(case, call(case), x, w, b, device)


def code(case: Case, env: dict[str, str]) -> str:
    return conv_code(case, env, call(case, env), "[*kernel, in, out]")


FAMILY = "conv"  # the operator family this module serves
SERVED = {"tf.nn": Served(APIS_BY_OP, run, code)}
