"""What the clinic's lists show per row, worked out in Python: a list page renders 25 rows, and
each attribute, method and tag a template resolves per row costs more than the same work here."""

from __future__ import annotations

from django.utils.formats import localize
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from patients.models import ReviewStatus, TreatmentPhase
from patients.models.record import patient_name
from patients.templatetags.care_tags import screening_badge
from portal.datefmt import local_date
from portal.links import record_url

REVIEW_LABELS = dict(ReviewStatus.choices)
PHASE_LABELS = dict(TreatmentPhase.choices)


# A row's markup (values escaped by format_html): the list shows 25 rows, and writing each in one
# call costs a fraction of resolving its template variables one by one.
PATIENT_ROW = (
    '<tr><td><a href="{url}">{name}</a></td><td>{state}</td><td>{review}</td><td>{screening}</td><td>{phase}</td></tr>'
)


def patient_rows_html(rows) -> SafeString:
    """The table rows of the clinic's patient list, from the values ``patient_list_rows`` reads;
    empty when there are none."""
    html = [
        format_html(
            PATIENT_ROW,
            url=record_url("patients:chart", pk),
            name=patient_name(legal_first, legal_last, first, last, email),
            state=state_code or "—",
            review=REVIEW_LABELS.get(review, review) if review else "Intake not started",
            screening=screening_badge(outcome, until),
            phase=PHASE_LABELS.get(phase, phase),
        )
        for pk, legal_first, legal_last, first, last, email, state_code, review, outcome, until, phase in rows
    ]
    # Each row was escaped by format_html above.
    return mark_safe("\n".join(html))  # noqa: S308


# A check-in row of the chart's table (values escaped by format_html): a patient on treatment for
# years has a hundred weekly check-ins, all shown.
CHECKIN_ROW = (
    "<tr><td>{date}</td><td>{kind}</td><td>{pain}</td><td>{enjoyment}</td><td>{activity}</td><td>{score}</td>"
    "<td>{effects}{other}{note}</td></tr>"
)


def checkin_rows_html(checkins) -> SafeString:
    """The rows of the chart's check-in table, dates in the current time zone; empty when none."""
    html = [
        format_html(
            CHECKIN_ROW,
            date=local_date(c.recorded_at, "M j, Y"),
            kind=c.get_kind_display(),
            pain=localize(c.pain),
            enjoyment=localize(c.enjoyment),
            activity=localize(c.activity),
            score=localize(c.score),
            effects=", ".join(c.side_effect_labels()) or "—",
            other=format_html(" ({})", c.side_effect_other) if c.side_effect_other else "",
            note=format_html("<br><small>{}</small>", c.note) if c.note else "",
        )
        for c in checkins
    ]
    # Each row was escaped by format_html above.
    return mark_safe("\n".join(html))  # noqa: S308
