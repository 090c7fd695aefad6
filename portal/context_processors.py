from django.urls import reverse

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
        ("Billing", "patients:billing"),
        ("Profile", "patients:profile"),
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
    User.Role.COORDINATOR: [
        ("Clinic", "patients:clinic_home"),
        ("Patients", "patients:patient_list"),
        ("Recalls", "patients:recall_list"),
        ("Messages", "patients:clinic_message_list"),
        ("Learn", "education:index"),
    ],
    User.Role.STAFF: [
        ("Admin", "admin:index"),
    ],
}


def navigation(request):
    """The navigation of the signed-in person's role (the library alone when signed out); the
    longest link that prefixes the current path is marked as the current page."""
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    if not signed_in:
        items = [("Prices", reverse("patients:prices")), ("Learn", reverse("education:index"))]
    else:
        items = [(label, reverse(name)) for label, name in NAVIGATION.get(user.role, [])]
        if user.is_staff and user.role != User.Role.STAFF:
            items.append(("Admin", reverse("admin:index")))
    current = request.path if request is not None else ""
    matches = [url for _, url in items if current.startswith(url)]
    active = max(matches, key=len) if matches else None
    return {"nav_items": [{"label": label, "url": url, "active": url == active} for label, url in items]}
