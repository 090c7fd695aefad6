"""Journeys with the keyboard alone: Tab, Shift+Tab, Space, Enter, the arrow keys and typing; no
mouse and no clicks made by the test. At every stop the focus must be visible with a 3:1 ring
(e2e/contrast.js), and Tab must always move on (no keyboard trap)."""

from __future__ import annotations

import re
import zoneinfo
from pathlib import Path

import pytest

from portal.tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

CONTRAST = Path(__file__).resolve().parent / "contrast.js"
MOST_STOPS = 80


class Keyboard:
    """Moves the focus with Tab until a wanted element has it, checking every stop on the way."""

    def __init__(self, page):
        self.page = page
        self.stops = 0

    def focused(self) -> dict:
        self.page.evaluate(CONTRAST.read_text())
        return self.page.evaluate(
            """() => {
              const el = document.activeElement;
              const label = el && el.labels && el.labels.length ? el.labels[0].innerText : '';
              const legend = el && el.closest('fieldset') && el.closest('fieldset').querySelector('legend');
              return {
                legend: legend ? legend.innerText.trim() : '', checked: !!(el && el.checked),
                id: el ? el.id : '', tag: el ? el.tagName.toLowerCase() : '',
                text: el ? (el.innerText || el.value || '').trim() : '', label: label.trim(),
                indicator: window.portalContrast.focusIndicator(),
              };
            }"""
        )

    def tab_to(self, matches, *, backwards: bool = False) -> dict:
        """Press Tab (or Shift+Tab) until ``matches(focused)``; fail on an invisible focus, a stop
        the focus cannot leave, or a target never reached."""
        previous, repeats = None, 0
        for _ in range(MOST_STOPS):
            self.page.keyboard.press("Shift+Tab" if backwards else "Tab")
            self.stops += 1
            now = self.focused()
            indicator = now["indicator"]
            assert indicator is not None, f"the focus left the page's controls (after {previous})"
            assert indicator["problem"] is None, f"{indicator['name']}: {indicator['problem']}"
            identity = (now["id"], now["tag"], now["text"], now["label"])
            # Tab walks the month, day and year of a native date box before leaving it
            repeats = repeats + 1 if identity == previous else 0
            assert repeats < 4, f"Tab did not move on from {indicator['name']} (a keyboard trap)"
            previous = identity
            if matches(now):
                return now
        raise AssertionError(f"not reached with {MOST_STOPS} presses of Tab")

    def tab_to_text(self, pattern: str) -> dict:
        return self.tab_to(lambda f: re.search(pattern, f["text"]) is not None)

    def tab_to_label(self, pattern: str) -> dict:
        return self.tab_to(lambda f: re.search(pattern, f["label"]) is not None)


def sign_in_by_keyboard(page, base: str, email: str, password: str) -> Keyboard:
    page.goto(f"{base}/accounts/login/")
    keys = Keyboard(page)
    keys.tab_to_label(r"^\s*Email")
    page.keyboard.type(email)
    keys.tab_to_label(r"^\s*Password")
    page.keyboard.type(password)
    keys.tab_to_text(r"^Sign In$")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"^(?!.*/accounts/login)"))
    return keys


def test_a_patient_books_a_visit_with_the_keyboard_alone(new_page, asgi_server):
    from patients.models import Appointment
    from patients.tests.booking_helpers import give_hours
    from patients.tests.factories import PatientFactory
    from portal.tests.factories import PhysicianLicenseFactory, UserFactory, state
    from prescriptions.tests.factories import approve_intake

    physician = PhysicianLicenseFactory(
        state=state("TX"), physician__email="keys.doctor@example.com", physician__last_name="Keyes"
    ).physician
    give_hours(physician)
    patient = PatientFactory(user=UserFactory(email="keys.patient@example.com"), state=state("TX"))
    approve_intake(patient, physician)

    page = new_page()
    keys = sign_in_by_keyboard(page, asgi_server, patient.user.email, TEST_PASSWORD)
    page.goto(f"{asgi_server}/patient/appointments/book/")
    page.get_by_role("heading", name=re.compile(r"Dr\. .*Keyes")).first.wait_for()
    # past the day strip to the first time of the chosen day, then Enter
    chosen = keys.tab_to(lambda f: f["tag"] == "a" and re.search(r"\d\d?:\d\d [AP]M", f["text"]) is not None)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"#confirm$"))
    # the confirm panel takes the focus, and the next stop is the booking button
    page.wait_for_function("document.activeElement && document.activeElement.id === 'confirm'")
    assert keys.focused()["indicator"]["problem"] is None
    keys.tab_to_text(r"^Book this visit$")
    page.keyboard.press("Enter")
    page.get_by_text(re.compile("booked", re.I)).first.wait_for()

    visit = Appointment.objects.get(patient=patient)
    assert visit.physician == physician and visit.status == Appointment.Status.BOOKED
    local = visit.starts_at.astimezone(zoneinfo.ZoneInfo(patient.time_zone_name))
    assert local.strftime("%-I:%M %p") in chosen["text"]
    assert keys.stops > 3


