"""One JSON object per alert per line."""

from __future__ import annotations

import json
from collections.abc import Sequence

from garrison.core.alert import Alert, alert_to_dict
from garrison.detect.output import OutputContext


def write(alerts: Sequence[Alert], ctx: OutputContext) -> bytes:
    lines = [json.dumps(alert_to_dict(a), ensure_ascii=False, sort_keys=True, default=str) for a in alerts]
    return ("\n".join(lines) + ("\n" if lines else "")).encode("utf-8")
