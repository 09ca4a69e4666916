"""Benchmarks of the Need map page: pack load, recompute, map build, payload and first page.

Run ``python -m bench --help``. Figures are printed, never asserted: benchmarks are not tests.
"""
