"""Patch extraction's part of the report: its rows of the convention matrix, and its classic
questions (im2col of a 3x3 'same' convolution, a ViT's 16x16 patches, TensorFlow's strided
'SAME', rates=2), answered from a store, with the porting trap stated: the frameworks order the
patch axis differently, each as its convention documents (harness/data/conventions.toml
`patch_axis`), and every PASS below is measured through that order."""

from __future__ import annotations

from typing import Any

from harness.families.patch.record import CLASSIC, PATCH
from harness.families.patch.rules import PatchRules
from harness.model import conventions
from harness.reporting.behaviours import Behaviour, answer, plain, rounding
from harness.reporting.document import Paragraph, Section, Table
from harness.reporting.groups import merged

FAMILY = PATCH.name  # whose part of the report this is

# One short heading per classic case, in CLASSIC's order.
HEADINGS = (
    "3x3, padding 1, 8x8 (im2col)",
    "16x16 tiles, 64x64 (ViT)",
    "3x3 stride 2 'same', 7x7",
    "3x3 rates 2, 9x9",
)
TRAP = (
    "The patch axis holds C·K values per window (C channels, K = prod(kernel) taps). PyTorch's "
    "`unfold`, JAX's `conv_general_dilated_patches` and ONNX Runtime's one-hot Conv put the "
    "channel first (channel c's tap t at c·K + t); TensorFlow's `extract_patches` and Keras's "
    "`keras.ops.image.extract_patches` put the tap first (t·C + c). The shapes agree and the "
    "values do not: a model ported without the reorder reads scrambled features, silently. "
    "TensorFlow to PyTorch order: `y.reshape(N, K, C, *out).transpose(1, 2).reshape(N, C*K, "
    "*out)` (the recipe `tf-patches-in-torch`)."
)


def orders() -> str:
    """Each framework's documented order, from the conventions."""
    found = {
        convention.name: rules.family.order
        for convention in conventions.load().values()
        if (rules := convention.families.get(FAMILY)) is not None
        and isinstance(rules.family, PatchRules)
    }
    return "; ".join(f"{name}: {order.replace('_', '-')}" for name, order in found.items())


def _answer(cell: Any) -> str:
    if cell is None:
        return "-"
    if cell.status != "ok":
        return cell.verdict if cell.status != "rejected" else f"refused ({cell.verdict})"
    return f"{'x'.join(map(str, cell.shape[2:]))} {cell.verdict}"


def section(survey: Any) -> Section:
    """The patch questions, with the adapters that answered alike merged into one row."""
    return merged(_section(survey))


def _section(survey: Any) -> Section:
    found = Section("Patch extraction: im2col, ViT tiles, 'SAME' and rates; the patch-axis order")
    found.blocks.append(Paragraph(TRAP))
    found.blocks.append(Paragraph(f"Documented and measured orders: {orders()}."))
    held = [i for i, case in enumerate(CLASSIC) if case.id in survey.recorded]
    if not held:
        found.blocks.append(Paragraph("This store does not hold the patch questions."))
        return found
    rows = [
        (label, *(_answer(survey.cells[CLASSIC[i].id].get(label)) for i in held))
        for label in survey.labels
        if any(survey.cells[CLASSIC[i].id].get(label) is not None for i in held)
    ]
    found.blocks.append(Table(("adapter", *(HEADINGS[i] for i in held)), tuple(rows)))
    return found


BEHAVIOURS = (
    Behaviour(
        "patches: output size, 'valid', stride > 1",
        lambda c, strict: plain(c, strict) and max(c.stride) > 1,
        rounding,
    ),
    Behaviour(
        "patches: 'same'",
        lambda c, strict: plain(c, strict, padding=True, empty=True) and c.padding.kind == "same",
        answer,
    ),
    Behaviour(
        "patches: explicit pads",
        lambda c, strict: plain(c, strict, padding=True) and c.padding.kind == "explicit",
        answer,
    ),
    Behaviour(
        "patches: dilation (rates) > 1",
        lambda c, strict: plain(c, strict, dilation=True) and max(c.dilation) > 1,
        answer,
    ),
)
