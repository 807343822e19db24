"""Transposed convolution: conv_transpose1d/2d/3d (operators, sizes, rules, features,
reference, inference, strategies, recipes, record)."""
