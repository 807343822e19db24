"""convharness: `explain` one case on every framework, `run` a survey into a store, `merge` stores.

Bad input gets one line on stderr and exit status 2, and so does a framework or variant asked
for (--frameworks, --variants) that is not installed or does not import; one not asked for is
skipped, and `run` says whether it is not installed or installed but failing to import. `run`
exits 1 when its store holds an unexpected verdict or an unexplained divergence, 0 otherwise.

One module per command (explain, run, repro, shrink, stores, workers), the grammar in parser.py;
the release commands are harness/releases/commands.py."""

from __future__ import annotations

import contextlib
import os
import sys

from harness.case import CaseError
from harness.cli.explain import EXPLAIN_KEYS, explain
from harness.cli.parser import build_parser
from harness.cli.repro import reproduce
from harness.cli.run import run
from harness.cli.shrink import shrink_findings
from harness.cli.stores import merge_stores, publish, summarize
from harness.cli.workers import manage_workers
from harness.errors import UsageError
from harness.releases import commands as release_commands

__all__ = ["BROKEN_PIPE_STATUS", "EXPLAIN_KEYS", "build_parser", "main"]


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        command = {
            "explain": explain,
            "run": run,
            "repro": reproduce,
            "report": publish,
            "shrink": shrink_findings,
            "merge": merge_stores,
            "summary": summarize,
            "workers": manage_workers,
            **release_commands.COMMANDS,
        }[args.command]
        return command(args)
    except (UsageError, CaseError) as error:
        print(f"convharness: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("convharness: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return _reader_gone()


BROKEN_PIPE_STATUS = 141  # 128 + SIGPIPE, what a shell reports for a writer whose reader left


def _reader_gone() -> int:
    """stdout's reader left (`convharness summary STORE | head`): stop quietly. What is still
    buffered goes to /dev/null, so the interpreter's last flush raises nothing either."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    return BROKEN_PIPE_STATUS
