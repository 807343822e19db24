"""Convolution: conv1d, conv2d, conv3d (operators.py, record.py)."""
