"""Framework error messages, made readable and grouped.

A message is shown as the framework wrote it (NumPy scalar reprs such as `np.int64(3)` read as
`3`), cut at a word boundary when long; the grouping key takes the case-specific numbers out
without touching words such as ordinals ("2nd entry").
"""

from __future__ import annotations

import re

LIMIT = 200
_NUMPY_SCALAR = re.compile(r"\bnp\.(?:u?int|float|bfloat|bool_)\w*\(([^()]*)\)")
_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?:e[-+]?\d+)?(?![\w])")


def readable(message: str) -> str:
    """The message with NumPy scalar reprs unwrapped, TensorFlow node names taken out and
    whitespace collapsed."""
    message = re.sub(r"\{\{function_node [^}]*\}\}", "", message)
    message = re.sub(r"\[Op:\w+\]( name:)?", "", message)
    message = _NUMPY_SCALAR.sub(r"\1", message)
    return " ".join(message.split())


def shorten(message: str, limit: int = LIMIT) -> str:
    """At most `limit` characters, cut at a word boundary, with an ellipsis when cut."""
    if len(message) <= limit:
        return message
    cut = message[: limit + 1].rsplit(" ", 1)[0]
    return (cut if len(cut) > limit // 2 else message[:limit]).rstrip(" ,;:") + " …"


def normalise(message: str) -> str:
    """The grouping key: the readable message with every stand-alone number written N.
    Numbers inside words (ordinals such as 2nd, names such as conv2d or float32) stay."""
    return _NUMBER.sub("N", readable(message))
