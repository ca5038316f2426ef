"""Benchmarks of the suite (bench/run.py)."""
