"""The case: one frozen value, for any spatial operator at any rank, that every room agrees on.

A case is framework-neutral: canonical layouts are channels-first, input `[N, C, *spatial]`
(and a convolution's weight `[O, C/groups, *kernel]`, PyTorch's). It names its operator (`op`,
e.g. `conv2d`, `conv_transpose3d`, `avg_pool1d`); the rank is the number of spatial axes. Its
JSON form is the one the CLI reads (`explain --cases`), so a case printed anywhere can be
pasted back in. A case without `"op"` is a `conv2d`, and a conv2d case keeps the id it had
before operators had names.

What differs by operator family is the family's to say (harness/families/<family>/operators.py,
reached through `case.operators`): whether the case carries a weight and its shape, whether an
unset stride is the kernel, and the fields only that family takes (a transposed convolution's
`output_padding` and `output_shape`, pooling's `ceil_mode` and `count_include_pad`), with
their checks, JSON form and flags. Fields at their default are left out of the JSON form and
the id, so every case written before a family's fields existed keeps its id.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from harness.families import OPERATORS, OPS
from harness.families.conv_transpose.sizes import full_size  # kept for plugins
from harness.families.operators import Operators
from harness.fields import CaseError, Pads, axes, is_int, pairs

__all__ = ["OPS", "CaseError", "Pads", "full_size", "pairs"]

DTYPES = ("float32", "float64", "float16", "bfloat16")
PADDING_KINDS = ("valid", "same", "same_lower", "explicit")
WORDS = ("valid", "same", "same_lower")

DEFAULT_OP = "conv2d"  # what a case without "op" is


@dataclass(frozen=True)
class Padding:
    """How the caller asked for padding.

    `valid`, `same` and `same_lower` are the frameworks' own words and resolve per framework;
    `explicit` carries one (low, high) pair per spatial axis, flattened (in 2-d: top, bottom,
    left, right), negative values meaning a crop.
    """

    kind: str
    pads: Pads = ()

    def __post_init__(self) -> None:
        if self.kind not in PADDING_KINDS:
            raise CaseError(f"unknown padding kind {self.kind!r}")
        if self.kind != "explicit" and any(self.pads):
            raise CaseError(f"padding {self.kind!r} takes no pads")
        if self.kind != "explicit":
            object.__setattr__(self, "pads", ())
        elif not self.pads or len(self.pads) % 2 or not all(map(is_int, self.pads)):
            raise CaseError(f"explicit pads are (low, high) int pairs, got {self.pads!r}")

    @classmethod
    def explicit(cls, *pads: int) -> Padding:
        """Pads as flat (low, high) pairs, one per axis: (top, bottom, left, right) in 2-d."""
        return cls("explicit", tuple(int(p) for p in pads))

    @classmethod
    def parse(cls, spec: Any, rank: int = 2) -> Padding:
        """Read a word, P (every side), one int per axis, one (low, high) pair per axis, or
        2·rank ints low, high per axis (in 2-d: T,B,L,R)."""
        wanted = (
            f"valid, same, same_lower, P, {rank} ints (one per axis), "
            f"{2 * rank} ints (low, high per axis) or {rank} [low, high] pairs"
        )
        if isinstance(spec, str):
            word = spec.strip().lower()
            if word in WORDS:
                return cls(word)
            try:
                numbers = [int(part) for part in word.split(",")]
                return cls.parse(numbers[0] if len(numbers) == 1 else numbers, rank)
            except (ValueError, CaseError):
                raise CaseError(f"padding {spec!r} is not {wanted}") from None
        if is_int(spec):
            return cls.explicit(*[spec] * (2 * rank))
        if isinstance(spec, (list, tuple)):
            if all(map(is_int, spec)):
                if len(spec) == rank:
                    return cls.explicit(*[p for p in spec for _ in (0, 1)])
                if len(spec) == 2 * rank:
                    return cls.explicit(*spec)
            elif len(spec) == rank and all(
                isinstance(pair, (list, tuple)) and len(pair) == 2 and all(map(is_int, pair))
                for pair in spec
            ):
                return cls.explicit(*[p for pair in spec for p in pair])
        raise CaseError(f"padding {spec!r} is not {wanted}")

    @property
    def rank(self) -> int | None:
        """The axes an explicit padding speaks of; None for a word."""
        return len(self.pads) // 2 if self.kind == "explicit" else None

    def pairs(self) -> list[tuple[int, int]]:
        """Explicit pads as [(low, high), ...], one pair per axis."""
        return pairs(self.pads)

    def symmetric(self) -> tuple[int, ...] | None:
        """One pad per axis, when an explicit padding is the same on both sides of each axis."""
        if self.kind == "explicit" and all(low == high for low, high in self.pairs()):
            return tuple(low for low, _ in self.pairs())
        return None

    def symmetric_pair(self) -> tuple[int, ...] | None:  # the 2-d name, kept for plugins
        return self.symmetric()

    def to_json(self) -> str | int | list[int] | list[list[int]]:
        """The shortest spelling: a word, an int, one int per axis, or the pairs (flat in 2-d,
        as T,B,L,R)."""
        if self.kind != "explicit":
            return self.kind
        if len(set(self.pads)) == 1:
            return self.pads[0]
        per_axis = self.symmetric()
        if per_axis is not None:
            return list(per_axis)
        if len(self.pads) == 4:
            return list(self.pads)
        return [list(pair) for pair in self.pairs()]

    def __str__(self) -> str:
        """The spelling `--padding` reads: a word or comma-separated ints."""
        if self.kind != "explicit":
            return self.kind
        spec = self.to_json()
        if isinstance(spec, int):
            return str(spec)
        return ",".join(map(str, self.pads if isinstance(spec[0], list) else spec))


def op_rank(op: Any) -> int:
    if op not in OPS:
        raise CaseError(f"unknown op {op!r}; known: {', '.join(OPS)}")
    return OPS[op][1]


@dataclass(frozen=True)
class Case:
    """One operator configuration, independent of any framework."""

    batch: int
    in_channels: int
    out_channels: int
    spatial: tuple[int, ...]
    kernel: tuple[int, ...]
    stride: tuple[int, ...] = ()  # () means 1 on every axis (or the kernel, where the family says)
    dilation: tuple[int, ...] = ()  # () means 1 on every axis
    padding: Padding = Padding("valid")
    groups: int = 1
    bias: bool = True
    dtype: str = "float32"
    op: str = DEFAULT_OP
    output_padding: tuple[int, ...] = ()  # transposed ops: () means 0 on every axis
    output_shape: tuple[int, ...] | None = None  # transposed ops: the spatial size asked for
    ceil_mode: bool = False  # pooling: round the output size up (PyTorch's last-window rule)
    count_include_pad: bool = False  # average pooling: the divisor counts the padding

    def __post_init__(self) -> None:
        rank = op_rank(self.op)
        for name in ("batch", "in_channels", "out_channels", "groups"):
            if not is_int(getattr(self, name)):
                raise CaseError(f"{name} must be an int, got {getattr(self, name)!r}")
        if self.batch < 0:
            raise CaseError(f"batch must be >= 0, got {self.batch}")
        for name in ("in_channels", "out_channels", "groups"):
            if getattr(self, name) < 1:
                raise CaseError(f"{name} must be >= 1, got {getattr(self, name)}")
        spatial = self.spatial
        if not isinstance(spatial, (list, tuple)) or len(spatial) != rank:
            raise CaseError(f"{self.op} takes {rank} spatial size(s), got {spatial!r}")
        object.__setattr__(self, "spatial", axes("input size", spatial, rank, 1))
        object.__setattr__(self, "kernel", axes("kernel", self.kernel, rank, 1))
        for name in ("stride", "dilation"):
            value = getattr(self, name)
            kernel_stride = name == "stride" and self.operators.stride_defaults_to_kernel
            unset = self.kernel if kernel_stride else 1
            object.__setattr__(self, name, axes(name, value if value != () else unset, rank, 1))
        if self.in_channels % self.groups or self.out_channels % self.groups:
            raise CaseError(
                f"groups={self.groups} must divide in_channels={self.in_channels} "
                f"and out_channels={self.out_channels}"
            )
        if self.dtype not in DTYPES:
            raise CaseError(f"dtype must be one of {', '.join(DTYPES)}, got {self.dtype!r}")
        if not isinstance(self.padding, Padding):
            raise CaseError(f"padding must be a Padding, got {self.padding!r}")
        if self.padding.rank not in (None, rank):
            raise CaseError(
                f"{self.op} takes {rank} (low, high) pad pair(s), got {self.padding.pairs()}"
            )
        for other in OPERATORS.values():
            refused = other.refuse_foreign(self) if other is not self.operators else None
            if refused:
                raise CaseError(refused)
        self.operators.check(self)

    @property
    def rank(self) -> int:
        return len(self.spatial)

    @property
    def family(self) -> str:
        return OPS[self.op][0]

    @property
    def operators(self) -> Operators:
        """What a case of this family is (harness/families/<family>/operators.py)."""
        return OPERATORS[self.family]

    @property
    def input_shape(self) -> tuple[int, ...]:
        return (self.batch, self.in_channels, *self.spatial)

    @property
    def weight_shape(self) -> tuple[int, ...]:
        """The family's: [O, C/groups, *kernel] for a convolution, () where there is none."""
        return self.operators.weight_shape(self)

    def to_json(self) -> dict[str, Any]:
        return {
            "op": self.op,
            "input": list(self.input_shape),
            "out_channels": self.out_channels,
            "kernel": list(self.kernel),
            "stride": list(self.stride),
            "dilation": list(self.dilation),
            "groups": self.groups,
            "padding": self.padding.to_json(),
            "bias": self.bias,
            "dtype": self.dtype,
        } | self.operators.to_json(self)

    @classmethod
    def from_json(cls, data: Any) -> Case:
        if not isinstance(data, dict):
            raise CaseError(f"a case is a JSON object, got {type(data).__name__}")
        known = {"op", "input", "out_channels", "kernel", "stride", "dilation", "groups"}
        known |= {"padding", "bias", "dtype"}
        known |= {name for entry in OPERATORS.values() for name in entry.fields}
        unknown = sorted(set(data) - known)
        if unknown:
            raise CaseError(f"unknown case field(s): {', '.join(unknown)}")
        op = data.get("op", DEFAULT_OP)
        rank = op_rank(op)
        operators = OPERATORS[OPS[op][0]]
        weighted = operators.weighted
        for required in ("input", "out_channels", "kernel") if weighted else ("input", "kernel"):
            if required not in data:
                raise CaseError(f"case is missing {required!r}")
        shape = data["input"]
        if not isinstance(shape, list) or len(shape) != rank + 2 or not all(map(is_int, shape)):
            raise CaseError(f"{op} input must be {rank + 2} ints N,C,*spatial, got {shape!r}")
        bias = data.get("bias", weighted)
        if not isinstance(bias, bool):
            raise CaseError(f"bias must be true or false, got {bias!r}")
        fields: dict[str, Any] = {}
        for entry in OPERATORS.values():  # every family's, so a stray one is refused by name
            fields |= entry.from_json(data, rank)
        kernel = axes("kernel", data["kernel"], rank, 1)
        out_channels: int = data["out_channels"] if "out_channels" in data else shape[1]
        return cls(
            op=op,
            batch=shape[0],
            in_channels=shape[1],
            spatial=tuple(shape[2:]),
            out_channels=out_channels,
            kernel=kernel,
            stride=axes(
                "stride",
                data.get("stride", kernel if operators.stride_defaults_to_kernel else 1),
                rank,
                1,
            ),
            dilation=axes("dilation", data.get("dilation", 1), rank, 1),
            groups=data.get("groups", 1),
            padding=Padding.parse(data.get("padding", "valid"), rank),
            dtype=data.get("dtype", "float32"),
            bias=bias,
            **fields,
        )

    @property
    def id(self) -> str:
        """A short id that depends only on the case's content (a conv2d's as before ops)."""
        content = self.to_json()
        if self.op == DEFAULT_OP:
            del content["op"]
        canonical = json.dumps(content, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()[:12]

    def command(self) -> str:
        """The one-line shell command that reruns this case on every framework."""
        join = lambda values: ",".join(map(str, values))  # noqa: E731
        parts = ["convharness explain"]
        if self.op != DEFAULT_OP:
            parts.append(f"--op {self.op}")
        weighted = self.operators.weighted
        parts += [
            f"--input {join(self.input_shape)}",
            *([f"--out-channels {self.out_channels}"] if weighted else []),
            f"--kernel {join(self.kernel)}",
            f"--stride {join(self.stride)}",
            f"--dilation {join(self.dilation)}",
            *([f"--groups {self.groups}"] if weighted else []),
            f"--padding={self.padding}",
            f"--dtype {self.dtype}",
        ]
        if not self.bias and weighted:
            parts.append("--no-bias")
        return " ".join(parts + self.operators.flags(self))
