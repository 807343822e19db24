"""OpenVINO: Convolution, GroupConvolution, ConvolutionBackpropData,
GroupConvolutionBackpropData, MaxPool and AvgPool at rank 1, 2 and 3, each a one-operation
`openvino.Model` (plus an Add for the bias) compiled on the CPU plugin.

The case's input is the model's Parameter; the weight, the bias and a backprop op's
output_shape are constants, as in a converted model. Two adapters: `openvino` states every case
through the attributes (auto_pad, pads_begin/pads_end, output_padding, output_shape where the case
asks for a size); `openvino.output_shape` states a transposed case's output size through the
backprop op's third input, output_shape, always (calls.py says when it can).

The variant `openvino` compiles with EXECUTION_MODE_HINT ACCURACY (each model in its own
precision where the plugin has one); the plugin's default, PERFORMANCE, computes float32 in bf16
on a CPU with AVX512_BF16 or AMX, too far from float32 for the values and the classic questions
to be checked. `openvino-performance` runs that default; it is listed only where
CONVHARNESS_OPENVINO_PERFORMANCE=1 (registered: openvino-cpu-infers-float32-in-bf16). Only this
package's functions import openvino.
"""

from __future__ import annotations

import os
from functools import cache
from importlib import resources

import numpy as np

from harness.adapter_api import ConvApi, NotExpressible, cast, measured_refusals
from harness.case import Case

from . import calls

FRAMEWORK = "openvino"
REQUIRES = "openvino"
MODE = "CONVHARNESS_OPENVINO_EXECUTION_MODE"  # the variant's EXECUTION_MODE_HINT
ELEMENTS = {"float32": "f32", "float64": "f64", "float16": "f16", "bfloat16": "bf16"}
VARIANTS = [{"name": "openvino"}]
if os.environ.get("CONVHARNESS_OPENVINO_PERFORMANCE") == "1":  # opt-in: the plugin's default
    VARIANTS.append(
        {"name": "openvino-performance", "tag": "performance", "env": {MODE: "PERFORMANCE"}}
    )


def version() -> str:
    import openvino

    return openvino.__version__.split("-")[0]


def devices() -> list[str]:
    return ["cpu"]


@cache
def _core():
    import openvino

    return openvino.Core()


def _config(env) -> dict[str, str]:
    return {"EXECUTION_MODE_HINT": env.get(MODE, "ACCURACY")}


def _tensor(values: np.ndarray, dtype: str, keep: list):
    """An openvino.Tensor of the case's dtype (bfloat16 through its bits: NumPy has none). A
    Tensor made from an array, a shape and a type shares the array's memory without holding it:
    `keep` holds it until the request has run."""
    import openvino

    data = np.ascontiguousarray(cast(values, dtype))
    keep.append(data)
    if dtype == "bfloat16":
        return openvino.Tensor(data.view(np.uint16), list(data.shape), openvino.Type.bf16)
    return openvino.Tensor(data)


def _check(case: Case, form: str) -> calls.Call:
    if case.dtype == "float64":
        raise NotExpressible(
            "OpenVINO's CPU plugin has no float64 inference precision (f32, bf16, f16): "
            "a float64 model is computed in float32 and cast back"
        )
    if form == "output_shape" and case.family != "conv_transpose":
        raise NotExpressible("output_shape is an input of the backprop ops alone")
    return calls.call(case, form)


def _bias_shape(case: Case) -> list[int]:
    return [1, case.out_channels] + [1] * case.rank


def model(case: Case, w, b, form: str = "attributes", keep: list | None = None):
    """The one-operation openvino.Model (the op, then + b) for a case; `keep` holds the
    constants' arrays (_tensor)."""
    keep = [] if keep is None else keep
    import openvino

    ops = getattr(openvino, calls.OPSET)
    spec = _check(case, form)
    element = getattr(openvino.Type, ELEMENTS[case.dtype])
    x_in = ops.parameter(list(case.input_shape), element, name="x")
    inputs = [x_in]
    if w is not None:
        weight = w if spec.weight_shape is None else w.reshape(spec.weight_shape)
        inputs.append(ops.constant(_tensor(weight, case.dtype, keep)))
    arguments = dict(spec.arguments)
    if spec.output_shape is not None:
        arguments["output_shape"] = ops.constant(np.array(spec.output_shape, np.int64))
    node = getattr(ops, spec.function)(*inputs, **arguments).output(0)
    if b is not None:
        node = ops.add(node, ops.constant(_tensor(b.reshape(_bias_shape(case)), case.dtype, keep)))
    return openvino.Model([node], [x_in], "case")


