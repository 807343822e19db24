"""Verdicts on real framework outcomes: documented refusals, and what a wrong convention looks like.

Every outcome here comes from a real framework run. Where a test changes something, it changes
the documentation (a convention), never the framework's answer.
"""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil

import pytest

from harness import ops
from harness.case import Case, Padding
from harness.catalog import plugins, variants
from harness.families.conv.record import CLASSIC
from harness.model import conventions, inference, inputs, registry
from harness.model.assess import Result, assess
from harness.model.reference import conv
from harness.model.verdicts import judge
from harness.running import survey as surveying
from harness.running.runner import Runner
from harness.suite.helpers import by_adapter


def _case(h, w, k, padding="valid", stride=1, dilation=1, batch=1, dtype="float32"):
    return Case(
        dtype=dtype,
        batch=batch,
        in_channels=2,
        out_channels=3,
        spatial=(h, w),
        kernel=(k, k),
        stride=(stride, stride),
        dilation=(dilation, dilation),
        padding=Padding.parse(padding),
    )


def _pool(op, size, k, padding="valid", dtype="float32"):
    rank = int(op[-2])
    data = {"op": op, "input": [1, 2] + [size] * rank, "kernel": k, "padding": padding}
    return Case.from_json({**data, "stride": 1, "dtype": dtype})


# One case per documented refusal: the data in conventions.toml is measured, not just typed.
REFUSAL_CASES = {
    "torch/pool-pad-past-half": ("torch.functional", _pool("max_pool2d", 6, 3, padding=2)),
    "torch/pool-output-too-small": ("torch.module", _pool("avg_pool1d", 4, 5)),
    "torch/avg-pool3d-kernel-exceeds-input": (
        "torch.functional",
        Case.from_json(
            {"op": "avg_pool3d", "input": [1, 2, 4, 1, 4], "kernel": [1, 3, 2], "ceil_mode": True}
        ),
    ),
    "torch/avg-pool3d-half-on-cpu": (
        "torch.functional",
        _pool("avg_pool3d", 4, 2, dtype="float16"),
    ),
    "tf/pool-negative-output": ("tf.nn", _pool("avg_pool2d", 3, 5)),
    "tf/pool-pad-reaches-kernel": ("tf.nn", _pool("max_pool2d", 6, 2, padding=2)),
    "tf/pool3d-dtype": ("tf.nn", _pool("max_pool3d", 4, 2, dtype="float64")),
    "keras/pool-nonpositive-output": ("keras[tensorflow]", _pool("max_pool1d", 3, 5)),
    "onnxruntime/pool-negative-output": ("onnxruntime", _pool("max_pool2d", 2, 5)),
    "onnxruntime/pool-pad-reaches-kernel": ("onnxruntime", _pool("max_pool2d", 6, 2, padding=2)),
    "onnxruntime/no-float64-averagepool-on-cpu": (
        "onnxruntime",
        _pool("avg_pool2d", 6, 2, dtype="float64"),
    ),
    "torch/strided-same-functional": ("torch.functional", CLASSIC[1]),
    "torch/strided-same-module": ("torch.module", CLASSIC[1]),
    "torch/negative-pad": ("torch.functional", _case(6, 6, 3, padding=-1)),
    "torch/kernel-exceeds-input": ("torch.functional", _case(2, 5, 3)),
    "torch/pad-crops-past-the-input": ("torch.padded", _case(3, 3, 1, padding=[-2, -2, 0, 0])),
    "tf/negative-output": ("tf.nn", _case(1, 1, 5)),
    "tf/negative-explicit-pad": ("tf.nn", _case(6, 6, 3, padding=[-1, 0, 0, 0])),
    "keras/strided-dilated": ("keras[tensorflow]", _case(9, 9, 3, stride=2, dilation=2)),
    "keras/nonpositive-output": ("keras[tensorflow]", _case(2, 2, 3)),
    "keras/zero-padding-negative": (
        "keras.padded[tensorflow]",
        _case(6, 6, 3, padding=[-1, 0, 0, 0]),
    ),
    "jax/padded-negative": ("jax.lax", _case(3, 3, 1, padding=[-2, -2, 0, 0])),
    "flax/padded-negative": ("flax.linen", _case(3, 3, 1, padding=[-2, -2, 0, 0])),
    # the ONNX Runtime plugin's rules, where it is installed
    "onnxruntime/same-with-dilation": ("onnxruntime", _case(9, 9, 3, "same", dilation=2)),
    "onnxruntime/nonpositive-output": ("onnxruntime", _case(2, 2, 3)),
    "onnxruntime/negative-pads": ("onnxruntime", _case(6, 6, 3, padding=[-1, 0, 0, 0])),
    "onnxruntime/no-float64-conv-on-cpu": ("onnxruntime", _case(6, 6, 3, dtype="float64")),
    "tf/conv3d-groups": (
        "tf.nn",
        Case.from_json(
            {"op": "conv3d", "input": [1, 4, 5, 5, 5], "out_channels": 4, "kernel": 3, "groups": 2}
        ),
    ),
}


