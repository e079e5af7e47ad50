"""roundtable: run round-table workshops built on a fictional event case."""

__version__ = "0.1.0"
