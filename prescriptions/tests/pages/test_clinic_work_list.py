"""The physician's work list on the clinic home (patients.clinic.selectors with the orders source
of prescriptions.orders.worklist): one list, by urgency then by waiting time, each row naming its
kind in words, the patient, what waits, for how long, and linking to the thing itself."""

import datetime as dt
import re

import pytest
import time_machine
from django.utils import timezone

from patients.clinic.selectors import WorkKind, work_list_for
from patients.messaging.services import message_send, thread_mark_read, thread_start
from patients.safety.services import care_item_raise
from patients.templatetags.care_tags import waited_words
from patients.tests.factories import PatientFactory, complete_intake
from portal.tests.factories import state
from portal.tests.signin import sign_in
from prescriptions.models import FaxTransmission
from prescriptions.tests.factories import advance, make_draft, sign
from prescriptions.tests.pages.helpers import count_queries

ROW = re.compile(r'<li class="[^"]*work-item" data-kind="(?P<kind>[a-z_]+)">(?P<row>.*?)</li>', re.S)


def rows(html: str) -> list[dict]:
    """The work list's rows: kind, the badge's words, the row's text and its one link."""
    found = []
    for match in ROW.finditer(html):
        row = match["row"]
        found.append(
            {
                "kind": match["kind"],
                "badge": re.search(r'<span class="badge[^"]*">([^<]+)</span>', row)[1],
                "text": re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip(),
                "links": re.findall(r'href="([^"]+)"', row),
            }
        )
    return found


def at(moment):
    return time_machine.travel(moment, tick=False)


def submitted(first: str, last: str, code: str = "TX"):
    """A patient of ``code`` with a submitted intake, named ``first last``."""
    patient = PatientFactory(state=state(code))
    complete_intake(patient, about={"legal_first_name": first, "legal_last_name": last, "state_code": code})
    return patient


@pytest.fixture
def now():
    return timezone.now().replace(microsecond=0)


@pytest.fixture
def everything_waiting(now, physician, approved_patient, plan, pharmacy_user, tx_pharmacy):
    """One of each kind (two intakes) for Texas patients, each waiting a known time, made so that
    the newest is the most urgent: ordering by waiting time alone would put them the other way."""
    made = {}
    talker = PatientFactory(state=state("TX"))
    with at(now - dt.timedelta(days=3, hours=1)):  # the oldest: a message
        made["thread"] = thread_start(patient=talker, author=talker.user, subject="Nausea", body="Is it normal?")
    with at(now - dt.timedelta(days=2, hours=2)):
        shipped = advance(sign(make_draft(plan, physician), physician), pharmacy_user, "received", "in_review")
        shipped = advance(shipped, pharmacy_user, "compounding", "shipped")
    with at(now - dt.timedelta(hours=30)):
        from prescriptions.orders import refills

        made["refill"] = refills.refill_request_create(order=shipped, patient=approved_patient, note="Running low")
    with at(now - dt.timedelta(hours=5)):
        first = submitted("Fay", "First")
    with at(now - dt.timedelta(hours=2)):
        second = submitted("Sam", "Second")
    with at(now - dt.timedelta(hours=4)):
        made["draft"] = make_draft(plan, physician)
    with at(now - dt.timedelta(hours=3)):
        made["fax"] = FaxTransmission.objects.create(
            order=shipped, pharmacy=tx_pharmacy, to_number="+15125550199", requested_by=physician,
            status=FaxTransmission.Status.FAILED, failed_at=timezone.now(), reason="Line busy",
        )  # fmt: skip
    with at(now - dt.timedelta(hours=3)):
        question = sign(make_draft(plan, physician), physician)
    with at(now - dt.timedelta(minutes=40)):
        made["question"] = advance(question, pharmacy_user, "received", "in_review", "needs_clarification")
    with at(now - dt.timedelta(minutes=20)):
        made["review"] = care_item_raise(patient=second, priority="review", reasons=["PEG rose by 3"])
    with at(now - dt.timedelta(minutes=10)):
        made["urgent"] = care_item_raise(patient=first, priority="urgent", reasons=["Red flag: chest pain"])
    made.update(first=first, second=second, talker=talker, shipped=shipped)
    return made


