"""Real headless Chromium for end-to-end tests: Debian's /usr/bin/chromium driven by Playwright for Python
(`make test` installs chromium through scripts/ensure-services.sh; `playwright install` is never used)."""

from __future__ import annotations

import struct
import zlib

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def png_colours(png: bytes) -> int:
    """Distinct byte values in the decompressed image data: a blank page has almost none."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        kind = png[pos + 4 : pos + 8]
        if kind == b"IDAT":
            idat += png[pos + 8 : pos + 8 + length]
        pos += 12 + length
    return len(set(zlib.decompress(idat)))
