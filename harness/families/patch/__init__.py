"""Patch extraction: patches1d/2d/3d (operators, rules, reference, strategies, record)."""
