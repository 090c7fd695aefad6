"""The project's own pages, read from the URL map (the admin and allauth's pages left out)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, get_resolver


def project_routes() -> dict[str, str]:
    """url name (with its namespace) → route, for every named page of the project's apps."""
    found: dict[str, str] = {}

    def walk(patterns, prefix="", ns=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                if str(p.pattern).startswith(("admin/", "accounts/")):
                    continue
                walk(p.url_patterns, prefix + str(p.pattern), ns + (f"{p.namespace}:" if p.namespace else ""))
            elif isinstance(p, URLPattern) and p.name and p.name != "bench_ok":
                found[ns + p.name] = prefix + str(p.pattern)

    walk(get_resolver().url_patterns)
    return found
