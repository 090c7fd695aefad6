"""What the clinic's lists show per row, worked out in Python: a list page renders 25 rows, and
each attribute, method and tag a template resolves per row costs more than the same work here."""

from __future__ import annotations

from django.template.defaultfilters import filesizeformat, linebreaksbr
from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import format_html, format_html_join
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
    return format_html_join(
        "\n",
        PATIENT_ROW,
        (
            {
                "url": record_url("patients:chart", pk),
                "name": patient_name(legal_first, legal_last, first, last, email),
                "state": state_code or "—",
                "review": REVIEW_LABELS.get(review, review) if review else "Intake not started",
                "screening": screening_badge(outcome, until),
                "phase": PHASE_LABELS.get(phase, phase),
            }
            for pk, legal_first, legal_last, first, last, email, state_code, review, outcome, until, phase in rows
        ),
    )


# A check-in row of the chart's table (values escaped by format_html): a patient on treatment for
# years has a hundred weekly check-ins, all shown.
CHECKIN_ROW = (
    "<tr><td>{date}</td><td>{kind}</td><td>{pain}</td><td>{enjoyment}</td><td>{activity}</td><td>{score}</td>"
    "<td>{effects}{other}{note}</td></tr>"
)


def checkin_rows_html(checkins) -> SafeString:
    """The rows of the chart's check-in table, dates in the current time zone; empty when none."""
    return format_html_join(
        "\n",
        CHECKIN_ROW,
        (
            {
                "date": local_date(c.recorded_at, "M j, Y"),
                "kind": c.get_kind_display(),
                "pain": localize(c.pain),
                "enjoyment": localize(c.enjoyment),
                "activity": localize(c.activity),
                "score": localize(c.score),
                "effects": ", ".join(c.side_effect_labels()) or "—",
                "other": format_html(" ({})", c.side_effect_other) if c.side_effect_other else "",
                "note": format_html("<br><small>{}</small>", c.note) if c.note else "",
            }
            for c in checkins
        ),
    )


# A message of a thread (values escaped by format_html); a long conversation shows every message.
MESSAGE_CARD = (
    '<li class="card mb-2{mine}"><div class="card-body">'
    '<p class="small text-body-secondary mb-1"><strong>{author}</strong> · {shown_at}{new}</p>'
    "{body}{article}{attachments}</div></li>"
)
NEW_BADGE = ' <span class="badge text-bg-primary">New</span>'
SHARED_ARTICLE = (
    '<div class="card bg-body-tertiary mt-2"><div class="card-body py-2">'
    '<span class="small text-body-secondary">Shared reading</span><br><a href="{}">{}</a></div></div>'
)
UNPUBLISHED_ARTICLE = (
    '<div class="card bg-body-tertiary mt-2"><div class="card-body py-2">'
    '<span class="small text-body-secondary">A shared article that is no longer published.</span></div></div>'
)
ATTACHMENT = '<p class="mb-0 mt-2 small">Attachment: <a href="{}">{}</a> ({})</p>'


def message_cards_html(messages, *, is_clinic: bool) -> SafeString:
    """A thread's messages as the thread page lists them. Each message carries what the view
    worked out for its reader: ``author``, ``shown_at``, ``is_mine``, ``is_new`` and
    ``article_title``; attachments link to the reader's side of the portal."""
    attachment_url = "patients:clinic_attachment" if is_clinic else "patients:attachment"
    return format_html_join("\n", MESSAGE_CARD, (_card(m, attachment_url) for m in messages))


def _card(m, attachment_url: str) -> dict:
    """What fills MESSAGE_CARD for one message; format_html_join escapes each value."""
    if not m.article_slug:
        article = ""
    elif m.article_title:
        article = format_html(SHARED_ARTICLE, reverse("education:article", args=[m.article_slug]), m.article_title)
    else:
        article = mark_safe(UNPUBLISHED_ARTICLE)  # noqa: S308 - fixed text
    return {
        "mine": " border-primary-subtle" if m.is_mine else "",
        "author": m.author,
        "shown_at": m.shown_at,
        "new": mark_safe(NEW_BADGE) if m.is_new and not m.is_mine else "",  # noqa: S308 - fixed text
        "body": format_html('<div class="message-body">{}</div>', linebreaksbr(m.body)) if m.body else "",
        "article": article,
        "attachments": format_html_join(
            "",
            ATTACHMENT,
            ((record_url(attachment_url, a.pk), a.original_name, filesizeformat(a.size)) for a in m.attachments.all()),
        ),
    }