@pytest.mark.django_db
def test_the_work_list_orders_by_urgency_then_waiting_and_links_each_row_to_its_thing(
    client, now, physician, approved_patient, everything_waiting
):
    made = everything_waiting
    sign_in(client, physician)
    with at(now):
        found = rows(client.get("/clinic/").content.decode())
    assert [row["kind"] for row in found] == [
        "urgent", "safety_review", "pharmacy_question", "failed_fax", "draft", "intake", "intake", "refill", "message",
    ]  # fmt: skip
    assert [row["badge"] for row in found] == [
        "Urgent", "Safety review", "Pharmacy question", "Fax failed", "Draft to sign", "Intake to review",
        "Intake to review", "Refill request", "Message",
    ]  # fmt: skip
    assert [row["links"] for row in found] == [
        [f"/clinic/items/{made['urgent'].pk}/"],
        [f"/clinic/items/{made['review'].pk}/"],
        [f"/clinic/orders/{made['question'].pk}/"],
        [f"/clinic/orders/{made['shipped'].pk}/"],
        [f"/clinic/orders/{made['draft'].pk}/"],
        [f"/clinic/patients/{made['first'].pk}/"],  # waiting 5 h, before the one waiting 2 h
        [f"/clinic/patients/{made['second'].pk}/"],
        [f"/clinic/orders/{made['shipped'].pk}/"],
        [f"/clinic/messages/{made['thread'].pk}/"],
    ]
    texts = [row["text"] for row in found]
    assert made["first"].full_name in texts[0] and "Red flag: chest pain" in texts[0] and "waiting 10 min" in texts[0]
    assert "asks about order" in texts[2] and "“Reason”" in texts[2] and "waiting 40 min" in texts[2]
    assert "Line busy" in texts[3] and "Send it again" in texts[3] and "waiting 3 h" in texts[3]
    assert "waits for a signature" in texts[4] and "waiting 4 h" in texts[4]
    assert "waiting 5 h" in texts[5] and "waiting 2 h" in texts[6]
    assert approved_patient.full_name in texts[7] and "“Running low”" in texts[7] and "waiting 30 h" in texts[7]
    assert made["talker"].full_name in texts[8] and "“Nausea”" in texts[8] and "waiting 3 days" in texts[8]


@pytest.mark.django_db
def test_the_work_list_leaves_out_patients_outside_the_physicians_licensed_states(
    client, now, physician, outsider_physician, everything_waiting
):
    iowan = submitted("Ida", "Ames", "IA")
    care_item_raise(patient=iowan, priority="urgent", reasons=["Red flag: fainting"])
    thread_start(patient=iowan, author=iowan.user, subject="Hello", body="From Iowa")
    sign_in(client, physician)
    html = client.get("/clinic/").content.decode()
    assert iowan.full_name not in html and "fainting" not in html
    assert len(rows(html)) == 9
    sign_in(client, outsider_physician)  # licensed in Iowa only
    found = rows(client.get("/clinic/").content.decode())
    assert [row["kind"] for row in found] == ["urgent", "intake", "message"]
    assert all(iowan.full_name in row["text"] for row in found)


@pytest.mark.django_db
def test_a_message_waits_until_someone_on_the_care_team_reads_or_answers_it(client, physician, coordinator):
    talker = PatientFactory(state=state("TX"))
    thread = thread_start(patient=talker, author=talker.user, subject="Sleep", body="I sleep badly.")
    sign_in(client, physician)

    def kinds():
        return [row["kind"] for row in rows(client.get("/clinic/").content.decode())]

    assert kinds() == ["message"]
    thread_mark_read(thread=thread, user=coordinator)  # the coordinator read it: someone has it
    assert kinds() == []
    message_send(thread=thread, sender=talker.user, body="Any news?")
    assert kinds() == ["message"]
    message_send(thread=thread, sender=physician, body="Try taking it in the morning.")
    assert kinds() == []


