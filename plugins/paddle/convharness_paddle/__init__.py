"""PaddlePaddle: paddle.nn.functional's conv1d/2d/3d, conv1d/2d/3d_transpose, max_pool1d/2d/3d and
avg_pool1d/2d/3d (the `paddle.functional` adapter), and the layers paddle.nn.Conv1D/2D/3D,
Conv1D/2D/3DTranspose, MaxPool1D/2D/3D and AvgPool1D/2D/3D (`paddle.layer`).

Both run in the case's layout, channels first (NCL, NCHW, NCDHW); the `paddle-nhwc` variant
(CONVHARNESS_PADDLE_CHANNELS_LAST=1) states the same calls with data_format NLC, NHWC or NDHWC
on arrays moved there, the weights staying [O, C/groups, *kernel] as Paddle keeps them in every
layout. The arguments of every call come from call.build, for the run and the repro alike.
Only this module's functions import paddle.
"""

from __future__ import annotations

import os
from importlib import resources

import numpy as np

from harness.adapter_api import ConvApi, cast, channels_first
from harness.adapter_api import channels_last as to_channels_last
from harness.case import Case

from . import call

FRAMEWORK = "paddle"
REQUIRES = "paddle"

VARIANTS = [
    {"name": "paddle"},
    {"name": "paddle-nhwc", "tag": "nhwc", "env": {call.CHANNELS_LAST: "1"}},
]


def _paddle():
    import paddle

    paddle.disable_static()
    return paddle


def version() -> str:
    return _paddle().__version__


def devices() -> list[str]:
    paddle = _paddle()
    gpus = paddle.device.cuda.device_count() if paddle.is_compiled_with_cuda() else 0
    return ["cpu"] + [f"gpu:{i}" for i in range(gpus)]


def _place(paddle, device: str):
    return paddle.CPUPlace() if device == "cpu" else paddle.CUDAPlace(int(device.split(":")[1]))


def _tensor(paddle, values, case: Case, device: str, last: bool = False):
    """The case's float64 values as a Paddle tensor of its dtype (bfloat16 through float32,
    whose values it holds exactly), moved channels-last where the call is stated so."""
    if values is None:
        return None
    values = to_channels_last(values) if last else values
    place = _place(paddle, device)
    if case.dtype == "bfloat16":
        return paddle.to_tensor(cast(values, "float32"), place=place).astype("bfloat16")
    return paddle.to_tensor(cast(values, case.dtype), place=place)


def _resolve(paddle, name: str):
    found = paddle
    for part in name.split(".")[1:]:
        found = getattr(found, part)
    return found


def _run(form: str):
    def run(case: Case, x, w, b, device: str) -> np.ndarray:
        paddle = _paddle()
        spec = call.build(case, form, os.environ)
        tx = _tensor(paddle, x, case, device, spec.channels_last)
        tw, tb = (_tensor(paddle, a, case, device) for a in (w, b))
        function = _resolve(paddle, spec.name)
        with paddle.no_grad():
            if form == "functional":
                arrays = (tx,) if case.family == "pool" else (tx, tw, tb)
                y = function(*arrays, **spec.kwargs)
            else:
                default = paddle.get_default_dtype()
                paddle.set_default_dtype(case.dtype)
                try:
                    layer = function(**spec.kwargs)
                finally:
                    paddle.set_default_dtype(default)
                if tw is not None:
                    layer.weight.set_value(tw)
                if tb is not None:
                    layer.bias.set_value(tb)
                y = layer(tx, **spec.forward)
        out = np.asarray(y.astype("float64").numpy())
        return channels_first(out) if spec.channels_last else out

    return run


def _code(form: str):
    def code(case: Case, env: dict[str, str]) -> str:
        spec = call.build(case, form, env)
        pooling = case.family == "pool"
        move = "np.moveaxis({}, 1, -1)" if spec.channels_last else "{}"
        lines = ["import paddle", f"dtype = {case.dtype!r}"]
        lines.append(f"tx = paddle.to_tensor({move.format('x')}.astype('float32')).astype(dtype)")
        if not pooling:
            lines += [
                "tw = paddle.to_tensor(w.astype('float32')).astype(dtype)  # [O, C/g, *k]",
                "tb = None if b is None else paddle.to_tensor(b.astype('float32')).astype(dtype)",
            ]
        if form == "functional":
            arrays = "tx" if pooling else "tx, tw, tb"
            lines.append(f"y = {spec.name}({arrays}, **{spec.kwargs!r})")
        else:
            lines += [
                "paddle.set_default_dtype(dtype)",
                f"layer = {spec.name}(**{spec.kwargs!r})",
            ]
            if not pooling:
                lines += [
                    "layer.weight.set_value(tw)",
                    "if tb is not None:",
                    "    layer.bias.set_value(tb)",
                ]
            lines.append(f"y = layer(tx, **{spec.forward!r})")
        back = "np.moveaxis({}, -1, 1)" if spec.channels_last else "{}"
        lines.append("y = " + back.format("y.astype('float64').numpy()"))
        return "\n".join(lines) + "\n"

    return code


