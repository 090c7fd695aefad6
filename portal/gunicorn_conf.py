"""gunicorn settings for the portal's web processes (``gunicorn -c python:portal.gunicorn_conf``).

The access log names the path but never the query string or the referrer: a search such as
``/clinic/patients/?q=Lopez&screening=not_eligible`` is health information, and so is the page a
person came from. Filters keep travelling in the query string (they must survive paging and
bookmarks); the log is what forgets them. The workers are uvicorn's, whose access line (method,
path, status, no referrer) goes through the ``uvicorn.access`` logger, and ``post_worker_init``
below cuts the query string from it (portal.logfilters.DropQueryString)."""

import logging
import os

from portal.logfilters import DropQueryString

# ASGI workers: pages and the video room's WebSocket in every process (docs/architecture.md
# "Video visits"). Django runs each page's code in a worker thread, as under WSGI.
worker_class = "uvicorn_worker.UvicornWorker"
bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"  # noqa: S104 - behind the proxy
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"


def post_worker_init(worker):
    logging.getLogger("uvicorn.access").addFilter(DropQueryString())