def _transposed(**fields) -> Case:
    """A conv_transpose2d case: 1x2x5x5 input, 3x3 kernel, unless `fields` say otherwise."""
    data = {"op": "conv_transpose2d", "input": [1, 2, 5, 5], "out_channels": 2, "kernel": 3}
    return Case.from_json({**data, **fields})


_CROPPED_AWAY = {"input": [1, 2, 1, 1], "kernel": 1, "padding": 2}  # an output size of -3
REFUSAL_CASES.update(
    {
        "torch/output-padding-too-large": (
            "torch.functional",
            _transposed(stride=2, output_padding=2),
        ),
        "torch/transposed-negative-pad": ("torch.functional", _transposed(padding=-1)),
        "torch/output-size-out-of-range": (
            "torch.module",
            _transposed(dilation=2, output_shape=[10, 10]),
        ),
        "torch/transposed-output-too-small": ("torch.module", _transposed(**_CROPPED_AWAY)),
        "tf/transposed-size-out-of-range": ("tf.nn", _transposed(stride=2, output_padding=2)),
        "tf/transposed-negative-output": ("tf.nn", _transposed(**_CROPPED_AWAY)),
        "tf/transposed-negative-explicit-pad": (
            "tf.nn[no-onednn]",
            _transposed(padding=[-1, 0, 0, 0]),
        ),
        "keras/output-padding-not-below-stride": (
            "keras[tensorflow]",
            _transposed(stride=2, padding="same", output_padding=2),
        ),
        "keras/transposed-strided-dilated": (
            "keras[jax]",
            _transposed(stride=2, dilation=2, padding="same"),
        ),
        "jax/transposed-padded-negative": ("jax.lax", _transposed(**_CROPPED_AWAY)),
        "flax/transposed-padded-negative": ("flax.nnx", _transposed(**_CROPPED_AWAY)),
        "onnxruntime/transposed-float64": ("onnxruntime", _transposed(dtype="float64")),
        "onnxruntime/output-padding-too-large": (
            "onnxruntime",
            _transposed(stride=2, padding=1, output_padding=2),
        ),
        "onnxruntime/transposed-nonpositive-output": ("onnxruntime", _transposed(**_CROPPED_AWAY)),
        "onnxruntime/output-padding-not-below-stride": (
            "onnxruntime",
            _transposed(padding="same", dilation=2, output_padding=1),
        ),
        "onnxruntime/output-shape-out-of-range": (
            "onnxruntime",
            _transposed(dilation=2, output_shape=[10, 10]),
        ),
    }
)

