"""What the visit-page tests share: the visit's time, the pages, and how a slot is posted."""

from patients.tests.booking_helpers import local

TUESDAY_10 = local(2026, 3, 3, 10)

PATIENT_PAGES = ["/patient/appointments/", "/patient/appointments/book/"]
CLINIC_PAGES = ["/clinic/schedule/", "/clinic/availability/"]


def slot_value(physician, starts_at):
    return f"{physician.pk}-{int(starts_at.timestamp())}"
