"""Attachments: PDF, PNG or JPEG up to 10 MB, judged by content, stored outside the web root and
served only to people who may see the thread."""

import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from patients.messaging.attachments import MAX_ATTACHMENT_BYTES, attachment_kind_of
from patients.messaging.services import message_send, thread_start
from patients.models import Attachment, Message, Thread
from portal.models import AccessLog
from portal.tests.signin import sign_in


def png_bytes(width=1, height=1) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height)))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def jpeg_bytes() -> bytes:
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof0 = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, 1, 1, 1) + b"\x01\x11\x00"
    sos = b"\xff\xda" + struct.pack(">HB", 8, 1) + b"\x01\x00\x00\x3f\x00"
    return b"\xff\xd8" + app0 + sof0 + sos + b"\x12\x34\x56" + b"\xff\xd9"


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (PDF, "application/pdf"),
        (png_bytes(), "image/png"),
        (png_bytes(40, 30), "image/png"),
        (jpeg_bytes(), "image/jpeg"),
        (b"GIF89a\x01\x00\x01\x00", None),
        (b"<html><script>alert(1)</script></html>", None),
        (b"%PDF-1.4 but never finished", None),
        (png_bytes()[:-12], None),  # no end chunk
        (png_bytes()[:23] + b"\x02" + png_bytes()[24:], None),  # damaged header: checksum fails
        (b"\x89PNG\r\n\x1a\n", None),
        (jpeg_bytes()[:-2], None),  # no end marker
        (b"\xff\xd8\xff\xe0garbage", None),
        (b"MZ\x90\x00", None),
    ],
)
def test_the_kind_of_a_file_is_decided_by_its_content(content, expected):
    kind = attachment_kind_of(content)
    assert (kind.content_type if kind else None) == expected


@pytest.fixture
def thread(patient, physician):
    return thread_start(patient=patient, author=patient.user, subject="Results", body="See attached.")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("lab results.pdf", PDF, "application/pdf"),
        ("rash.png", png_bytes(), "image/png"),
        ("x.jpg", jpeg_bytes(), "image/jpeg"),
    ],
)
def test_patient_attaches_a_pdf_png_or_jpeg_stored_outside_the_web_root(
    client, thread, patient, settings, name, content, content_type, django_capture_on_commit_callbacks
):
    sign_in(client, patient.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/patient/messages/{thread.pk}/", {"body": "Here it is", "attachment": upload(name, content, "text/plain")}
        )
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert (attachment.original_name, attachment.content_type, attachment.size) == (name, content_type, len(content))
    stored = settings.PRIVATE_MEDIA_ROOT / attachment.file.name
    assert stored.read_bytes() == content
    assert name.split(".")[0] not in attachment.file.name  # the patient's file name is not in the path
    assert str(settings.STATIC_ROOT) not in str(stored)


@pytest.mark.django_db
def test_a_photo_can_be_sent_without_text(client, thread, patient):
    sign_in(client, patient.user)
    client.post(f"/patient/messages/{thread.pk}/", {"body": "", "attachment": upload("p.jpg", jpeg_bytes())})
    assert thread.messages.last().attachments.count() == 1


REFUSED = "Only a PDF, PNG or JPEG file can be attached"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("results.pdf", b"<html><script>alert(1)</script></html>", REFUSED),  # a page named like a PDF
        ("photo.png", b"GIF89a\x01\x00\x01\x00\x00\xff\x00,", REFUSED),
        ("scan.jpg", png_bytes()[:30], REFUSED),
        ("notes.docx", b"PK\x03\x04 a word file", REFUSED),
        ("empty.pdf", b"", "The submitted file is empty."),
    ],
)
def test_anything_else_is_refused_clearly_and_nothing_is_saved(
    client, thread, patient, settings, name, content, message
):
    sign_in(client, patient.user)
    response = client.post(f"/patient/messages/{thread.pk}/", {"body": "Look", "attachment": upload(name, content)})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert thread.messages.count() == 1 and not Attachment.objects.exists()
    folder = settings.PRIVATE_MEDIA_ROOT
    assert not folder.exists() or not any(p.is_file() for p in folder.rglob("*"))


