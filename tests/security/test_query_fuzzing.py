"""Every GET page of the URL map, asked with crafted query strings, answers without a 500.

The parameter names come from the code itself (every ``request.GET.get("…")`` and the fields of
forms bound to ``request.GET``) plus a few that no view reads, so a parameter added to a view is
fuzzed without anyone listing it here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from patients.clinic.forms import PatientFilterForm
from portal.tests.signin import sign_in
from tests.helpers import BASE_DIR
from tests.security.urlmap import project_routes

FUZZ = settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))

CRAFTED = [
    "", "\x00", "%00", "9999-12", "0001-01", "9999-12-31", "0001-01-01", "2026-02-30", "2026-13", "-1", "0",
    "99999999999999999999", "1e309", "NaN", "day", "week", "../../etc/passwd", "<script>", "'", "🙂" * 40,
    "https://evil.example/", "//evil.example", "a" * 5000,
]  # fmt: skip


def parameter_names() -> set[str]:
    names = {"page", "next", "o", "q", "unknown"}
    for source in [*BASE_DIR.glob("*/views/*.py"), *BASE_DIR.glob("*/views.py")]:
        names.update(re.findall(r"request\.GET\.get\(\s*\"(\w+)\"", Path(source).read_text()))
    names.update(PatientFilterForm.base_fields)
    return names


def get_pages() -> dict[str, str]:
    """url name → route for every page outside the admin and allauth."""
    return project_routes()


def concrete(route: str, objects: dict[str, int]) -> str | None:
    route = route.lstrip("^").rstrip("$")
    if "(?P<step>" in route:
        route = re.sub(r"\(\?P<step>[^)]*\)", "pain", route)
    if "<slug:slug>" in route:
        route = route.replace("<slug:slug>", "what-is-ldn")
    ids = re.findall(r"<int:\w+>", route)
    if ids:
        return None  # object pages are covered below, with the world's ids
    return "/" + route


def role_for(path: str) -> str | None:
    for prefix, role in (("/patient/", "patient"), ("/intake/", "patient"), ("/clinic/", "physician"),
                         ("/pharmacy/", "pharmacy"), ("/fhir/", "physician")):  # fmt: skip
        if path.startswith(prefix):
            return role
    return None


OBJECT_PAGES = {
    "/clinic/patients/{patient}/": "physician",
    "/clinic/orders/{order}/": "physician",
    "/clinic/appointments/{appointment}/": "physician",
    "/clinic/messages/{thread}/": "physician",
    "/patient/messages/{thread}/": "patient",
    "/patient/orders/{order}/": "patient",
    "/patient/appointments/{appointment}/reschedule/": "patient",
    "/pharmacy/orders/{order}/": "pharmacy",
}


@pytest.mark.django_db
def test_no_query_string_makes_a_page_fail(world):
    names = sorted(parameter_names())
    paths: list[tuple[str, str | None]] = []
    for route in get_pages().values():
        path = concrete(route, world["objects"])
        if path and not path.endswith((".ics",)) and "bench" not in path:
            paths.append((path, role_for(path)))
    paths += [(p.format(**world["objects"]), role) for p, role in OBJECT_PAGES.items()]
    clients = {None: Client()}
    for role in ("patient", "physician", "pharmacy"):
        clients[role] = Client()
        sign_in(clients[role], world["insiders"][role])
    for client in clients.values():
        client.raise_request_exception = False

    # Every crafted value in every parameter at once, on every page; then random mixtures.
    for value in CRAFTED:
        for path, role in paths:
            response = clients[role].get(path, dict.fromkeys(names, value))
            assert response.status_code < 500, (path, value, response.status_code)

    query = st.dictionaries(st.sampled_from(names), st.one_of(st.sampled_from(CRAFTED), st.text(max_size=40)),
                            max_size=4)  # fmt: skip

    @FUZZ
    @given(params=query)
    def run(params):
        for path, role in paths:
            response = clients[role].get(path, params)
            assert response.status_code < 500, (path, params, response.status_code)

    run()
