"""Benchmarks: each module measures a feature next to the ceiling it is compared to, in one run."""
