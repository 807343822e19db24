"""Patch extraction's focus regions (harness/model/focus.py): the shared moves a case without a
weight can take, no dilation and a 'same' with a stride past the window."""

from __future__ import annotations

from harness.model import focus

MOVES: dict[str, focus.Move] = {
    focus.PLAIN: focus.plain,
    focus.STRIDE_PAST_WINDOW: focus.stride_past_kernel,
}
