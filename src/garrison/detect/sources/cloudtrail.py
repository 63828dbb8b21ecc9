"""AWS CloudTrail: ``{"Records": [...]}`` files as delivered to S3 (often ``.json.gz``), or one record per line."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from garrison.detect.event import Event, flatten, parse_timestamp
from garrison.detect.logsources import fixed
from garrison.detect.sources.base import SourceStats, iter_json_array

LOGSOURCE = fixed("aws", ("cloudtrail",))


def is_record(obj: dict[str, Any]) -> bool:
    return "eventSource" in obj and "eventName" in obj and ("eventVersion" in obj or "awsRegion" in obj)


def cloudtrail_event(obj: dict[str, Any], origin: str, position: str) -> Event:
    return Event(
        flatten(obj),
        origin=origin,
        position=position,
        family="cloudtrail",
        logsource=LOGSOURCE,
        timestamp=parse_timestamp(obj.get("eventTime")),
    )


class CloudTrailSource:
    name = "cloudtrail"

    def records(self, stream: IO[bytes], origin: str, stats: SourceStats) -> Iterator[Event]:
        for index, obj in iter_json_array(stream, stats, key="Records"):
            yield cloudtrail_event(obj, origin, f"Records[{index - 1}]")
