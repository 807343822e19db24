"""TensorFlow's transposed convolution: tf.nn.conv1d_transpose, conv2d_transpose and
conv3d_transpose, in the variant's layout (_common.py).

TensorFlow takes the output size itself: the case's output_shape, or the size its crop (or,
for a word, Keras's formula) implies (implied_spatial). Filters are [*kernel, out, in]: the
case's [in, out, *kernel] with its axes reversed in pairs. The call is built once (`call`),
for the run and the script alike.
"""

from __future__ import annotations

import numpy as np

from adapters.tensorflow._common import conv_code, data_format, explicit, full, run_conv
from harness.adapter_api import Call, Case, NotExpressible, Served, implied_spatial

APIS_BY_OP = {f"conv_transpose{r}d": f"tf.nn.conv{r}d_transpose" for r in (1, 2, 3)}


def _padding(case: Case, env=None):
    """'SAME', 'VALID', or explicit pads on every axis (conv2d_transpose only)."""
    api = APIS_BY_OP[case.op]
    if case.groups > 1:
        raise NotExpressible(f"{api} takes no groups")
    kind = case.padding.kind
    if kind in ("valid", "same"):
        return kind.upper()
    if kind == "same_lower" or case.op != "conv_transpose2d":
        raise NotExpressible(f"{api} takes 'SAME' or 'VALID', not {case.padding}")
    return explicit(case, env)


def call(case: Case, env=None) -> Call:
    """Output shape, padding, strides, dilations and layout as each op spells them."""
    output_shape = full(list(implied_spatial(case)), case.batch, case.out_channels, env)
    steps: dict[str, int | list[int]]
    if case.op == "conv_transpose1d":
        steps = dict(strides=case.stride[0], dilations=case.dilation[0])
    elif case.op == "conv_transpose3d":
        steps = dict(
            strides=full(list(case.stride), 1, 1, env),
            dilations=full(list(case.dilation), 1, 1, env),
        )
    else:
        steps = dict(strides=list(case.stride), dilations=list(case.dilation))
    arguments = dict(
        output_shape=output_shape,
        padding=_padding(case, env),
        data_format=data_format(case.rank, env),
        **steps,
    )
    return Call(APIS_BY_OP[case.op], arguments)


def run(case: Case, x, w, b, device: str) -> np.ndarray:
    return run_conv(case, call(case), x, w, b, device)


def code(case: Case, env: dict[str, str]) -> str:
    return conv_code(case, env, call(case, env), "[*kernel, out, in]")


FAMILY = "conv_transpose"  # the operator family this module serves
SERVED = {"tf.nn": Served(APIS_BY_OP, run, code)}
