"""A release's place among the releases of its framework (the order of version numbers, as the
package index writes them and as frameworks report themselves), and whether a release falls in
a range such as `<3.14.0` (the registry scopes an entry to the releases that show it).
"""

from __future__ import annotations

import re

# a local label (torch's 2.13.0+cpu) is read past; TensorFlow's nightly says 2.23.0-dev20261026
_RELEASE = re.compile(
    r"^(\d+(?:\.\d+)*)(?:(a|b|rc)(\d+))?(?:\.post(\d+))?(?:[.-]dev(\d+))?(?:\+[\w.]+)?$"
)


def version_key(version: str) -> tuple:
    """A release's place in order: 0.4.38 < 0.5.0 < 0.10.0rc1 < 0.10.0 < 0.10.0.post1;
    2.23.0-dev20261026 < 2.23.0; 2.12.1+cu130 < 2.13.0+cpu."""
    found = _RELEASE.match(version)
    if not found:
        return ((), 0, 0, 0, 0)
    numbers, pre, pre_n, post, dev = found.groups()
    stage = {"a": 0, "b": 1, "rc": 2}.get(pre or "", 3)
    return (
        tuple(int(n) for n in numbers.split(".")),
        stage if dev is None or pre else -1,
        int(pre_n or 0),
        int(post or 0),
        int(dev or 0),
    )


_BOUND = re.compile(r"^(<=|>=|==|<|>)\s*(\S+)$")


def in_range(version: str, bounds: str) -> bool:
    """Whether `version` satisfies every comma-separated bound of `bounds` (`>=3.11,<3.14.0`)."""
    key = version_key(version)
    for bound in (b.strip() for b in bounds.split(",") if b.strip()):
        found = _BOUND.match(bound)
        if not found:
            raise ValueError(f"{bound!r} is not a release bound (<, <=, ==, >=, > and a version)")
        other = version_key(found.group(2))
        holds = {
            "<": key < other,
            "<=": key <= other,
            "==": key == other,
            ">=": key >= other,
            ">": key > other,
        }[found.group(1)]
        if not holds:
            return False
    return True
