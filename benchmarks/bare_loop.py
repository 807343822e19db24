"""The baseline: the same framework calls as the harness, one after another in one process.

What a user would write by hand to compare frameworks: import them all, loop over the
cases, call each API of the case's operator (any family: torch.nn.functional.conv{r}d,
conv_transpose{r}d, max_pool{r}d, tf.nn.conv{r}d, keras.layers.Conv{r}D, jax.lax
.conv_general_dilated, lax.reduce_window, flax Conv, ...), compare each output with a float64
reference of the operator's family. It makes exactly the framework calls the
adapters make (it calls their functions, in this process) and computes the same reference and
error; it has no worker processes, verdicts, store or cache. A call the API cannot state
(NotExpressible, e.g. explicit pads in tf.nn.conv1d/conv3d) is skipped, as the adapters do.

    python benchmarks/bare_loop.py CASES.jsonl
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from harness import ops  # noqa: E402
from harness.adapter_api import NotExpressible  # noqa: E402
from harness.case import Case  # noqa: E402
from harness.model import conventions, inputs  # noqa: E402
from harness.model.verdicts import relative_error  # noqa: E402

MODULES = [
    "adapters.torch",
    "adapters.tensorflow",
    "adapters.keras",
    "adapters.jax",
    "adapters.flax",
]


def main(path: str) -> None:
    cases = [Case.from_json(json.loads(line)) for line in open(path) if line.strip()]
    started = time.perf_counter()
    apis = []
    for name in MODULES:
        module = importlib.import_module(name)
        module.version()
        apis += module.APIS
    textbook = conventions.load()["jax"]  # 'same' as TF and JAX resolve it
    calls = 0
    for case in cases:
        x, w, b = inputs.arrays(case)
        pads = textbook.pads(case) or (0,) * (2 * case.rank)
        try:
            ref = ops.family(case).reference(case, x, w, b, pads)
        except ValueError:  # the pads crop the whole input away
            ref = None
        for api in apis:
            if api.api_for(case.op) is None:  # an API that does not serve this operator
                continue
            try:
                y = api.run(case, x, w, b, "cpu")
            except NotExpressible:
                continue
            except Exception:  # a refusal is an answer too
                pass
            else:
                if ref is not None and ref.shape == y.shape:
                    relative_error(y, ref)
            calls += 1
    elapsed = time.perf_counter() - started
    print(json.dumps({"cases": len(cases), "calls": calls, "seconds": elapsed}))


if __name__ == "__main__":
    main(sys.argv[1])