def press_times(page, key: str, times: int) -> None:
    for _ in range(times):
        page.keyboard.press(key)


def type_into(page, keys: Keyboard, label: str, text: str) -> None:
    keys.tab_to_label(label)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def save_and_continue(page, keys: Keyboard, wait_for: str) -> None:
    keys.tab_to_text(r"^Save and continue$")
    page.keyboard.press("Enter")
    page.get_by_text(re.compile(wait_for)).first.wait_for()


def test_a_new_patient_completes_the_intake_with_the_keyboard_alone(new_page, asgi_server):
    from patients.models import Intake
    from patients.tests.factories import PatientFactory
    from portal.tests.factories import PhysicianLicenseFactory, UserFactory, state

    PhysicianLicenseFactory(state=state("TX"))
    patient = PatientFactory(user=UserFactory(email="keys.intake@example.com"), state=None)
    page = new_page(width=375, height=800)
    keys = sign_in_by_keyboard(page, asgi_server, patient.user.email, TEST_PASSWORD)
    page.goto(f"{asgi_server}/intake/")

    type_into(page, keys, r"^\s*Legal first name", "Keira")
    type_into(page, keys, r"^\s*Legal last name", "Board")
    type_into(page, keys, r"^\s*Month", "3")
    type_into(page, keys, r"^\s*Day", "21")
    type_into(page, keys, r"^\s*Year", "1979")
    type_into(page, keys, r"^\s*Mobile phone", "512-555-0190")
    type_into(page, keys, r"^\s*Street address", "1 Congress Ave")
    type_into(page, keys, r"^\s*City", "Austin")
    keys.tab_to_label(r"^\s*State where you live")
    page.keyboard.type("Texas")  # a closed select chooses by typing
    type_into(page, keys, r"^\s*ZIP code", "78701")
    save_and_continue(page, keys, "Fibromyalgia")

    keys.tab_to_label(r"Fibromyalgia")
    page.keyboard.press("Space")
    save_and_continue(page, keys, "On average over the past week")

    # 0-10 rows are radio groups: Tab enters a row, Space picks 0 and the arrows move the answer.
    for question, score in (("On average over the past week", 7), ("enjoying", 6), ("general activity", 5)):
        keys.tab_to(lambda f, q=question: q in f["legend"])
        page.keyboard.press("Space")
        press_times(page, "ArrowRight", score)
        assert keys.focused()["text"].startswith(str(score)) or keys.focused()["label"].startswith(str(score))
    save_and_continue(page, keys, "medicine")
    save_and_continue(page, keys, ".")  # medicines: none
    save_and_continue(page, keys, "allerg")  # history: none
    keys.tab_to_label(r"I have no known allergies")
    page.keyboard.press("Space")
    save_and_continue(page, keys, "pharmacy")
    keys.tab_to_label(r"No preference")
    page.keyboard.press("Space")
    save_and_continue(page, keys, "consent")
    for consent in (r"consent to receive care by telehealth", r"off-label", r"privacy notice"):
        keys.tab_to_label(consent)
        page.keyboard.press("Space")
    save_and_continue(page, keys, "Submit my intake")
    keys.tab_to_text(r"^Submit my intake$")
    page.keyboard.press("Enter")
    page.get_by_text("Nothing in your answers rules out").wait_for()

    intake = Intake.objects.get(patient=patient)
    assert intake.submitted_at is not None
    assert (intake.peg_pain, intake.peg_enjoyment, intake.peg_activity) == (7, 6, 5)
