"""The `convharness` command's entry point, apart from harness.cli.

A worker that the command spawns (its own workers, a helper) runs the command's script again as
its main module before it serves, as multiprocessing's spawn does: the script imports only this
module, and harness.cli (every command, Hypothesis, rich) is imported when the command runs."""

from __future__ import annotations


def main() -> int:
    from harness.cli import main as command

    return command()
