"""Log filters that keep health information out of log lines."""

from __future__ import annotations

import logging


class DropQueryString(logging.Filter):
    """Development's runserver logs each request line; cut the query string from it, as the
    production access log never writes one (portal/gunicorn_conf.py)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args and isinstance(record.args, tuple) and isinstance(record.args[0], str):
            line = record.args[0]
            if "?" in line:
                method_and_path, _, rest = line.partition("?")
                protocol = rest.rsplit(" ", 1)[-1] if " " in rest else ""
                record.args = (f"{method_and_path} {protocol}".rstrip(), *record.args[1:])
        return True
