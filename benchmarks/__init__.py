"""Performance benchmarks for the catalogue: `make bench` (`python -m benchmarks`).

Builds a throwaway instance with a generated council catalogue, then times public search and
page rendering on it. Nothing here is imported by the product or the tests, and nothing here
asserts on timings: the figures are for people to read (see docs/performance.md).
"""
