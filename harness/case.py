"""The case: one frozen value, for any spatial operator at any rank, that every room agrees on.

A case is framework-neutral: canonical layouts are channels-first, input `[N, C, *spatial]`
and weight `[O, C/groups, *kernel]` (PyTorch's). It names its operator (`op`, e.g. `conv1d`,
`conv2d`, `conv3d`); the rank is the number of spatial axes. Its JSON form is the one the CLI
reads (`explain --cases`), so a case printed anywhere can be pasted back in. A case without
`"op"` is a `conv2d`, and a conv2d case keeps the id it had before operators had names.

Pooling (`max_pool1d/2d/3d`, `avg_pool1d/2d/3d`) has no weight and no bias: its channels pass
through (out_channels equals in_channels, groups 1, bias false), and its stride defaults to
its kernel, as most pooling APIs do. `ceil_mode` (PyTorch's: round the output size up) and,
for averages, `count_include_pad` (divide by the window's size, padding included, rather than
by the input elements it covers) default to false; fields at their default are left out of the
JSON form and the id, so every case written before pooling keeps its id.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

DTYPES = ("float32", "float64", "float16", "bfloat16")
PADDING_KINDS = ("valid", "same", "same_lower", "explicit")
WORDS = ("valid", "same", "same_lower")

# operator -> (family, rank). Families are the modules of harness/ops/.
OPS: dict[str, tuple[str, int]] = {f"conv{rank}d": ("conv", rank) for rank in (1, 2, 3)}
OPS.update({f"conv_transpose{rank}d": ("conv_transpose", rank) for rank in (1, 2, 3)})
OPS.update({f"{kind}_pool{rank}d": ("pool", rank) for kind in ("max", "avg") for rank in (1, 2, 3)})
DEFAULT_OP = "conv2d"  # what a case without "op" is

Pads = tuple[int, ...]  # (low, high) per spatial axis, flattened: (top, bottom, left, right) in 2-d


class CaseError(ValueError):
    """A case, padding spec or case line that does not describe a case."""


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def pairs(pads: Pads) -> list[tuple[int, int]]:
    """Flat pads as one (low, high) pair per axis."""
    return [(pads[i], pads[i + 1]) for i in range(0, len(pads), 2)]


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
        elif not self.pads or len(self.pads) % 2 or not all(map(_is_int, self.pads)):
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
        if _is_int(spec):
            return cls.explicit(*[spec] * (2 * rank))
        if isinstance(spec, (list, tuple)):
            if all(map(_is_int, spec)):
                if len(spec) == rank:
                    return cls.explicit(*[p for p in spec for _ in (0, 1)])
                if len(spec) == 2 * rank:
                    return cls.explicit(*spec)
            elif len(spec) == rank and all(
                isinstance(pair, (list, tuple)) and len(pair) == 2 and all(map(_is_int, pair))
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


def _axes(name: str, value: Any, rank: int, minimum: int) -> tuple[int, ...]:
    """One int per spatial axis (a single int means every axis)."""
    if _is_int(value):
        value = [value] * rank
    if not isinstance(value, (list, tuple)) or len(value) != rank or not all(map(_is_int, value)):
        raise CaseError(
            f"{name} must be an int or {rank} ints (one per spatial axis), got {value!r}"
        )
    if min(value) < minimum:
        raise CaseError(f"{name} must be >= {minimum}, got {list(value)}")
    return tuple(int(v) for v in value)


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
    stride: tuple[int, ...] = ()  # () means 1 on every axis (for pooling: the kernel)
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
            if not _is_int(getattr(self, name)):
                raise CaseError(f"{name} must be an int, got {getattr(self, name)!r}")
        if self.batch < 0:
            raise CaseError(f"batch must be >= 0, got {self.batch}")
        for name in ("in_channels", "out_channels", "groups"):
            if getattr(self, name) < 1:
                raise CaseError(f"{name} must be >= 1, got {getattr(self, name)}")
        spatial = self.spatial
        if not isinstance(spatial, (list, tuple)) or len(spatial) != rank:
            raise CaseError(f"{self.op} takes {rank} spatial size(s), got {spatial!r}")
        object.__setattr__(self, "spatial", _axes("input size", spatial, rank, 1))
        object.__setattr__(self, "kernel", _axes("kernel", self.kernel, rank, 1))
        for name in ("stride", "dilation"):
            value = getattr(self, name)
            unset = self.kernel if name == "stride" and self.family == "pool" else 1
            object.__setattr__(self, name, _axes(name, value if value != () else unset, rank, 1))
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
        _check_transposed(self)
        check_pooling(self)

    @property
    def rank(self) -> int:
        return len(self.spatial)

    @property
    def family(self) -> str:
        return OPS[self.op][0]

    @property
    def input_shape(self) -> tuple[int, ...]:
        return (self.batch, self.in_channels, *self.spatial)

    @property
    def weight_shape(self) -> tuple[int, ...]:
        """[O, C/groups, *kernel]; a transposed op's is [C, O/groups, *kernel] (PyTorch's);
        () for pooling, which has none."""
        if self.family == "conv_transpose":
            return (self.in_channels, self.out_channels // self.groups, *self.kernel)
        if self.family == "pool":
            return ()
        return (self.out_channels, self.in_channels // self.groups, *self.kernel)

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
            **_transposed_json(self),
        } | {name: True for name in POOL_FLAGS if getattr(self, name)}

    @classmethod
    def from_json(cls, data: Any) -> Case:
        if not isinstance(data, dict):
            raise CaseError(f"a case is a JSON object, got {type(data).__name__}")
        known = {"op", "input", "out_channels", "kernel", "stride", "dilation", "groups"}
        known |= {"padding", "bias", "dtype", *TRANSPOSED_FIELDS, *POOL_FLAGS}
        unknown = sorted(set(data) - known)
        if unknown:
            raise CaseError(f"unknown case field(s): {', '.join(unknown)}")
        op = data.get("op", DEFAULT_OP)
        rank = op_rank(op)
        pooling = OPS[op][0] == "pool"
        for required in ("input", "kernel") if pooling else ("input", "out_channels", "kernel"):
            if required not in data:
                raise CaseError(f"case is missing {required!r}")
        shape = data["input"]
        if not isinstance(shape, list) or len(shape) != rank + 2 or not all(map(_is_int, shape)):
            raise CaseError(f"{op} input must be {rank + 2} ints N,C,*spatial, got {shape!r}")
        flags = {}
        for name, default in (("bias", not pooling), *((flag, False) for flag in POOL_FLAGS)):
            flags[name] = data.get(name, default)
            if not isinstance(flags[name], bool):
                raise CaseError(f"{name} must be true or false, got {flags[name]!r}")
        kernel = _axes("kernel", data["kernel"], rank, 1)
        out_channels: int = data["out_channels"] if "out_channels" in data else shape[1]
        return cls(
            op=op,
            batch=shape[0],
            in_channels=shape[1],
            spatial=tuple(shape[2:]),
            out_channels=out_channels,
            kernel=kernel,
            stride=_axes("stride", data.get("stride", kernel if pooling else 1), rank, 1),
            dilation=_axes("dilation", data.get("dilation", 1), rank, 1),
            groups=data.get("groups", 1),
            padding=Padding.parse(data.get("padding", "valid"), rank),
            dtype=data.get("dtype", "float32"),
            **_transposed_from_json(data, rank),
            **flags,
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
        pooling = self.family == "pool"
        parts += [
            f"--input {join(self.input_shape)}",
            *([] if pooling else [f"--out-channels {self.out_channels}"]),
            f"--kernel {join(self.kernel)}",
            f"--stride {join(self.stride)}",
            f"--dilation {join(self.dilation)}",
            *([] if pooling else [f"--groups {self.groups}"]),
            f"--padding={self.padding}",
            f"--dtype {self.dtype}",
        ]
        if not self.bias and not pooling:
            parts.append("--no-bias")
        parts += [f"--{name.replace('_', '-')}" for name in POOL_FLAGS if getattr(self, name)]
        return " ".join(parts + _transposed_flags(self))


# Transposed convolution: the fields only conv_transpose1d/2d/3d take, and their checks.
TRANSPOSED_FIELDS = ("output_padding", "output_shape")


def full_size(i: int, k: int, s: int, d: int) -> int:
    """The full transposed output of one axis, before any crop: (i - 1)s + d(k - 1) + 1."""
    return (i - 1) * s + d * (k - 1) + 1


def output_shape_range(case: Case, axis: int) -> tuple[int, int]:
    """The output sizes some framework accepts for an axis of a transposed case.

    Every size one strided forward convolution maps back to the input size: from the crop
    of the padding (none for a word) up to max(stride, dilation) - 1 more, PyTorch's widest
    output_padding; under 'same' (TensorFlow, ONNX) down to (i - 1)s + 1.
    """
    i, k, s, d = case.spatial[axis], case.kernel[axis], case.stride[axis], case.dilation[axis]
    full = full_size(i, k, s, d)
    if case.padding.kind == "explicit":
        low, high = case.padding.pairs()[axis]
        return (full - low - high, full - low - high + max(s, d) - 1)
    if case.padding.kind == "valid":
        return (full, full + max(s, d) - 1)
    return (min((i - 1) * s + 1, full), max(i * s, full + max(s, d) - 1))


def _check_transposed(case: Case) -> None:
    transposed = case.family == "conv_transpose"
    if not transposed:
        for name in TRANSPOSED_FIELDS:
            if getattr(case, name) not in ((), None):
                raise CaseError(f"{name} is for transposed ops only, not {case.op}")
        return
    if case.output_padding != ():
        object.__setattr__(
            case, "output_padding", _axes("output_padding", case.output_padding, case.rank, 0)
        )
    if case.output_shape is not None:
        if case.output_padding != ():
            raise CaseError("give output_padding or output_shape, not both")
        shape = _axes("output_shape", case.output_shape, case.rank, 0)
        object.__setattr__(case, "output_shape", shape)
        for axis, size in enumerate(shape):
            low, high = output_shape_range(case, axis)
            if not low <= size <= high:
                raise CaseError(
                    f"output_shape {list(shape)}: axis {axis} takes {low}..{high} "
                    f"with padding {case.padding} on every framework, not {size}"
                )


def _transposed_json(case: Case) -> dict[str, Any]:
    """The transposed fields a case sets; defaults are left out, so other ids stay."""
    found: dict[str, Any] = {}
    if case.output_padding != ():
        found["output_padding"] = list(case.output_padding)
    if case.output_shape is not None:
        found["output_shape"] = list(case.output_shape)
    return found


def _transposed_from_json(data: dict[str, Any], rank: int) -> dict[str, Any]:
    found: dict[str, Any] = {}
    if "output_padding" in data:
        found["output_padding"] = _axes("output_padding", data["output_padding"], rank, 0)
    if data.get("output_shape") is not None:
        found["output_shape"] = _axes("output_shape", data["output_shape"], rank, 0)
    return found


def _transposed_flags(case: Case) -> list[str]:
    join = ",".join
    flags = []
    if case.output_padding != ():
        flags.append(f"--output-padding {join(map(str, case.output_padding))}")
    if case.output_shape is not None:
        flags.append(f"--output-shape {join(map(str, case.output_shape))}")
    return flags


POOL_FLAGS = ("ceil_mode", "count_include_pad")  # in the JSON form and the id only when true


def check_pooling(case: Case) -> None:
    """What pooling asks of a case, and the pooling flags refused elsewhere."""
    if OPS[case.op][0] != "pool":
        for name in POOL_FLAGS:
            if getattr(case, name) is not False:
                raise CaseError(f"{name} is a pooling option; {case.op} takes none")
        return
    for name in ("ceil_mode", "count_include_pad", "bias"):
        if not isinstance(getattr(case, name), bool):
            raise CaseError(f"{name} must be true or false, got {getattr(case, name)!r}")
    if case.count_include_pad and not case.op.startswith("avg_"):
        raise CaseError(f"count_include_pad is an average pooling option; {case.op} takes none")
    if case.bias or case.groups != 1 or case.out_channels != case.in_channels:
        raise CaseError(
            f"{case.op} has no weight: out_channels equals in_channels "
            f"({case.in_channels}), groups 1, no bias"
        )
    if case.ceil_mode and case.padding.kind in ("same", "same_lower"):
        raise CaseError(f"ceil_mode takes explicit pads or 'valid', not {case.padding.kind!r}")
