"""Pooling: max_pool1d/2d/3d, avg_pool1d/2d/3d (operators, features, rules, reference, inference,
strategies, record)."""