APIS = [
    ConvApi("paddle.functional", call.FUNCTIONAL, _run("functional"), _code("functional")),
    ConvApi("paddle.layer", call.LAYER, _run("layer"), _code("layer")),
]

# Data, read by the harness (harness/running/plugins.py): conventions with citations, known bugs.
CONVENTIONS = resources.files(__name__).joinpath("conventions.toml").read_text()
REGISTRY = resources.files(__name__).joinpath("registry.toml").read_text()


# One case per documented refusal, measured (tests/test_verdicts.py runs each): rule -> (adapter,
# the case as `convharness explain --cases` reads it); and rules checked at another rank.
REFUSAL_CASES = {
    "paddle/conv-half-on-cpu": (
        "paddle.functional",
        {
            "op": "conv2d",
            "input": [1, 2, 6, 6],
            "out_channels": 3,
            "kernel": [3, 3],
            "stride": [1, 1],
            "dilation": [1, 1],
            "groups": 1,
            "padding": "valid",
            "bias": True,
            "dtype": "float16",
        },
    ),
    "paddle/negative-pad": (
        "paddle.layer",
        {
            "op": "conv2d",
            "input": [1, 2, 6, 6],
            "out_channels": 3,
            "kernel": [3, 3],
            "stride": [1, 1],
            "dilation": [1, 1],
            "groups": 1,
            "padding": [-1, 0, 0, 0],
            "bias": True,
            "dtype": "float32",
        },
    ),
    "paddle/negative-output": (
        "paddle.functional",
        {
            "op": "conv2d",
            "input": [1, 2, 2, 6],
            "out_channels": 3,
            "kernel": [5, 5],
            "stride": [1, 1],
            "dilation": [1, 1],
            "groups": 1,
            "padding": "valid",
            "bias": True,
            "dtype": "float32",
        },
    ),
    "paddle/transposed-half-on-cpu": (
        "paddle.functional",
        {
            "op": "conv_transpose2d",
            "input": [1, 2, 5, 5],
            "out_channels": 2,
            "kernel": [3, 3],
            "stride": [1, 1],
            "dilation": [1, 1],
            "groups": 1,
            "padding": "valid",
            "bias": True,
            "dtype": "float16",
        },
    ),
    "paddle/transposed-negative-pad": (
        "paddle.layer",
        {
            "op": "conv_transpose2d",
            "input": [1, 2, 5, 5],
            "out_channels": 2,
            "kernel": [3, 3],
            "stride": [1, 1],
            "dilation": [1, 1],
            "groups": 1,
            "padding": -1,
            "bias": True,
            "dtype": "float32",
        },
    ),
    "paddle/output-padding-too-large": (
        "paddle.functional",
        {
            "op": "conv_transpose2d",
            "input": [1, 2, 5, 5],
            "out_channels": 2,
            "kernel": [3, 3],
            "stride": [2, 2],
            "dilation": [1, 1],
            "groups": 1,
            "padding": "valid",
            "bias": True,
            "dtype": "float32",
            "output_padding": [2, 2],
        },
    ),
    "paddle/output-size-out-of-range": (
        "paddle.layer",
        {
            "op": "conv_transpose2d",
            "input": [1, 2, 5, 5],
            "out_channels": 2,
            "kernel": [3, 3],
            "stride": [1, 1],
            "dilation": [2, 2],
            "groups": 1,
            "padding": "valid",
            "bias": True,
            "dtype": "float32",
            "output_shape": [10, 10],
        },
    ),
    "paddle/transposed-negative-output": (
        "paddle.functional",
        {
            "op": "conv_transpose2d",
            "input": [1, 2, 1, 5],
            "out_channels": 2,
            "kernel": [1, 1],
            "stride": [1, 1],
            "dilation": [1, 1],
            "groups": 1,
            "padding": 2,
            "bias": True,
            "dtype": "float32",
        },
    ),
    "paddle/pool-bfloat16-on-cpu": (
        "paddle.functional",
        {
            "op": "max_pool2d",
            "input": [1, 2, 6, 6],
            "out_channels": 2,
            "kernel": [2, 2],
            "stride": [1, 1],
            "dilation": [1, 1],
            "groups": 1,
            "padding": "valid",
            "bias": False,
            "dtype": "bfloat16",
        },
    ),
    "paddle/pool-valid-ceil-mode": (
        "paddle.layer",
        {
            "op": "max_pool2d",
            "input": [1, 2, 7, 7],
            "out_channels": 2,
            "kernel": [2, 2],
            "stride": [2, 2],
            "dilation": [1, 1],
            "groups": 1,
            "padding": "valid",
            "bias": False,
            "dtype": "float32",
            "ceil_mode": True,
        },
    ),
    "paddle/pool-negative-output": (
        "paddle.functional",
        {
            "op": "avg_pool2d",
            "input": [1, 2, 2, 2],
            "out_channels": 2,
            "kernel": [5, 5],
            "stride": [1, 1],
            "dilation": [1, 1],
            "groups": 1,
            "padding": "valid",
            "bias": False,
            "dtype": "float32",
        },
    ),
}
REFUSAL_RANKS = []
