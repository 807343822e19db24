"""Adapter plugins: a package adds a framework through the entry point, as docs/plugins.md shows.

The "framework" here is a few lines of NumPy standing in for a third party's package: the
test exercises plugin discovery and the guide's example, not a real framework's verdicts.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

GUIDE = Path(__file__).resolve().parent.parent / "docs" / "plugins.md"
FRAMEWORK = '''
"""A stand-in third-party Conv2d: NCHW/OIHW, symmetric pads, no groups or dilation."""
__version__ = "0.0.1"

def conv2d(x, w, stride, pads):
    from harness.model.reference import conv as reference
    return reference(x, w, None, stride, (1, 1), (pads[0], pads[0], pads[1], pads[1]), 1)
'''


def _install(site: Path) -> None:
    """The guide's example module, registered as an installed distribution would be."""
    example = re.search(r"```python\n# my_conv_convharness.py\n(.*?)```", GUIDE.read_text(), re.S)
    assert example, "docs/plugins.md lost its example module"
    (site / "my_conv.py").write_text(FRAMEWORK)
    (site / "my_conv_convharness.py").write_text(example.group(1))
    info = site / "my_conv_convharness-0.0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: my-conv-convharness\nVersion: 0.0.1\n"
    )
    (info / "entry_points.txt").write_text(
        "[convharness.adapters]\nmy_conv = my_conv_convharness\n"
    )


def _explain(site: Path, *flags: str) -> list[dict]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "harness.cli",
            "explain",
            "--input",
            "1,2,7,7",
            "--out-channels",
            "3",
            "--kernel",
            "3,3",
            *flags,
            "--frameworks",
            "my_conv",
            "--json",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_readme_example_joins_through_the_entry_point(tmp_path):
    _install(tmp_path)
    (row,) = _explain(tmp_path, "--stride", "2,2", "--padding", "1")
    assert (row["adapter"], row["framework"], row["version"]) == ("my_conv", "my_conv", "0.0.1")
    # 7 + 2 pads - 3 = 6 = 3 strides exactly: the last bottom/right pad row is read
    assert row["verdict"] == "PASS" and row["pads_inferred"] == [[1, 1], [1, 2], [1, 1], [1, 2]]
    (row,) = _explain(tmp_path, "--padding", "same")
    assert row["verdict"] == "NOT_EXPRESSIBLE"