# The channels-first variant's refusals: TensorFlow's own CPU kernels, where oneDNN does not go.
REFUSAL_CASES.update(
    {
        "tf/nchw-outside-onednn": (
            "tf.nn[nchw]",
            Case.from_json(
                {
                    "op": "conv2d",
                    "input": [1, 2, 8, 8],
                    "out_channels": 2,
                    "kernel": 3,
                    "dtype": "float64",
                }
            ),
        ),
        "tf/transposed-nchw-outside-onednn": ("tf.nn[nchw]", _transposed(dtype="float16")),
        "tf/transposed-nchw-explicit-pads": ("tf.nn[nchw]", _transposed(stride=2, padding=1)),
        "tf/pool-nchw-outside-onednn": ("tf.nn[nchw]", _pool("max_pool2d", 6, 2, dtype="float64")),
        "tf/pool-nchw-explicit-pads": ("tf.nn[nchw]", _pool("max_pool2d", 6, 3, padding=1)),
        "torch/avg-pool3d-kernel-exceeds-padded-input": (
            "torch.padded",
            Case.from_json(
                {
                    "op": "avg_pool3d",
                    "input": [1, 2, 4, 1, 4],
                    "kernel": [1, 3, 2],
                    "padding": [[0, 0], [0, 1], [0, 0]],
                }
            ),
        ),
    }
)

# The same rules at rank 1 and 3: the API names of every rank are listed, and measured.
OTHER_RANKS = [
    ("torch/strided-same-functional", "torch.functional", "conv1d"),
    ("torch/strided-same-module", "torch.module", "conv3d"),
    ("torch/negative-pad", "torch.functional", "conv3d"),
    ("torch/kernel-exceeds-input", "torch.module", "conv1d"),
    ("torch/pad-crops-past-the-input", "torch.padded", "conv3d"),
    ("tf/negative-output", "tf.nn", "conv1d"),
    ("keras/strided-dilated", "keras[tensorflow]", "conv3d"),
    ("keras/nonpositive-output", "keras[jax]", "conv1d"),
    ("keras/zero-padding-negative", "keras.padded[torch]", "conv3d"),
    ("jax/padded-negative", "jax.lax", "conv1d"),
    ("flax/padded-negative", "flax.nnx", "conv3d"),
    ("onnxruntime/nonpositive-output", "onnxruntime", "conv3d"),
]


def _plugin_cases() -> tuple[dict[str, tuple[str, Case]], list[tuple[str, str, str]]]:
    """The refusal cases every installed plugin carries (REFUSAL_CASES: rule -> (adapter, case
    as JSON); REFUSAL_RANKS: (rule, adapter, op) to check at another rank)."""
    cases: dict[str, tuple[str, Case]] = {}
    ranks: list[tuple[str, str, str]] = []
    for _, module in plugins.modules():
        for rule, (adapter, data) in getattr(module, "REFUSAL_CASES", {}).items():
            cases[rule] = (adapter, Case.from_json(data))
        ranks += [tuple(entry) for entry in getattr(module, "REFUSAL_RANKS", ())]
    return cases, ranks


def _module_cases() -> dict[str, tuple[str, Case]]:
    """The refusal cases the adapters' modules carry beside their calls (a family module's
    REFUSAL_CASES: rule -> (adapter, case as JSON)), found in every variant's package as the
    adapters' family modules are: a new family's refusals come with its modules."""
    cases: dict[str, tuple[str, Case]] = {}
    for package in dict.fromkeys(variant.module for variant in variants.load()):
        for info in pkgutil.iter_modules(importlib.import_module(package).__path__):
            module = importlib.import_module(f"{package}.{info.name}")
            for rule, (adapter, data) in getattr(module, "REFUSAL_CASES", {}).items():
                cases[rule] = (adapter, Case.from_json(data))
    return cases


PLUGIN_CASES, PLUGIN_RANKS = _plugin_cases()
REFUSAL_CASES.update(PLUGIN_CASES)
REFUSAL_CASES.update(_module_cases())
OTHER_RANKS += PLUGIN_RANKS


