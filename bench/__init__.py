"""Benchmarks (not run by CI): see bench/README.md."""
