"""An adapter meeting an API its release does not have: a module that is not there yet (flax
without nnx), a name that moved, a keyword the call did not take yet.

On a release variant such an error is not the framework refusing the case: the adapter cannot
state the case in that release. The worker records it as NOT_EXPRESSIBLE with a message naming
the release and what it lacks, never as a refusal, a crash or a silent fallback. On the
harness's own environment (the pinned releases) the same error stays what it was: a rejection,
which the suite then flags.
"""

from __future__ import annotations

import re

from harness.model.outcome import AdapterInfo

_KEYWORD = re.compile(r"unexpected keyword argument '([^']+)'")
_ATTRIBUTE = re.compile(r"module '([^']+)' has no attribute '([^']+)'")
_IMPORT_NAME = re.compile(r"cannot import name '([^']+)' from '([^']+)'")
_MODULE = re.compile(r"No module named '([^']+)'")


def lacks(error: BaseException) -> str | None:
    """What the error says is missing from the API, in words, or None when it says otherwise."""
    text = str(error)
    if isinstance(error, ImportError):
        if found := _IMPORT_NAME.search(text):
            return f"no {found.group(2)}.{found.group(1)}"
        if found := _MODULE.search(text):
            return f"no module {found.group(1)}"
    if isinstance(error, AttributeError) and (found := _ATTRIBUTE.search(text)):
        return f"no {found.group(1)}.{found.group(2)}"
    if isinstance(error, TypeError) and (found := _KEYWORD.search(text)):
        return f"no keyword {found.group(1)!r} in {_called(text)}"
    return None


def _called(text: str) -> str:
    """The callable a TypeError names ('f() got an unexpected ...'), or 'the call'."""
    head = text.split(" got an unexpected", 1)[0].strip()
    return head if head and " " not in head else "the call"


def older_api(error: BaseException, info: AdapterInfo) -> str | None:
    """The NOT_EXPRESSIBLE message for an API the release lacks, or None."""
    missing = lacks(error)
    if missing is None:
        return None
    return (
        f"{info.framework} {info.version} ({info.release}) has {missing}: "
        f"{info.api} cannot be stated in this release ({type(error).__name__})"
    )
