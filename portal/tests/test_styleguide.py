"""The style guide (/staff/styleguide/): practice staff only, every component on one page, and the
components themselves (docs/architecture.md "Design system")."""

from __future__ import annotations

import re

import pytest
from django.template.loader import render_to_string
from django.test import Client

from portal.tests.signin import sign_in

URL = "/staff/styleguide/"


def signed_in(user) -> Client:
    client = Client()
    sign_in(client, user)
    return client


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in():
    response = Client().get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=/staff/styleguide/")


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["patient", "physician", "pharmacy", "coordinator"])
def test_people_who_are_not_practice_staff_are_refused(role_users, role):
    assert signed_in(role_users[role]).get(URL).status_code == 403
    assert signed_in(role_users[role]).post(URL).status_code == 403


@pytest.mark.django_db
def test_a_physician_who_is_also_staff_may_see_it(physician):
    physician.is_staff = True
    physician.save()
    assert signed_in(physician).get(URL).status_code == 200


@pytest.mark.django_db
def test_a_deactivated_staff_account_is_refused(admin_user):
    client = signed_in(admin_user)
    admin_user.is_active = False
    admin_user.save()
    assert client.get(URL).status_code in (302, 403)


@pytest.mark.django_db
def test_staff_see_every_component_on_one_page(admin_user):
    response = signed_in(admin_user).get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    for heading in ("Colours", "Type", "Buttons", "Form controls", "Cards", "Step indicator", "Status badges",
                    "Empty state", "Confirm dialog", "Alerts", "Icons"):  # fmt: skip
        assert f">{heading}</h2>" in page, heading
    assert 'aria-current="step"' in page
    assert page.count('class="status-badge status-') >= 6
    assert 'class="empty-state"' in page and '<dialog class="confirm-dialog" id="confirm-demo"' in page
    assert 'class="card portal-card' in page and 'class="alert alert-warning"' in page
    assert "js/confirm-dialog.js" in page and " defer>" in page
    # every pair with its ratio, and every one passing
    assert re.search(r"\d+\.\d\d:1", page) and ">Fails<" not in page
    assert "--bs-primary" in page and "#0f6b66" in page
    assert "<code>calendar-event</code>" in page
    assert "Error:" not in page.split("</title>")[0]


@pytest.mark.django_db
def test_the_error_state_uses_the_pages_error_summary(admin_user):
    page = signed_in(admin_user).get(URL, {"errors": "1"}).content.decode()
    assert "<title>Error: Style guide" in page
    assert 'id="error-summary"' in page and 'href="#id_email"' in page
    assert "is-invalid" in page and "invalid-feedback" in page
    assert "js/error-summary.js" in page


@pytest.mark.django_db
def test_the_confirm_dialogs_fallback_page_asks_the_same_question(admin_user):
    page = signed_in(admin_user).get(URL, {"confirm": "1"}).content.decode()
    assert "Delete the sample record?" in page
    assert 'method="post" action="/staff/styleguide/"' in page and "csrfmiddlewaretoken" in page


@pytest.mark.django_db
def test_the_confirm_form_changes_nothing_and_says_so(admin_user):
    client = signed_in(admin_user)
    response = client.post(URL, follow=True)
    assert response.redirect_chain == [(URL, 302)]
    assert "The style guide changes nothing." in response.content.decode()


@pytest.mark.django_db
def test_the_confirm_form_needs_its_csrf_token(admin_user):
    client = Client(enforce_csrf_checks=True)
    sign_in(client, admin_user)
    assert client.post(URL).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_other_methods_are_refused(admin_user, method):
    assert getattr(signed_in(admin_user), method)(URL).status_code == 405


# --- the components, rendered on their own ---------------------------------------------------------


def test_the_step_indicator_marks_done_current_and_upcoming_steps():
    html = render_to_string("partials/components/step_indicator.html",
                            {"steps": ["One", "Two", "Three"], "current": 2, "label": "Intake"})  # fmt: skip
    assert '<ol class="step-indicator" aria-label="Intake">' in html
    items = re.findall(r"<li .*?</li>", html, re.S)
    assert len(items) == 3
    assert "is-done" in items[0] and "(done)" in items[0] and "aria-current" not in items[0]
    assert 'aria-current="step"' in items[1] and "(current step 2 of 3)" in items[1]
    assert "(not started)" in items[2] and "aria-current" not in items[2]


def test_a_status_badge_says_its_status_in_words_with_an_icon():
    html = render_to_string("partials/components/status_badge.html", {"text": "Needs clarification", "tone": "warning"})
    assert 'class="status-badge status-warning"' in html and "Needs clarification" in html and "<svg" in html
    neutral = render_to_string("partials/components/status_badge.html", {"text": "Draft"})
    assert "status-neutral" in neutral


def test_the_empty_state_offers_the_first_step():
    html = render_to_string("partials/components/empty_state.html",
                            {"title": "No visits yet", "action_url": "/patient/appointments/book/",
                             "action_label": "Book a visit", "heading_level": 3})  # fmt: skip
    assert '<h3 class="h5">No visits yet</h3>' in html
    assert '<a class="btn btn-primary" href="/patient/appointments/book/">Book a visit</a>' in html


def test_a_card_keeps_the_heading_level_it_is_given():
    html = render_to_string("partials/components/card.html",
                            {"title": "Your next visit", "heading_level": 3, "icon": "calendar-event"})  # fmt: skip
    assert re.search(
        r'<h3 class="card-title h5"><svg[^>]*aria-hidden="true".*</svg><span>Your next visit</span></h3>', html
    )


def test_the_confirm_dialog_works_as_a_link_without_javascript():
    html = render_to_string("partials/components/confirm_dialog.html",
                            {"dialog_id": "d1", "trigger_label": "Cancel visit", "title": "Cancel?", "text": "Sure?",
                             "action_url": "/act/", "fallback_url": "/confirm/", "confirm_label": "Yes"})  # fmt: skip
    assert '<a class="btn btn-outline-danger" href="/confirm/" data-confirm-dialog="d1">Cancel visit</a>' in html
    assert 'aria-labelledby="d1-title"' in html and 'aria-describedby="d1-text"' in html
    assert '<form method="post" action="/act/"' in html and 'class="btn btn-danger">Yes</button>' in html
    assert 'formmethod="dialog"' in html and ">Go back</button>" in html
