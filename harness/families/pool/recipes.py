"""Porting recipes for pooling: the explicit twin of a case. A padding word is written out as
the pads the source documents; `ceil_mode` as the overhang its last windows need, as high pads
(the twin drops ceil_mode), and only the overhang: where ceil_mode drops a window that floor mode
keeps (a pad as large as the kernel), the source refuses the case and the twin keeps the asked
pads. An average that counts the padding has no ceil_mode twin: the overhang would be
counted."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from harness.case import Case, Padding, Pads


def recipe_twin(
    word: str, form: str, case: Case, documented: Callable[[], Pads | None]
) -> Case | None:
    """The family record's `twin`: None where the recipe's word is not the case's."""
    if word == "ceil_mode":
        if not case.ceil_mode or case.count_include_pad:
            return None
    elif case.padding.kind != word:
        return None
    pads = documented()
    assert pads is not None
    if word == "ceil_mode":  # the overhang only, never a pad narrowed below the asked one
        asked = case.padding.pads if case.padding.kind == "explicit" else (0,) * len(pads)
        pads = tuple(max(p, a) for p, a in zip(pads, asked, strict=True))
    return dataclasses.replace(case, padding=Padding.explicit(*pads), ceil_mode=False)
