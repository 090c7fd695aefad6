from functools import cache

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.templatetags.static import static
from django.urls import get_script_prefix, reverse

from portal.models import User

# (label, url name) per role; the base template renders these as the role's navigation.
NAVIGATION = {
    User.Role.PATIENT: [
        ("Home", "patients:home"),
        ("Visits", "patients:appointment_list"),
        ("Messages", "patients:message_list"),
        ("Check-in", "patients:checkin_new"),
        ("Schedule", "prescriptions:patient_schedule"),
        ("Orders", "prescriptions:patient_orders"),
        ("Learn", "education:index"),
    ],
    User.Role.PHYSICIAN: [
        ("Clinic", "patients:clinic_home"),
        ("Reviews", "patients:review_queue"),
        ("Patients", "patients:patient_list"),
        ("Orders", "prescriptions:clinic_orders"),
        ("Schedule", "patients:schedule"),
        ("Availability", "patients:availability"),
        ("Messages", "patients:clinic_message_list"),
        ("Learn", "education:index"),
    ],
    User.Role.PHARMACY: [
        ("Order queue", "prescriptions:pharmacy_home"),
    ],
    User.Role.STAFF: [
        ("Admin", "admin:index"),
    ],
}


@cache
def _links(role: str | None, is_staff: bool, script_prefix: str) -> tuple[tuple[str, str], ...]:
    """The navigation of a role (None: signed out) as (label, URL); the URLs never change while
    the process runs, so each combination (and mount point) is reversed once."""
    if role is None:
        return (("Learn", reverse("education:index")),)
    items = [(label, reverse(name)) for label, name in NAVIGATION.get(role, [])]
    if is_staff and role != User.Role.STAFF:
        items.append(("Admin", reverse("admin:index")))
    return tuple(items)


# What every page's frame (base.html) links to and the assets it loads: template name → URL
# name or static file.
FRAME_URLS = {
    "landing": "landing",
    "security": "mfa_index",
    "logout": "account_logout",
    "login": "account_login",
    "signup": "account_signup",
}
FRAME_ASSETS = {
    "bootstrap_css": "bootstrap/css/bootstrap.min.css",
    "portal_css": "css/portal.css",
    "bootstrap_js": "bootstrap/js/bootstrap.bundle.min.js",
}


@cache
def _frame(script_prefix: str) -> dict[str, dict[str, str]]:
    """The frame's URLs and (hashed) asset URLs: fixed while the process runs, so worked out
    once per mount point instead of on every page."""
    return {
        "urls": {key: reverse(name) for key, name in FRAME_URLS.items()},
        "assets": {key: static(path) for key, path in FRAME_ASSETS.items()},
    }


@receiver(setting_changed)
def _forget_frame(**kwargs) -> None:
    # Tests that change static files or URLs must not see another configuration's links.
    _frame.cache_clear()
    _links.cache_clear()


def navigation(request):
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    items = _links(user.role if signed_in else None, bool(signed_in and user.is_staff), get_script_prefix())
    current = request.path if request is not None else ""
    # The longest link that prefixes the current path is the one marked as the current page.
    matches = [url for _, url in items if current.startswith(url)]
    active = max(matches, key=len) if matches else None
    return {
        "nav_items": [{"label": label, "url": url, "active": url == active} for label, url in items],
        "frame": _frame(get_script_prefix()),
    }
