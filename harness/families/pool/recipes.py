"""Porting recipes for pooling: the explicit twin of a case. A padding word is written out as
the pads the source documents; `ceil_mode` as the overhang its last windows need, as high pads
(the twin drops ceil_mode). An average that counts the padding has no ceil_mode twin: the
overhang would be counted."""

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
    return dataclasses.replace(case, padding=Padding.explicit(*pads), ceil_mode=False)
