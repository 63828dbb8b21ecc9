"""Scan targets beyond the working tree: the staged index and git history (``git.py``)."""
