"""Benchmarks: each module measures one thing in one run and prints one line with its goal."""
