"""Shannon entropy and the small character statistics the false-positive filters use."""

from __future__ import annotations

import math
from collections import Counter


def shannon(text: str) -> float:
    """Bits per character of ``text`` (0 for the empty string)."""
    if not text:
        return 0.0
    n = len(text)
    return -sum((c / n) * math.log2(c / n) for c in Counter(text).values())


def char_classes(text: str) -> int:
    """How many of lower, upper, digit and other characters ``text`` uses."""
    lower = upper = digit = other = False
    for ch in text:
        if ch.islower():
            lower = True
        elif ch.isupper():
            upper = True
        elif ch.isdigit():
            digit = True
        else:
            other = True
    return lower + upper + digit + other
