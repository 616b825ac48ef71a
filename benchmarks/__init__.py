"""Benchmarks: figures printed and saved as JSON under ``benchmarks/results/`` (``make bench``)."""
