"""Porting recipes, checked on the real frameworks: the explicit construction agrees."""

from __future__ import annotations

import pytest
from hypothesis import event, given, note
from hypothesis import strategies as st

from harness.case import Padding
from harness.families.conv.record import CLASSIC
from harness.families.conv_transpose.record import CLASSIC as UPSAMPLER
from harness.families.patch.record import CLASSIC as PATCH_CLASSIC
from harness.families.patch.rules import to_channel_major
from harness.families.pool.record import CLASSIC as POOL_CLASSIC
from harness.model import recipes
from harness.model.verdicts import TOLERANCE, relative_error
from harness.suite.helpers import by_adapter, drawn_cases

words = st.sampled_from([Padding("same"), Padding("same_lower")])


def _runnable(installed, word: str | None = None) -> list[recipes.Recipe]:
    """The recipes (for `word`, or all) whose source and target are both installed here;
    none: the property would judge nothing, so it is skipped."""
    found = [
        r
        for r in recipes.load()
        if {r.source, r.target} <= installed and (word is None or r.word == word)
    ]
    if not found:
        pytest.skip("no recipe has both its source and its target installed here")
    return found


def _check(survey, installed, case, event=event, note=note) -> int:
    """Run the case and each recipe's twin; every recipe whose source accepted must agree."""
    results = by_adapter(survey(case))
    checked = 0
    for recipe in recipes.load():
        twin = recipe.twin(case)
        if twin is None or not {recipe.source, recipe.target} <= installed:
            continue
        source = results[recipe.source].outcome
        if source.status != "ok":
            event(f"{recipe.id}: source refused")
            continue
        judged = by_adapter(survey(twin))[recipe.target]
        if results[recipe.source].known or judged.known:  # as the report counts it, apart
            event(f"{recipe.id}: a registered upstream bug on one side")
            continue
        target = judged.outcome
        note(f"{recipe.id}: {case.command()}  vs  {twin.command()}")
        if judged.judgement.verdict == "EXPECTED_REJECT":  # e.g. a dtype the target lacks
            event(f"{recipe.id}: target refuses, as documented")
            continue
        assert target.status == "ok", (recipe.id, target.error_type, target.message)
        assert target.output is not None and source.output is not None
        assert target.output.shape == source.output.shape, recipe.id
        difference = relative_error(target.output, source.output)
        assert difference <= 2 * TOLERANCE[case.dtype], (recipe.id, difference)
        event(f"{recipe.id}: checked")
        checked += 1
    return checked


def test_the_classic_strided_same_ports_to_pytorch_with_f_pad(survey, installed):
    runnable = [r for r in _runnable(installed, "same") if CLASSIC[1].op in r.ops]
    checked = _check(survey, installed, CLASSIC[1], event=print, note=print)
    assert checked == len(runnable)


@pytest.mark.parametrize("case", POOL_CLASSIC, ids=[case.id for case in POOL_CLASSIC])
def test_the_classic_pooling_questions_port_as_the_recipes_say(survey, installed, case):
    """ceil_mode=True written out for JAX; 'SAME' averages and Keras pooling for PyTorch."""
    runnable = [r for r in _runnable(installed) if r.twin(case) is not None]
    checked = _check(survey, installed, case, event=print, note=print)
    assert checked == len(runnable)


@given(case=drawn_cases(padding=words).filter(lambda c: c.batch > 0))
def test_every_recipe_reproduces_its_source_framework(survey, installed, case):
    _runnable(installed)
    _check(survey, installed, case)


def test_twins_keep_the_data_and_spell_out_the_pads():
    recipe = next(r for r in recipes.load() if r.id == "tf-same-in-torch")
    twin = recipe.twin(CLASSIC[1])
    assert twin.padding == Padding.explicit(0, 1, 0, 1)
    assert (twin.input_shape, twin.weight_shape, twin.stride) == (
        CLASSIC[1].input_shape,
        CLASSIC[1].weight_shape,
        CLASSIC[1].stride,
    )
    planned = recipes.with_twins(list(CLASSIC))
    assert tuple(planned[:3]) == CLASSIC and twin in planned[3:]
    assert len({case.id for case in planned}) == len(planned)


def test_the_transposed_upsampler_ports_between_frameworks(survey, installed):
    """PyTorch's padding=1 in TensorFlow, Keras and JAX, and Keras's 'same' in PyTorch."""
    runnable = [
        r for r in _runnable(installed) if any(r.twin(case) is not None for case in UPSAMPLER)
    ]
    checked = sum(_check(survey, installed, case, event=print, note=print) for case in UPSAMPLER)
    assert runnable and checked == len(runnable)


def test_tensorflow_patches_port_to_pytorch_with_the_patch_axis_reordered(
    survey, runner, installed
):
    """tf.image.extract_patches(padding='SAME') in PyTorch: F.pad with TensorFlow's pads, then
    unfold; the two raw answers differ (kernel-major against channel-major) until TensorFlow's
    is reordered as the recipe writes it (`tf-patches-in-torch`)."""
    case = PATCH_CLASSIC[2]  # 7x7, 3x3, stride 2, 'same', two channels
    runnable = [r for r in _runnable(installed) if r.twin(case) is not None]
    checked = _check(survey, installed, case, event=print, note=print)
    assert runnable and checked == len(runnable)
    recipe = next(r for r in runnable if r.id == "tf-patches-in-torch")
    twin = recipe.twin(case)
    answers = {c.id: {o.info.adapter: o for o in found} for c, found in runner.run([case, twin])}
    tf, torch = answers[case.id][recipe.source], answers[twin.id][recipe.target]
    assert tf.output is not None and torch.output is not None
    assert tf.output.shape == torch.output.shape
    assert relative_error(tf.output, torch.output) > 0.1  # the trap: same shape, other values
    reordered = to_channel_major(case, tf.output)
    assert relative_error(reordered, torch.output) <= 2 * TOLERANCE[case.dtype]
