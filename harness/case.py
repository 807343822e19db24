"""The Conv2d case: one frozen value that every room of the harness agrees on.

A case is framework-neutral: canonical layouts are NCHW input and OIHW weight.
Its JSON form is the same one the CLI reads (`explain --cases`), so a case
printed anywhere can be pasted back in.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

DTYPES = ("float32", "float64", "float16", "bfloat16")
PADDING_KINDS = ("valid", "same", "same_lower", "explicit")


class CaseError(ValueError):
    """A case, padding spec or case line that does not describe a Conv2d."""


@dataclass(frozen=True)
class Padding:
    """How the caller asked for padding.

    `valid`, `same` and `same_lower` are the frameworks' own words and resolve
    per framework; `explicit` carries (top, bottom, left, right), negative
    values meaning a crop.
    """

    kind: str
    pads: tuple[int, int, int, int] = (0, 0, 0, 0)

    def __post_init__(self) -> None:
        if self.kind not in PADDING_KINDS:
            raise CaseError(f"unknown padding kind {self.kind!r}")
        if self.kind != "explicit" and self.pads != (0, 0, 0, 0):
            raise CaseError(f"padding {self.kind!r} takes no pads")

    @classmethod
    def explicit(cls, top: int, bottom: int, left: int, right: int) -> Padding:
        return cls("explicit", (int(top), int(bottom), int(left), int(right)))

    @classmethod
    def parse(cls, spec: Any) -> Padding:
        """Read `valid`, `same`, `same_lower`, P, (PH, PW) or (T, B, L, R)."""
        if isinstance(spec, str):
            word = spec.strip().lower()
            if word in ("valid", "same", "same_lower"):
                return cls(word)
            try:
                numbers = [int(part) for part in word.split(",")]
            except ValueError:
                raise CaseError(
                    f"padding {spec!r} is not valid, same, same_lower, P, PH,PW or T,B,L,R"
                ) from None
            return cls.parse(numbers[0] if len(numbers) == 1 else numbers)
        if isinstance(spec, bool):
            raise CaseError(f"padding {spec!r} is not a number")
        if isinstance(spec, int):
            return cls.explicit(spec, spec, spec, spec)
        if isinstance(spec, (list, tuple)) and all(
            isinstance(v, int) and not isinstance(v, bool) for v in spec
        ):
            if len(spec) == 2:
                return cls.explicit(spec[0], spec[0], spec[1], spec[1])
            if len(spec) == 4:
                return cls.explicit(*spec)
        raise CaseError(f"padding {spec!r} is not valid, same, same_lower, P, PH,PW or T,B,L,R")

    def symmetric_pair(self) -> tuple[int, int] | None:
        """(PH, PW) when an explicit padding is the same on both sides of each axis."""
        top, bottom, left, right = self.pads
        if self.kind == "explicit" and top == bottom and left == right:
            return (top, left)
        return None

    def to_json(self) -> str | int | list[int]:
        """The shortest spelling: a word, an int, a pair, or four sides."""
        if self.kind != "explicit":
            return self.kind
        top, bottom, left, right = self.pads
        if top == bottom == left == right:
            return top
        if top == bottom and left == right:
            return [top, left]
        return list(self.pads)

    def __str__(self) -> str:
        spec = self.to_json()
        return ",".join(map(str, spec)) if isinstance(spec, list) else str(spec)


def _pair(name: str, value: Any, minimum: int) -> tuple[int, int]:
    if isinstance(value, int) and not isinstance(value, bool):
        value = (value, value)
    if (
        not isinstance(value, (list, tuple))
        or len(value) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    ):
        raise CaseError(f"{name} must be an int or a pair of ints, got {value!r}")
    if min(value) < minimum:
        raise CaseError(f"{name} must be >= {minimum}, got {list(value)}")
    return (int(value[0]), int(value[1]))


@dataclass(frozen=True)
class Case:
    """One Conv2d configuration, independent of any framework."""

    batch: int
    in_channels: int
    out_channels: int
    height: int
    width: int
    kernel: tuple[int, int]
    stride: tuple[int, int] = (1, 1)
    dilation: tuple[int, int] = (1, 1)
    padding: Padding = Padding("valid")
    groups: int = 1
    bias: bool = True
    dtype: str = "float32"

    def __post_init__(self) -> None:
        for name in ("batch", "in_channels", "out_channels", "height", "width", "groups"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool):
                raise CaseError(f"{name} must be an int, got {value!r}")
        if self.batch < 0:
            raise CaseError(f"batch must be >= 0, got {self.batch}")
        for name in ("in_channels", "out_channels", "height", "width", "groups"):
            if getattr(self, name) < 1:
                raise CaseError(f"{name} must be >= 1, got {getattr(self, name)}")
        _pair("kernel", self.kernel, 1)
        _pair("stride", self.stride, 1)
        _pair("dilation", self.dilation, 1)
        if self.in_channels % self.groups or self.out_channels % self.groups:
            raise CaseError(
                f"groups={self.groups} must divide in_channels={self.in_channels} "
                f"and out_channels={self.out_channels}"
            )
        if self.dtype not in DTYPES:
            raise CaseError(f"dtype must be one of {', '.join(DTYPES)}, got {self.dtype!r}")
        if not isinstance(self.padding, Padding):
            raise CaseError(f"padding must be a Padding, got {self.padding!r}")

    @property
    def input_shape(self) -> tuple[int, int, int, int]:
        return (self.batch, self.in_channels, self.height, self.width)

    @property
    def weight_shape(self) -> tuple[int, int, int, int]:
        return (self.out_channels, self.in_channels // self.groups, *self.kernel)

    def to_json(self) -> dict[str, Any]:
        return {
            "input": list(self.input_shape),
            "out_channels": self.out_channels,
            "kernel": list(self.kernel),
            "stride": list(self.stride),
            "dilation": list(self.dilation),
            "groups": self.groups,
            "padding": self.padding.to_json(),
            "bias": self.bias,
            "dtype": self.dtype,
        }

    @classmethod
    def from_json(cls, data: Any) -> Case:
        if not isinstance(data, dict):
            raise CaseError(f"a case is a JSON object, got {type(data).__name__}")
        known = {
            "input",
            "out_channels",
            "kernel",
            "stride",
            "dilation",
            "groups",
            "padding",
            "bias",
            "dtype",
        }
        unknown = sorted(set(data) - known)
        if unknown:
            raise CaseError(f"unknown case field(s): {', '.join(unknown)}")
        for required in ("input", "out_channels", "kernel"):
            if required not in data:
                raise CaseError(f"case is missing {required!r}")
        shape = data["input"]
        if (
            not isinstance(shape, list)
            or len(shape) != 4
            or not all(isinstance(v, int) and not isinstance(v, bool) for v in shape)
        ):
            raise CaseError(f"input must be four ints N,C,H,W, got {shape!r}")
        bias = data.get("bias", True)
        if not isinstance(bias, bool):
            raise CaseError(f"bias must be true or false, got {bias!r}")
        return cls(
            batch=shape[0],
            in_channels=shape[1],
            height=shape[2],
            width=shape[3],
            out_channels=data["out_channels"],
            kernel=_pair("kernel", data["kernel"], 1),
            stride=_pair("stride", data.get("stride", 1), 1),
            dilation=_pair("dilation", data.get("dilation", 1), 1),
            groups=data.get("groups", 1),
            padding=Padding.parse(data.get("padding", "valid")),
            bias=bias,
            dtype=data.get("dtype", "float32"),
        )

    @property
    def id(self) -> str:
        """A short id that depends only on the case's content."""
        canonical = json.dumps(self.to_json(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()[:12]

    def command(self) -> str:
        """The one-line shell command that reruns this case on every framework."""
        parts = [
            "convharness explain",
            f"--input {','.join(map(str, self.input_shape))}",
            f"--out-channels {self.out_channels}",
            f"--kernel {self.kernel[0]},{self.kernel[1]}",
            f"--stride {self.stride[0]},{self.stride[1]}",
            f"--dilation {self.dilation[0]},{self.dilation[1]}",
            f"--groups {self.groups}",
            f"--padding={self.padding}",
            f"--dtype {self.dtype}",
        ]
        if not self.bias:
            parts.append("--no-bias")
        return " ".join(parts)
