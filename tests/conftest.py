"""Test-wide settings: commands run in the tests start their own workers (CONVHARNESS_WARM=0),
so no test leaves warm workers behind or finds a developer's; the tests of warm workers say
otherwise where they mean it."""

from __future__ import annotations

import os

os.environ["CONVHARNESS_WARM"] = "0"
