"""Log filters that keep health information out of log lines."""

from __future__ import annotations

import logging
import re

QUERY_STRING = re.compile(r"\?[^ ]*")


class DropQueryString(logging.Filter):
    """Request lines lose their query string, as the production access log never writes one
    (portal/gunicorn_conf.py): a search such as ``?q=Lopez&screening=not_eligible`` is health
    information. Covers runserver's request line (``"GET /path?q HTTP/1.1"``) and uvicorn's access
    line, whose path argument carries the query."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args and isinstance(record.args, tuple):
            record.args = tuple(
                QUERY_STRING.sub("", arg) if isinstance(arg, str) and "?" in arg else arg for arg in record.args
            )
        return True
