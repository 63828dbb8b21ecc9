"""Garrison: find, decide, track, watch, act, prove — a SecOps engineer's job as code."""

__version__ = "0.1.0"

__all__ = ["__version__"]
