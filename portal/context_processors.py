from django.urls import reverse

from portal.models import User

# (label, url name) per role; the base template renders these as the role's navigation.
NAVIGATION = {
    User.Role.PATIENT: [
        ("Home", "patients:home"),
    ],
    User.Role.PHYSICIAN: [
        ("Clinic", "patients:clinic_home"),
    ],
    User.Role.PHARMACY: [
        ("Order queue", "prescriptions:pharmacy_home"),
    ],
    User.Role.STAFF: [
        ("Admin", "admin:index"),
    ],
}


def navigation(request):
    user = getattr(request, "user", None)
    items = []
    if user is not None and user.is_authenticated:
        items = [(label, reverse(name)) for label, name in NAVIGATION.get(user.role, [])]
        if user.is_staff and user.role != User.Role.STAFF:
            items.append(("Admin", reverse("admin:index")))
    current = request.path if request is not None else ""
    return {
        "nav_items": [
            {"label": label, "url": url, "active": current.startswith(url) and url != "/"} for label, url in items
        ]
    }