def _at_rank(case: Case, op: str) -> Case:
    """The case with its first axis's size, kernel, stride, dilation and pads on every axis."""
    rank = int(op[4])
    data = case.to_json()
    pads = case.padding.pairs()[0] if case.padding.kind == "explicit" else None
    return Case.from_json(
        {
            **data,
            "op": op,
            "input": data["input"][:2] + [data["input"][2]] * rank,
            "kernel": case.kernel[0],
            "stride": case.stride[0],
            "dilation": case.dilation[0],
            "padding": [list(pads)] * rank if pads else data["padding"],
        }
    )


def _result_of(runner: Runner, adapter: str, case: Case) -> Result:
    """The adapter's result on the case, run on the session's worker of the variant that holds
    the adapter, alone: a refusal is judged by that adapter's own answer and its documentation,
    and the other variants' answers, which these tests do not read, are not waited for (one may
    take its whole time limit, as PaddlePaddle does on an output cropped away:
    paddle-negative-output-shape-returned)."""
    (worker,) = [w for w in runner.workers if any(i.adapter == adapter for i in w.infos)]
    (report,) = surveying.reports(Runner.sharing([worker]), [case])
    return by_adapter(report)[adapter]


@pytest.mark.parametrize(
    "rule, adapter, op", OTHER_RANKS, ids=[f"{r}-{o}" for r, _, o in OTHER_RANKS]
)
def test_documented_refusal_holds_at_every_rank(runner, installed, rule, adapter, op):
    if adapter not in installed:
        pytest.skip(f"{adapter} is not installed")
    case = _at_rank(REFUSAL_CASES[rule][1], op)
    result = _result_of(runner, adapter, case)
    assert result.judgement.verdict == "EXPECTED_REJECT", (result.judgement, result.outcome)
    assert result.judgement.rule == rule


@pytest.mark.fast
def test_every_documented_refusal_has_a_case_here():
    assert conventions.refusal_ids() <= set(REFUSAL_CASES)


@pytest.mark.parametrize("rule", sorted(REFUSAL_CASES))
def test_documented_refusal_is_measured(runner, installed, rule):
    adapter, case = REFUSAL_CASES[rule]
    if adapter not in installed:
        pytest.skip(f"{adapter} is not installed")
    result = _result_of(runner, adapter, case)
    # Either the documented refusal, or a registered upstream bug that hides it.
    if result.judgement.verdict == "EXPECTED_REJECT":
        assert result.judgement.rule == rule
    else:
        assert result.known is not None, (result.judgement, result.outcome.message)
        assert registry.load().get(result.known).kind == "upstream_bug"


def _outcomes(runner, case):
    ((_, outcomes),) = runner.run([case])
    return outcomes


def _real_outcome(runner, case, adapter):
    outcome = next(
        o for o in _outcomes(runner, case) if o.info.adapter == adapter and o.info.device == "cpu"
    )
    return outcome, inputs.arrays(case)


def _oracles(case, arrays):
    """The float64 reference under given pads, and the pad inference, for the case's arrays."""
    x, w, b = arrays

    def reference(pads):
        return conv(x, w, b, case.stride, case.dilation, pads, case.groups)

    def infer(output):
        return inference.infer(
            case, output, lambda margin: inference.dense_reference(case, x, w, b, margin)
        )

    return reference, infer


def _changed(convention, **rules):
    """The convention with some of its conv rules replaced: documentation, not measurement."""
    changed = dataclasses.replace(convention.families["conv"], **rules)
    return dataclasses.replace(convention, families={"conv": changed})


