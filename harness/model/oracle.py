"""The analytic oracle: output sizes and 'same' padding, as arithmetic.

One spatial axis at a time. Names follow Dumoulin & Visin (arXiv:1603.07285):
i input size, k kernel size, s stride, d dilation. Nothing here knows any
framework; conventions.py says which rule each framework documents.
"""

from __future__ import annotations


def effective_kernel(k: int, d: int) -> int:
    """The dilated kernel's extent: d(k-1)+1."""
    return d * (k - 1) + 1


def output_size(
    i: int, k: int, s: int, d: int, before: int, after: int, rounding: str = "floor"
) -> int:
    """Output size of one axis; negative results are kept.

    floor:    floor((i + before + after - d(k-1) - 1) / s) + 1, the textbook formula.
    truncate: (i + before + after - d(k-1) - 1 + s) / s in C integer division, which
              rounds towards zero: TensorFlow's kernel_shape_util.cc. It equals floor
              whenever that is >= 0, and gives 0 where floor gives -1.
    clamp:    floor, then at least 0 (JAX's conv_shape_tuple).
    transpose: a transposed convolution's (i - 1)s + d(k-1) + 1 - before - after, where
              `before` and `after` crop its full output (negative ones extend it).
    transpose_clamp: the same, at least 0 (JAX's lax.conv_transpose, a convolution of the
              padded dilated input).
    truncate_span: (i + before + after - d(k-1) - 1) / s in C integer division, then + 1:
              ONNX Runtime's pooling (pool_attributes.h ComputeOutputSize). It equals floor
              where the span is >= 0, and gives 1 where floor gives 0 and the span is > -s.
    """
    if rounding in ("transpose", "transpose_clamp"):
        size = (i - 1) * s + effective_kernel(k, d) - before - after
        return max(size, 0) if rounding == "transpose_clamp" else size
    span = i + before + after - effective_kernel(k, d)
    if rounding == "floor":
        return span // s + 1
    if rounding == "clamp":
        return max(span // s + 1, 0)
    if rounding == "truncate":
        numerator = span + s
        return numerator // s if numerator >= 0 else -(-numerator // s)
    if rounding == "truncate_span":
        return (span // s if span >= 0 else -(-span // s)) + 1
    raise ValueError(f"unknown output rounding {rounding!r}")


def same_total(rule: str, i: int, k: int, s: int, d: int) -> int:
    """Total 'same' padding of one axis under a named rule.

    minimal: the least padding that gives ceil(i/s) outputs (TF, JAX).
    unclamped: the same without max(0), as the ONNX spec writes it: negative (a crop) where
        the stride is larger than the dilated kernel and cuts into the input.
    dilated_kernel: d(k-1) whatever the stride (PyTorch, which allows stride 1 only).
    """
    if rule in ("minimal", "unclamped"):
        out = -(-i // s)
        total = (out - 1) * s + effective_kernel(k, d) - i
        return max(0, total) if rule == "minimal" else total
    if rule == "dilated_kernel":
        return d * (k - 1)
    raise ValueError(f"unknown 'same' total rule {rule!r}")


def split(rule: str, total: int) -> tuple[int, int]:
    """(before, after) for a total padding; the rule says where an odd pixel goes."""
    if rule == "extra_at_end":
        return (total // 2, total - total // 2)
    if rule == "extra_at_start":
        return (total - total // 2, total // 2)
    if rule in ("truncated_extra_at_end", "truncated_extra_at_start"):
        # C integer division (ONNX Runtime): the same as floor, but for negative totals
        half = total + (1 if rule == "truncated_extra_at_start" else 0)
        before = abs(half) // 2 * (1 if half >= 0 else -1)
        return (before, total - before)
    raise ValueError(f"unknown 'same' split rule {rule!r}")


ROUNDINGS = ("floor", "truncate", "clamp", "truncate_span", "transpose", "transpose_clamp")
TOTAL_RULES = ("minimal", "unclamped", "dilated_kernel")
SPLIT_RULES = (
    "extra_at_end",
    "extra_at_start",
    "truncated_extra_at_end",
    "truncated_extra_at_start",
)
