"""The news-search benchmark suite: `python3 -m benchmarks.run --help`."""
