"""Memory: what a case needs before it runs, the budget every case must fit, and the hard
limit each worker process runs under.

A case's bytes come from its operator family's record (`Family.memory`). A case over the
budget (`--max-case-memory`, default 1/16 of the machine's memory) is refused before anything
runs. A worker may grow WORKER_FACTOR budgets beyond what its framework holds once imported;
past that, an allocation fails inside the worker (RLIMIT_DATA: private writable memory, so
the large read-only or inaccessible reservations of JAX, TensorFlow or a GPU runtime do not
count), the case is recorded as crashed ("out of memory") and the worker starts again.
"""

from __future__ import annotations

import os
import re
import resource
from collections.abc import Iterable

from harness.case import Case
from harness.errors import UsageError

CASE_FRACTION = 16  # the default budget per case: this fraction of the machine's memory
WORKER_FACTOR = 4  # a worker may grow this many budgets beyond its size after import
_UNITS = {"": 1, "k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$", re.IGNORECASE)
# how the frameworks word a failed allocation: numpy, PyTorch, TensorFlow, XLA, C++
_OUT_OF_MEMORY = re.compile(
    r"out of memory|can't allocate memory|cannot allocate memory|OOM when allocating"
    r"|RESOURCE_EXHAUSTED|bad_alloc",
    re.IGNORECASE,
)


def machine_memory() -> int:
    """Bytes of physical memory on this machine."""
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def default_budget() -> int:
    return machine_memory() // CASE_FRACTION


def estimate(case: Case) -> int:
    """Bytes the case needs, by its family's own account. (The records are imported here: a
    worker, which needs only the limits below, does not load the strategies they carry.)"""
    from harness.ops import family

    return family(case).memory(case)


def readable(size: float) -> str:
    """Bytes as a person reads them: 1.5 GiB, 800 MiB."""
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024:
            return f"{size:.3g} {unit}"
        size /= 1024
    return f"{size:.3g} TiB"


def parse_size(text: str) -> int:
    """'1.5GiB', '800M', '2g' or plain bytes; a ValueError otherwise."""
    found = _SIZE.match(text)
    if not found or float(found[1]) <= 0:
        raise ValueError(f"{text!r} is not a size such as 2GiB or 800MiB")
    return int(float(found[1]) * _UNITS[found[2].lower()])


def check(cases: Iterable[Case], budget: int) -> None:
    """A UsageError naming the first case over the budget and its size."""
    for case in cases:
        size = estimate(case)
        if size > budget:
            raise UsageError(
                f"case {case.id} needs about {readable(size)} "
                f"(input {'x'.join(map(str, case.input_shape))} {case.dtype}), over "
                f"--max-case-memory {readable(budget)}: {case.command()}"
            )


def is_out_of_memory(error: BaseException) -> bool:
    """Whether a framework's exception is a failed allocation, whatever its class."""
    return isinstance(error, MemoryError) or bool(_OUT_OF_MEMORY.search(str(error)))


def _data_size() -> int:
    """This process's private writable memory (VmData), in bytes."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmData:"):
                return int(line.split()[1]) * 1024
    raise OSError("no VmData in /proc/self/status")


def limit_this_process(headroom: int) -> None:
    """Let this process grow `headroom` bytes beyond its present size, and no further."""
    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    soft = _data_size() + headroom
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (soft, hard))
