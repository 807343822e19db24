"""`python -m harness.cli`: the `convharness` command."""

import sys

from harness.cli import main

sys.exit(main())