@pytest.mark.django_db
def test_files_over_10_mb_are_refused(client, patient):
    big = PDF[:-7] + b" " * (MAX_ATTACHMENT_BYTES - len(PDF) + 2) + b"%%EOF\n"
    assert len(big) > MAX_ATTACHMENT_BYTES
    sign_in(client, patient.user)
    response = client.post("/patient/messages/", {"subject": "Big", "body": "x", "attachment": upload("big.pdf", big)})
    assert response.status_code == 200
    assert "larger than 10 MB" in response.content.decode()
    assert not Thread.objects.exists() and not Message.objects.exists()


@pytest.fixture
def attachment(thread, patient, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the file is written once the message commits
        message_send(thread=thread, sender=patient.user, body="PDF", attachment=upload("lab.pdf", PDF))
    return Attachment.objects.get()


@pytest.mark.django_db
def test_the_patient_and_licensed_physicians_download_it_and_physician_downloads_are_audited(
    client, attachment, patient, physician
):
    sign_in(client, patient.user)
    response = client.get(f"/patient/messages/attachments/{attachment.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="lab.pdf"')
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert not AccessLog.objects.exists()
    sign_in(client, physician)
    response = client.get(f"/clinic/messages/attachments/{attachment.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert AccessLog.objects.get().action == "messages.attachment.view"


@pytest.mark.django_db
def test_attachments_are_404_outside_the_thread_scope(client, attachment, other_patient, outsider_physician):
    sign_in(client, other_patient.user)
    assert client.get(f"/patient/messages/attachments/{attachment.pk}/").status_code == 404
    sign_in(client, outsider_physician)
    assert client.get(f"/clinic/messages/attachments/{attachment.pk}/").status_code == 404
    assert not AccessLog.objects.filter(outcome=AccessLog.Outcome.VIEWED).exists()  # refused rows only


@pytest.mark.django_db
def test_attachment_links_refuse_other_roles_and_methods(client, attachment, role_users, patient, physician):
    sign_in(client, role_users["pharmacy"])
    assert client.get(f"/patient/messages/attachments/{attachment.pk}/").status_code == 403
    assert client.get(f"/clinic/messages/attachments/{attachment.pk}/").status_code == 403
    sign_in(client, physician)
    assert client.get(f"/patient/messages/attachments/{attachment.pk}/").status_code == 403
    sign_in(client, patient.user)
    assert client.get(f"/clinic/messages/attachments/{attachment.pk}/").status_code == 403
    assert client.post(f"/patient/messages/attachments/{attachment.pk}/").status_code == 405


@pytest.mark.django_db
def test_the_thread_page_links_the_attachment_by_its_name(client, attachment, patient):
    sign_in(client, patient.user)
    content = client.get(f"/patient/messages/{attachment.message.thread_id}/").content.decode()
    assert f'href="/patient/messages/attachments/{attachment.pk}/">lab.pdf</a>' in content


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_message_rolled_back_leaves_no_file_on_disk(thread, patient, settings):
    """A caller's transaction that fails after the message was written takes the file with it."""
    from django.db import transaction

    before = set(settings.PRIVATE_MEDIA_ROOT.rglob("*")) if settings.PRIVATE_MEDIA_ROOT.exists() else set()
    with pytest.raises(RuntimeError), transaction.atomic():
        message_send(thread=thread, sender=patient.user, body="PDF", attachment=upload("lab.pdf", PDF))
        raise RuntimeError("the caller fails after the message")
    after = set(settings.PRIVATE_MEDIA_ROOT.rglob("*")) if settings.PRIVATE_MEDIA_ROOT.exists() else set()
    assert not Attachment.objects.exists()
    assert {p for p in after - before if p.is_file()} == set()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_committed_message_has_its_file(thread, patient, settings):
    message_send(thread=thread, sender=patient.user, body="PDF", attachment=upload("lab.pdf", PDF))
    attachment = Attachment.objects.get()
    assert (settings.PRIVATE_MEDIA_ROOT / attachment.file.name).read_bytes() == PDF