@pytest.mark.parametrize("split", ["extra_at_start", "extra_at_end"])
def test_a_wrong_same_split_is_caught_by_the_inferred_pads_not_the_shape(runner, installed, split):
    """If TensorFlow's docs said SAME puts the odd pixel first, its real output would not match."""
    if "tf.nn" not in installed:
        pytest.skip("tensorflow is not installed")
    case = CLASSIC[1]
    outcome, arrays = _real_outcome(runner, case, "tf.nn")
    documented = conventions.load()["tensorflow"]
    same = documented.families["conv"].same
    claimed = _changed(documented, same=dataclasses.replace(same, split=split))
    judgement = judge(case, outcome, claimed.resolve(case), *_oracles(case, arrays))
    assert judgement.expected_shape == (1, 16, 14, 14)  # the shape cannot tell the two apart
    expected = "PASS" if split == same.split else "PADDING_MISMATCH"
    assert judgement.verdict == expected, judgement
    assert judgement.inferred.to_json() == [[0, 0], [1, 2], [0, 0], [1, 2]]


def test_an_undocumented_refusal_is_unexpected(runner, installed):
    if "torch.functional" not in installed:
        pytest.skip("torch is not installed")
    case = CLASSIC[1]
    outcome, arrays = _real_outcome(runner, case, "torch.functional")
    documented = conventions.load()["torch"]
    silent = _changed(documented, refusals=())
    oracles = _oracles(case, arrays)
    assert judge(case, outcome, documented.resolve(case), *oracles).verdict == "EXPECTED_REJECT"
    assert judge(case, outcome, silent.resolve(case), *oracles).verdict == "UNEXPECTED_REJECT"


def test_an_empty_output_where_the_documentation_refuses_is_an_unexpected_accept(runner, installed):
    """JAX returns an empty axis; judged by Keras's documentation, that is an accept it forbids."""
    if "jax.lax" not in installed:
        pytest.skip("jax is not installed")
    case = _case(2, 2, 3)
    outcome, arrays = _real_outcome(runner, case, "jax.lax")
    assert outcome.output.shape == (1, 3, 0, 0)
    oracles = _oracles(case, arrays)
    assert judge(case, outcome, conventions.load()["jax"].resolve(case), *oracles).verdict == "PASS"
    keras_rules = conventions.load()["keras"].resolve(case)
    assert judge(case, outcome, keras_rules, *oracles).verdict == "UNEXPECTED_ACCEPT"


def test_a_divergence_without_a_registry_entry_is_unexplained(runner, installed):
    if not {"torch.functional", "jax.lax"} <= installed:
        pytest.skip("needs torch and jax")
    case = CLASSIC[1]
    arrays = inputs.arrays(case)
    outcomes = _outcomes(runner, case)
    full = assess(case, outcomes, arrays, ops.family(case))
    empty = assess(case, outcomes, arrays, ops.family(case), registry=registry.Registry(()))
    assert full.divergences and not full.unexplained
    assert {d.aspect for d in empty.unexplained} == {"accept"}


@pytest.mark.parametrize("op", ["max_pool2d", "avg_pool1d"])
def test_a_flax_worker_whose_first_case_is_pooling_serves_both_apis(op):
    """Each API imports its own module on first use: a pooling call under flax.nnx, first in
    its worker, finds flax.nnx imported (no convolution before it did so)."""
    from harness.catalog import variants

    pytest.importorskip("flax")
    case = Case.from_json({"op": op, "input": [1, 2, 5, 6][: int(op[-2]) + 2], "kernel": 2})
    with Runner(variants.select(None, ["flax"])) as runner:
        (report,) = surveying.reports(runner, [case])
    verdicts = {name: str(r.judgement.verdict) for name, r in by_adapter(report).items()}
    assert verdicts == {"flax.linen": "PASS", "flax.nnx": "PASS"}, by_adapter(report)


def test_a_case_surveyed_again_in_the_session_is_judged_from_its_report(survey, request):
    """The session runs a case once: a second survey of it (another property drew it too) gives
    the same report, whose answers the asking property judges and counts again."""
    from harness.pytest_plugin import _SUITE

    suite = request.config.stash[_SUITE]
    first = survey(CLASSIC[0])
    once = sum(suite.judged.values())
    assert survey(CLASSIC[0]) is first
    assert once > 0 and sum(suite.judged.values()) == 2 * once
