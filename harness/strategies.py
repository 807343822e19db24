"""Hypothesis strategies for Conv2d cases: small, composable, biased towards the edges.

One place decides what "interesting" means: `coverage(case)` names the regions a
case falls in (odd 'same' totals, strides that do not divide, kernels larger than
the padded input, ...). Tests report them with `hypothesis.event`, and a test
checks that each one is drawn often enough.
"""

from __future__ import annotations

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from . import oracle
from .case import DTYPES, Case, Padding
from .features import features

# sampled_from shrinks towards its first element; repeats set how often a value is drawn.
sizes = st.integers(min_value=1, max_value=24)
kernels = st.integers(min_value=1, max_value=7)
strides = st.sampled_from([1, 2, 1, 2, 3, 4])
dilations = st.sampled_from([1, 2, 1, 3])
batches = st.sampled_from([1, 2, 1, 3, 1, 2, 1, 2, 3, 0])
dtypes = st.sampled_from(DTYPES)
groupings = st.sampled_from([1, 2, 1, 3])


def paddings() -> st.SearchStrategy[Padding]:
    """Words, symmetric ints, per-axis pairs, and per-side pads that may crop (negative)."""
    return st.one_of(
        st.just(Padding("valid")),
        st.just(Padding("same")),
        st.just(Padding("same_lower")),
        st.integers(-1, 3).map(Padding.parse),
        st.tuples(st.integers(0, 3), st.integers(0, 3)).map(lambda p: Padding.parse(list(p))),
        st.tuples(*[st.integers(-2, 4)] * 4).map(lambda p: Padding.explicit(*p)),
    )


@st.composite
def cases(
    draw,
    padding: st.SearchStrategy[Padding] | None = None,
    stride: st.SearchStrategy[int] = strides,
    dtype: st.SearchStrategy[str] = dtypes,
) -> Case:
    """A Conv2d case; pass a strategy to pin or narrow one part of it."""
    groups = draw(groupings)
    return Case(
        batch=draw(batches),
        in_channels=groups * draw(st.integers(1, 2)),
        out_channels=groups * draw(st.integers(1, 2)),
        height=draw(sizes),
        width=draw(sizes),
        kernel=(draw(kernels), draw(kernels)),
        stride=(draw(stride), draw(stride)),
        dilation=(draw(dilations), draw(dilations)),
        padding=draw(padding if padding is not None else paddings()),
        groups=groups,
        bias=draw(st.booleans()),
        dtype=draw(dtype),
    )


# The classic question: 28x28 input, 3x3 kernel, stride 2, with padding 0, 'same' and 1.
CLASSIC = [
    Case(
        batch=1,
        in_channels=3,
        out_channels=16,
        height=28,
        width=28,
        kernel=(3, 3),
        stride=(2, 2),
        padding=Padding.parse(spec),
    )
    for spec in (0, "same", 1)
]


def _typical_pads(case: Case) -> tuple[int, int, int, int]:
    """Pads under the most common convention (TF/JAX 'same'), to place a case on the map."""
    kind = case.padding.kind
    if kind == "explicit":
        return case.padding.pads
    if kind == "valid":
        return (0, 0, 0, 0)
    split = "extra_at_end" if kind == "same" else "extra_at_start"
    axes = [
        oracle.split(split, oracle.same_total("minimal", i, k, s, d))
        for i, k, s, d in (
            (case.height, case.kernel[0], case.stride[0], case.dilation[0]),
            (case.width, case.kernel[1], case.stride[1], case.dilation[1]),
        )
    ]
    return (*axes[0], *axes[1])


def coverage(case: Case) -> list[str]:
    """The interesting regions a case falls in."""
    pads = _typical_pads(case)
    facts = features(case, pads)
    axes = list(
        zip(
            (case.height, case.width),
            case.kernel,
            case.stride,
            case.dilation,
            (pads[0] + pads[1], pads[2] + pads[3]),
            strict=True,
        )
    )
    labels = {
        "odd total 'same' padding": case.padding.kind in ("same", "same_lower")
        and any(total % 2 for *_, total in axes),
        "kh != kw": case.kernel[0] != case.kernel[1],
        "sh != sw": case.stride[0] != case.stride[1],
        "dh != dw": case.dilation[0] != case.dilation[1],
        "stride does not divide (i + pads - eff)": any(
            (i + total - oracle.effective_kernel(k, d)) % s for i, k, s, d, total in axes
        ),
        "even kernel": any(k % 2 == 0 for k in case.kernel),
        "dilated and strided": facts["dilated"] and facts["strided"],
        "grouped": facts["grouped"],
        "stride larger than kernel": any(s > k for _, k, s, *_ in axes),
        "kernel larger than padded input": facts["output"] != "positive",
        "output size 0": facts["output"] == "zero",
        "output size negative": facts["output"] == "negative",
        "empty batch": facts["empty_batch"],
        "negative explicit pad": facts["negative_pad"],
        "asymmetric explicit pads": facts["asymmetric_pad"],
    }
    return [name for name, hit in labels.items() if hit] + [
        f"padding {case.padding.kind}",
        f"dtype {case.dtype}",
    ]


def draw_cases(
    count: int, seed: int, strategy: st.SearchStrategy[Case] | None = None
) -> list[Case]:
    """`count` distinct cases, the same ones for the same seed and Hypothesis version."""
    strategy = strategy if strategy is not None else cases()
    found: dict[str, Case] = {}
    attempt = 0
    while len(found) < count and attempt < 20:

        @settings(
            max_examples=count,
            database=None,
            phases=[Phase.generate],
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
        @hypothesis_seed(seed + attempt)
        @given(strategy)
        def collect(case: Case) -> None:
            found.setdefault(case.id, case)

        collect()
        attempt += 1
    return list(found.values())[:count]
