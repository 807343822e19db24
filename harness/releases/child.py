"""The worker's side of a release variant's worker (interpreter.py starts it under another
environment's Python): its arguments from the connection, then the worker loop."""

from __future__ import annotations

import sys
from multiprocessing.connection import Connection

from harness.running.workers import serve


def child_main(fd: int) -> None:
    """Serve the variant whose arguments arrive first on the connection `fd`."""
    conn = Connection(fd)
    variant, env, log_path, headroom = conn.recv()
    serve(variant, env, log_path, conn, headroom)


if __name__ == "__main__":  # pragma: no cover - started through interpreter.BOOT
    child_main(int(sys.argv[1]))
