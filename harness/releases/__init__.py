"""Releases as an axis: environments per release set, release variants, the release matrix,
bisection between releases and upstream reports."""
