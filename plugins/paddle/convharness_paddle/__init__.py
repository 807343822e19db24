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

from harness.adapter_api import ConvApi, cast, channels_first, measured_refusals
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

# Data, read by the harness (harness/catalog/plugins.py): conventions with citations, known bugs.
CONVENTIONS = resources.files(__name__).joinpath("conventions.toml").read_text()
REGISTRY = resources.files(__name__).joinpath("registry.toml").read_text()

# One case per documented refusal, measured (tests/test_verdicts.py runs each): refusal id ->
# (adapter, the case as `convharness explain --cases` reads it); and refusals checked at
# another rank, (refusal id, adapter, op).
REFUSAL_CASES, REFUSAL_RANKS = measured_refusals(__name__)
