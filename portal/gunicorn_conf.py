"""gunicorn settings for the portal's web processes (``gunicorn -c python:portal.gunicorn_conf``).

The access log names the path but never the query string or the referrer: a search such as
``/clinic/patients/?q=Lopez&screening=not_eligible`` is health information, and so is the page a
person came from. Filters keep travelling in the query string (they must survive paging and
bookmarks); the log is what forgets them."""

import os

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"  # noqa: S104 - behind the proxy
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
# %(U)s is the path without its query; %(r)s (the request line) and %(f)s (the referrer) are left out.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(L)ss'
