"""Benchmarks of simsvc against minimal SimPy and Ciw M/M/c models (see README.md)."""
