"""Reproducible speed comparisons: ratios against a baseline measured in the same run."""
