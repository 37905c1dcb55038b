"""Benchmarks at city scale (issue 6). Run with `python -m benchmarks --help`."""
