"""Standalone reproduction scripts: one per (case, adapter), using only that framework and NumPy.

Each script rebuilds the case's exact input, weight and bias with NumPy, runs the one
framework call, prints what came back, saves the output, and compares it with every
output saved by the other scripts for the same data (same array shapes): run two
scripts in one folder and the difference shows.
"""

from __future__ import annotations

import importlib
import re
from types import ModuleType

from harness.adapter_api import ConvApi, NotExpressible
from harness.case import Case
from harness.catalog.variants import Variant
from harness.catalog.variants import load as load_variants
from harness.errors import UsageError
from harness.model import inputs
from harness.model.outcome import unreleased

TEMPLATE = '''"""convharness case {case_id} on {adapter} ({api}).

Case: {command}
Needs only {requirement} and NumPy. Run it next to the other scripts for this case:
each saves its output and compares it with the outputs already saved for the same data.
"""

import glob
import os

os.environ.update({env!r})

import numpy as np  # noqa: E402

# The case's data: seeded by the array shapes, rounded to 8 significant bits.
rng = np.random.default_rng(0x{data_id})


def representable(values):
    mantissa, exponent = np.frexp(values)
    return np.ldexp(np.round(mantissa * 256.0) / 256.0, exponent)


x = representable(rng.standard_normal({input_shape}))  # [N, C, *spatial]
w = representable(rng.standard_normal({weight_shape})) if {weight_shape} else None  # [O, C/g, *k]
b = representable(rng.standard_normal({out_channels})) if {bias} else None

try:
{body}except Exception as error:  # the framework refuses the case
    print("{adapter} refuses:", type(error).__name__, str(error).splitlines()[0][:300])
    y = None

if y is not None:
    print("{adapter} ({api}) output shape [N, C, *spatial]:", tuple(y.shape))
    mine = "convharness-{data_id}-{case_id}-{slug}.npy"
    np.save(mine, y)
    for other in sorted(glob.glob("convharness-{data_id}-*.npy")):
        if other == mine:
            continue
        z = np.load(other)
        label = other[len("convharness-{data_id}-"):-len(".npy")]
        if z.shape != y.shape:
            print(f"  vs {{label}}: shapes differ, {{tuple(y.shape)}} vs {{tuple(z.shape)}}")
        else:
            diff = float(np.max(np.abs(y - z))) if y.size else 0.0
            print(f"  vs {{label}}: same shape, max |difference| = {{diff:.3g}}")
'''


def _find(adapter: str) -> tuple[Variant, ModuleType, ConvApi]:
    """The variant, module and API an adapter name (e.g. 'tf.nn[no-onednn]') belongs to."""
    for variant in load_variants():
        module = importlib.import_module(variant.module)  # adapters import no framework here
        for api in module.APIS:
            if variant.adapter_name(api.adapter) == unreleased(adapter):  # any release
                return variant, module, api
    raise UsageError(f"unknown adapter {adapter!r}")


def script(case: Case, adapter: str) -> tuple[str, str]:
    """(file name, source) of the reproduction of `case` on `adapter`."""
    variant, module, api = _find(adapter)
    if api.code is None:
        raise UsageError(f"{adapter} has no reproduction template")
    call = api.api_for(case.op)
    if call is None:
        raise UsageError(f"{adapter} does not run {case.op}")
    try:
        body = api.code(case, variant.env)
    except NotExpressible as error:
        raise UsageError(f"{adapter} cannot express case {case.id}: {error}") from None
    slug = re.sub(r"[^A-Za-z0-9]+", "_", adapter).strip("_")
    source = TEMPLATE.format(
        case_id=case.id,
        adapter=adapter,
        api=call,
        command=case.command(),
        requirement=module.REQUIRES,
        env=variant.env,
        data_id=inputs.data_id(case),
        input_shape=case.input_shape,
        weight_shape=case.weight_shape,
        out_channels=case.out_channels,
        bias=case.bias,
        slug=slug,
        body="".join(f"    {line}\n" if line else "\n" for line in body.splitlines()),
    )
    return f"repro_{case.id}_{slug}.py", source
