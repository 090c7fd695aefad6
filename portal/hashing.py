"""The one way a signed record's content is fingerprinted: canonical JSON (sorted keys, no spaces,
UTF-8) hashed with SHA-256, and moments written in UTC to the microsecond. Orders and visit notes
both sign this way, so a hash taken once can be checked again byte for byte."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any


def content_digest(content: dict[str, Any]) -> str:
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def utc_stamp(moment: dt.datetime | None) -> str | None:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ") if moment else None
