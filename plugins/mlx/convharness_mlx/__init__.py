"""MLX: convolution, transposed convolution and pooling at rank 1, 2 and 3, three ways.

- mlx.core: mlx.core.conv1d/2d/3d and conv_transpose1d/2d/3d (one pad per axis, and
  output_padding for the transposed ones).
- mlx.conv_general: mlx.core.conv_general with (low, high) pads per axis; a transposed case
  through its input_dilation and flip=True, as MLX builds conv_transpose itself.
- mlx.nn: the layers mlx.nn.Conv1d/2d/3d, ConvTranspose1d/2d/3d, MaxPool1d/2d/3d and
  AvgPool1d/2d/3d, the only pooling MLX has.

MLX is channels-last: the case's arrays are moved to [N, *spatial, C] and the weight to
[O, *kernel, C/groups] before the call, and the output back after. MLX has no 'same' word in
any of these APIs. The calls are built once (calls.py) for both the run and the reproduction
script. Only this module's functions import MLX.
"""

from __future__ import annotations

from importlib import resources

import numpy as np

from harness.adapter_api import ConvApi, channels_first, channels_last, measured_refusals
from harness.case import Case

from . import calls

FRAMEWORK = "mlx"
REQUIRES = "mlx.core"  # `mlx` alone is a namespace; its core needs the mlx-cpu (or cuda) build


def version() -> str:
    import mlx.core as mx

    return mx.__version__


def devices() -> list[str]:
    import mlx.core as mx

    return ["cpu"] + (["gpu:0"] if mx.is_available(mx.gpu) else [])


def _function(api: str):
    """The MLX function or layer class a dotted name (without its parenthesised note) names."""
    import mlx.core
    import mlx.nn

    module, name = api.split("(")[0].rsplit(".", 1)
    return getattr({"mlx.core": mlx.core, "mlx.nn": mlx.nn}[module], name)


def _weight(layout: calls.Layout, w: np.ndarray) -> np.ndarray:
    return w.reshape(layout.before).transpose(layout.axes).reshape(layout.after)


def _numpy_dtype(dtype: str) -> str:
    """What mlx.array is handed: the case's dtype, or float32 for bfloat16 (NumPy has none;
    the values are exact in bfloat16, so mlx.array's cast rounds nothing)."""
    return "float32" if dtype == "bfloat16" else dtype


def _run(builder):
    def run(case: Case, x, w, b, device: str) -> np.ndarray:
        import mlx.core as mx

        call = builder(case)
        dtype = getattr(mx, case.dtype)

        def array(a: np.ndarray):
            return mx.array(np.asarray(a, _numpy_dtype(case.dtype)), dtype=dtype)

        with mx.stream(mx.cpu if device == "cpu" else mx.gpu):
            xm = array(channels_last(x))
            if call.layout is None:
                y = _function(call.api)(**call.kwargs)(xm)
            else:
                wm = array(_weight(call.layout, w))
                bm = None if b is None else array(b)
                if call.layer:
                    layer = _function(call.api)(**call.kwargs)
                    layer.weight = wm
                    if bm is not None:
                        layer.bias = bm
                    y = layer(xm)
                else:
                    y = _function(call.api)(xm, wm, **call.kwargs)
                    y = y if bm is None else y + bm
            wide = mx.float64 if case.dtype == "float64" else mx.float32
            return channels_first(np.array(y.astype(wide), np.float64))

    return run


def _code(builder):
    def code(case: Case, env: dict[str, str]) -> str:
        call = builder(case)
        name = call.api.split("(")[0]
        wide = "float64" if case.dtype == "float64" else "float32"
        lines = [
            "import mlx.core",
            "import mlx.nn",
            f"dtype = mlx.core.{case.dtype}",
            "def mlx_array(a):  # the values are exact in every tested dtype",
            f"    return mlx.core.array(a.astype({_numpy_dtype(case.dtype)!r}), dtype=dtype)",
            "xm = mlx_array(np.moveaxis(x, 1, -1))  # [N, *spatial, C]",
        ]
        if call.layout is None:
            lines.append(f"y = {name}(**{call.kwargs!r})(xm)")
        else:
            layout = call.layout
            lines.append(
                f"wm = mlx_array(w.reshape({layout.before}).transpose({layout.axes})"
                f".reshape({layout.after}))  # [O, *k, C/g]"
            )
            lines.append("bm = None if b is None else mlx_array(b)")
            if call.layer:
                lines += [
                    f"layer = {name}(**{call.kwargs!r})",
                    "layer.weight = wm",
                    "if bm is not None:",
                    "    layer.bias = bm",
                    "y = layer(xm)",
                ]
            else:
                lines += [
                    f"y = {name}(xm, wm, **{call.kwargs!r})",
                    "y = y if bm is None else y + bm",
                ]
        lines.append(f"y = np.moveaxis(np.array(y.astype(mlx.core.{wide}), 'float64'), -1, 1)")
        return "".join(line + "\n" for line in lines)

    return code


RANKS = calls.RANKS
APIS = [
    ConvApi(
        "mlx.core",
        {
            **{f"conv{r}d": f"mlx.core.conv{r}d" for r in RANKS},
            **{f"conv_transpose{r}d": f"mlx.core.conv_transpose{r}d" for r in RANKS},
        },
        _run(calls.core),
        _code(calls.core),
    ),
    ConvApi(
        "mlx.conv_general",
        {
            **{f"conv{r}d": calls.GENERAL for r in RANKS},
            **{f"conv_transpose{r}d": calls.GENERAL_TRANSPOSED for r in RANKS},
        },
        _run(calls.general),
        _code(calls.general),
    ),
    ConvApi(
        "mlx.nn",
        {
            **{f"conv{r}d": f"mlx.nn.Conv{r}d" for r in RANKS},
            **{f"conv_transpose{r}d": f"mlx.nn.ConvTranspose{r}d" for r in RANKS},
            **{f"max_pool{r}d": f"mlx.nn.MaxPool{r}d" for r in RANKS},
            **{f"avg_pool{r}d": f"mlx.nn.AvgPool{r}d" for r in RANKS},
        },
        _run(calls.layer),
        _code(calls.layer),
    ),
]

# Data, read by the harness (harness/catalog/plugins.py): conventions with citations, known bugs.
CONVENTIONS = resources.files(__name__).joinpath("conventions.toml").read_text()
REGISTRY = resources.files(__name__).joinpath("registry.toml").read_text()

# One case per documented refusal, measured (tests/test_verdicts.py runs each): refusal id ->
# (adapter, the case as `convharness explain --cases` reads it); and refusals checked at
# another rank, (refusal id, adapter, op).
REFUSAL_CASES, REFUSAL_RANKS = measured_refusals(__name__)