def _output(tensor, dtype: str) -> np.ndarray:
    data = np.asarray(tensor.data)
    if dtype == "bfloat16":
        import ml_dtypes

        data = data.view(ml_dtypes.bfloat16)
    return np.asarray(data, np.float64)


def _runner(form: str):
    def run(case: Case, x, w, b, device: str) -> np.ndarray:
        keep: list = []
        built = model(case, w, b, form, keep)
        compiled = _core().compile_model(built, "CPU", _config(os.environ))
        request = compiled.create_infer_request()
        request.infer({0: _tensor(x, case.dtype, keep)})
        return _output(request.get_output_tensor(0), case.dtype)

    return run


def _coder(form: str):
    def code(case: Case, env: dict[str, str]) -> str:
        spec = _check(case, form)
        arguments = ", ".join(f"{key}={value!r}" for key, value in spec.arguments.items())
        lines = [
            "import openvino",
            f"import openvino.{calls.OPSET} as ops",
            f"dtype = {case.dtype!r}",
        ]
        if case.dtype == "bfloat16":
            lines += [
                "import ml_dtypes",
                "keep = []  # a Tensor made from an array, shape and type shares its memory",
                "def tensor(a):",
                "    a = np.ascontiguousarray(np.asarray(a).astype(ml_dtypes.bfloat16))",
                "    keep.append(a)",
                "    return openvino.Tensor(a.view(np.uint16), list(a.shape), openvino.Type.bf16)",
            ]
        else:
            lines += [
                "def tensor(a):",
                "    return openvino.Tensor(np.ascontiguousarray(np.asarray(a).astype(dtype)))",
            ]
        lines += [
            f"x_in = ops.parameter(list(x.shape), openvino.Type.{ELEMENTS[case.dtype]})",
            "inputs = [x_in]",
        ]
        if case.family != "pool":
            reshape = "" if spec.weight_shape is None else f".reshape({spec.weight_shape!r})"
            lines.append(f"inputs.append(ops.constant(tensor(w{reshape})))")
        if spec.output_shape is not None:
            out_shape = f"ops.constant(np.array({list(spec.output_shape)!r}, np.int64))"
            arguments += f", output_shape={out_shape}"
        lines += [
            f"node = ops.{spec.function}(*inputs, {arguments}).output(0)",
            "if b is not None:",
            f"    node = ops.add(node, ops.constant(tensor(b.reshape({_bias_shape(case)!r}))))",
            'compiled = openvino.Core().compile_model(openvino.Model([node], [x_in]), "CPU",',
            f"                                        {_config(env)!r})",
            "request = compiled.create_infer_request()",
            "request.infer({0: tensor(x)})",
            "y = np.asarray(request.get_output_tensor(0).data)",
        ]
        if case.dtype == "bfloat16":
            lines.append("y = y.view(ml_dtypes.bfloat16)")
        lines.append('y = np.asarray(y, "float64")')
        return "\n".join(lines) + "\n"

    return code


def _calls(template: str, ops: dict[str, str]) -> dict[str, str]:
    return {op: template.format(function=function) for op, function in ops.items()}


CONV_OPS = {f"conv{r}d": "convolution/group_convolution" for r in (1, 2, 3)}
TRANSPOSE_OPS = {
    f"conv_transpose{r}d": "convolution_backprop_data/group_convolution_backprop_data"
    for r in (1, 2, 3)
}
POOL_OPS = {f"{kind}_pool{r}d": f"{kind}_pool" for kind in ("max", "avg") for r in (1, 2, 3)}
API = f"openvino.{calls.OPSET}.{{function}}"
APIS = [
    ConvApi(
        "openvino",
        _calls(API, {**CONV_OPS, **TRANSPOSE_OPS, **POOL_OPS}),
        _runner("attributes"),
        _coder("attributes"),
    ),
    ConvApi(
        "openvino.output_shape",
        _calls(API + "(output_shape)", TRANSPOSE_OPS),
        _runner("output_shape"),
        _coder("output_shape"),
    ),
]

# Data, read by the harness (harness/catalog/plugins.py): conventions with citations, known bugs.
CONVENTIONS = resources.files(__name__).joinpath("conventions.toml").read_text()
REGISTRY = resources.files(__name__).joinpath("registry.toml").read_text()

# One case per documented refusal, measured (tests/test_verdicts.py runs each): refusal id ->
# (adapter, the case as `convharness explain --cases` reads it); and refusals checked at
# another rank, (refusal id, adapter, op).
REFUSAL_CASES, REFUSAL_RANKS = measured_refusals(__name__)