@pytest.mark.django_db
def test_a_message_waits_since_the_patients_first_unanswered_message(now, physician):
    talker = PatientFactory(state=state("TX"))
    with at(now - dt.timedelta(days=4)):
        thread = thread_start(patient=talker, author=talker.user, subject="Sleep", body="I sleep badly.")
    with at(now - dt.timedelta(days=3)):
        message_send(thread=thread, sender=physician, body="Take it in the morning.")
    with at(now - dt.timedelta(hours=6)):
        message_send(thread=thread, sender=talker.user, body="Still bad.")
    with at(now - dt.timedelta(hours=1)):
        message_send(thread=thread, sender=talker.user, body="Worse tonight.")
    (item,) = work_list_for(physician).items
    assert (item.kind, item.since) == (WorkKind.MESSAGE, now - dt.timedelta(hours=6))


@pytest.mark.django_db
def test_nothing_waiting_says_so(client, physician):
    sign_in(client, physician)
    html = client.get("/clinic/").content.decode()
    assert "Nothing is waiting for you" in html and rows(html) == []


@pytest.mark.django_db
def test_kinds_beyond_the_limit_point_to_their_full_list(physician):
    for _ in range(3):
        complete_intake(PatientFactory(state=state("TX")))
    work = work_list_for(physician, limit=2)
    assert [item.kind for item in work.items] == [WorkKind.INTAKE, WorkKind.INTAKE]
    assert [(more.label, more.url) for more in work.more] == [("Intake to review", "/clinic/reviews/")]


@pytest.mark.django_db
def test_the_clinic_home_query_count_does_not_grow_with_the_work_list(
    client, physician, plan, pharmacy_user, tx_pharmacy, approved_patient
):
    def one_of_each():
        patient = PatientFactory(state=state("TX"))
        complete_intake(patient)
        care_item_raise(patient=patient, priority="urgent", reasons=["Red flag"])
        care_item_raise(patient=patient, priority="review", reasons=["PEG rose"])
        thread_start(patient=patient, author=patient.user, subject="Question", body="Hello")
        make_draft(plan, physician)
        question = sign(make_draft(plan, physician), physician)
        advance(question, pharmacy_user, "received", "in_review", "needs_clarification")
        shipped = advance(sign(make_draft(plan, physician), physician), pharmacy_user, "received", "in_review")
        shipped = advance(shipped, pharmacy_user, "compounding", "shipped")
        from prescriptions.orders import refills

        refills.refill_request_create(order=shipped, patient=approved_patient)
        FaxTransmission.objects.create(
            order=shipped, pharmacy=tx_pharmacy, to_number="+15125550199", requested_by=physician,
            status=FaxTransmission.Status.FAILED, failed_at=timezone.now(), reason="No answer",
        )  # fmt: skip

    sign_in(client, physician)
    one_of_each()
    small = count_queries(client, "/clinic/")
    for _ in range(4):
        one_of_each()
    kinds = [row["kind"] for row in rows(client.get("/clinic/").content.decode())]
    assert {kind: kinds.count(kind) for kind in kinds} == {kind.name.lower(): 5 for kind in WorkKind}
    assert count_queries(client, "/clinic/") == small
    assert small <= 25


@pytest.mark.parametrize(
    ("minutes", "words"),
    [(0, "under a minute"), (1, "1 min"), (59, "59 min"), (60, "1 h"), (47 * 60 + 59, "47 h"), (48 * 60, "2 days")],
)
def test_waiting_time_in_words(minutes, words):
    now = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)
    assert waited_words(now - dt.timedelta(minutes=minutes), now) == words
