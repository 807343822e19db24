"""The transposed convolution's part of the report: its rows of the convention matrix, and its
classic question, answered from a store: a 2x upsampler (8x8 input, kernel 4, stride 2) through
PyTorch's padding=1 and through the 'same' of Keras, TensorFlow, JAX, Flax and ONNX Runtime:
the shape, the crop the values prove, and whether the two spellings give the same values (they
run on the same data)."""

from __future__ import annotations

from typing import Any

from harness.families.conv_transpose.record import CLASSIC, CONV_TRANSPOSE
from harness.reporting.behaviours import Behaviour, answer, plain
from harness.reporting.document import Paragraph, Section, Table
from harness.reporting.groups import merged

FAMILY = CONV_TRANSPOSE.name  # whose part of the report this is


def _answer(cell: Any) -> str:
    if cell is None:
        return "-"
    if cell.status != "ok":
        return f"{cell.status}: {cell.error}" if cell.status == "rejected" else cell.status
    return f"{cell.shape}, crop {cell.inferred} ({cell.verdict})"


def section(survey: Any) -> Section:
    """`survey` is report.Survey: its cells per case id and adapter label. The adapters that
    answered alike are merged into one row."""
    return merged(_section(survey))


def _section(survey: Any) -> Section:
    found = Section("Transposed convolution: the 2x upsampler (8x8, kernel 4, stride 2)")
    one, same = (case.id for case in CLASSIC)
    if not {one, same} <= set(survey.recorded):
        found.blocks.append(Paragraph("This store does not hold the transposed classic cases."))
        return found
    rows: list[tuple[str, str, str]] = []
    agreeing: list[str] = []
    differing: list[str] = []
    for label in survey.labels:
        a, b = survey.cells[one].get(label), survey.cells[same].get(label)
        if a is None and b is None:
            continue
        rows.append((label, _answer(a), _answer(b)))
        if a is not None and b is not None and a.verdict == b.verdict == "PASS":
            (agreeing if (a.shape, a.inferred) == (b.shape, b.inferred) else differing).append(
                label
            )
    found.blocks.append(
        Paragraph(
            "The same input and weights through PyTorch's `padding=1` (a crop of one pixel at "
            "each end of the full 18x18 output) and through the word 'same' (Keras, TensorFlow "
            "and JAX 'SAME', ONNX SAME_UPPER): the shape each adapter returned, and the crop "
            "[[low], [high]] per axis its values prove."
        )
    )
    found.blocks.append(Table(("adapter", "padding=1", "padding='same'"), tuple(rows)))
    found.blocks.append(
        Paragraph(
            f"Where both spellings run, they give the same shape, crop and values on "
            f"{len(agreeing)} adapter(s)"
            + (f" and differ on {len(differing)}: {', '.join(differing)}." if differing else ".")
            + " For k=4, s=2 the 'same' crop total is k - s = 2, split 1 and 1: exactly "
            "PyTorch's padding=1. With k=3 the total is 1 and Keras, TensorFlow and JAX crop the "
            "odd pixel at the end (crop 0, 1); PyTorch's padding=1, output_padding=1 gives the "
            "same shape but crops (1, 0): values shifted by one pixel, and no padding and "
            "output_padding pair states (0, 1). ONNX Runtime's SAME_UPPER with output_padding "
            "crops (1, 0) too."
        )
    )
    return found


BEHAVIOURS = (
    Behaviour(
        "transposed: explicit crops",
        lambda c, strict: (
            plain(c, strict, padding=True, empty=True)
            and c.padding.kind == "explicit"
            and min(c.padding.pads) >= 0
        ),
        answer,
    ),
    Behaviour(
        "transposed: output_padding > 0",
        lambda c, strict: (
            plain(c, strict, padding=True, empty=True) and max(c.output_padding or (0,)) > 0
        ),
        answer,
    ),
    Behaviour(
        "transposed: an output_shape asked for",
        lambda c, strict: plain(c, strict, padding=True, empty=True) and c.output_shape is not None,
        answer,
    ),
    Behaviour(
        "transposed: 'same'",
        lambda c, strict: plain(c, strict, padding=True, empty=True) and c.padding.kind == "same",
        answer,
    ),
    Behaviour(
        "transposed: dilation > 1",
        lambda c, strict: plain(c, strict, dilation=True, empty=True) and max(c.dilation) > 1,
        answer,
    ),
    Behaviour(
        "transposed: groups > 1",
        lambda c, strict: plain(c, strict, groups=True, empty=True) and c.groups > 1,
        answer,
    ),
)
