"""Transposed convolution (conv_transpose1d, conv_transpose2d, conv_transpose3d): the family
record, and its classic question.

The arithmetic lives in the modules of this folder the record names: reference (the float64
adjoint of the convolution), inference (the crop proven by values), strategies (cases and their
coverage regions), focus (its focus moves) and recipes (its twins); what a case of it is, its
crops per framework rule and its feature words are below the model (operators, sizes, rules,
features).
"""

from __future__ import annotations

import math

from harness.case import Case, Padding
from harness.families.conv_transpose import focus, inference, recipes, reference, strategies
from harness.families.conv_transpose.operators import OPERATORS
from harness.families.conv_transpose.sizes import full_size
from harness.families.family import Family, dense_inference, footprint, weighted_reference

# The classic question: a 2x upsampler, kernel 4, stride 2, on 8x8: PyTorch padding=1 against
# the 'same' of Keras, TensorFlow and JAX.
CLASSIC = tuple(
    Case(
        op="conv_transpose2d",
        batch=1,
        in_channels=3,
        out_channels=8,
        spatial=(8, 8),
        kernel=(4, 4),
        stride=(2, 2),
        padding=Padding.parse(spec),
    )
    for spec in (1, "same")
)


def _memory(case: Case) -> int:
    """The case's footprint: an output as large as the full transposed output grown by the
    largest extension its pads, output_padding or output_shape can ask, and the inference's
    dense map of that output with the same margin on every side."""
    grow = (
        max([0, *(-p for p in case.padding.pads)])
        + max(case.output_padding or (0,))
        + max(case.output_shape or (0,))
    )
    full = [
        full_size(i, k, s, d) + grow
        for i, k, s, d in zip(case.spatial, case.kernel, case.stride, case.dilation, strict=True)
    ]
    margin = max(max(case.kernel) * max(case.dilation), max(case.stride))
    per_channel = case.batch * case.out_channels
    output = per_channel * math.prod(full)
    dense = per_channel * math.prod(f + 2 * margin for f in full)
    return footprint(case, output, dense)


CONV_TRANSPOSE = Family.of(
    OPERATORS,
    strategies.cases,
    title="Transposed convolution",
    reference=weighted_reference(reference.conv_transpose),
    infer=dense_inference(inference.infer, inference.dense_reference),
    coverage=lambda case: strategies.coverage(case) + focus.coverage(case),
    regions=strategies.regions,
    classic=CLASSIC,
    memory=_memory,
    focus=focus.MOVES,
    twin=recipes.recipe_twin,
    recipe_forms=recipes.FORMS,
)
