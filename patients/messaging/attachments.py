"""What an uploaded attachment really is, judged by its content and never by its name or the
browser's claimed type: a PDF, a PNG or a JPEG, up to 10 MB. Images are walked through their
structure (PNG chunks with their checksums, JPEG markers up to the image data) so a file that only
starts like an image is refused too. Pure functions over bytes; no extra packages."""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
ALLOWED_DESCRIPTION = "a PDF, PNG or JPEG file"

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SOI = b"\xff\xd8\xff"
PDF_HEADER = b"%PDF-"


@dataclass(frozen=True)
class AttachmentKind:
    content_type: str
    extension: str


PDF = AttachmentKind("application/pdf", ".pdf")
PNG = AttachmentKind("image/png", ".png")
JPEG = AttachmentKind("image/jpeg", ".jpg")


def _png_is_whole(data: bytes) -> bool:
    position = len(PNG_SIGNATURE)
    first = True
    seen_data = False
    while position + 12 <= len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body_end = position + 8 + length
        if body_end + 4 > len(data):
            return False
        body = data[position + 8 : body_end]
        (crc,) = struct.unpack(">I", data[body_end : body_end + 4])
        if zlib.crc32(kind + body) & 0xFFFFFFFF != crc:
            return False
        if first:
            if kind != b"IHDR" or length != 13:
                return False
            width, height = struct.unpack(">II", body[:8])
            if not width or not height:
                return False
            first = False
        if kind == b"IDAT":
            seen_data = True
        if kind == b"IEND":
            return seen_data
        position = body_end + 4
    return False


# Markers that stand alone (no length field): TEM and the restart markers.
_JPEG_STANDALONE = {0x01, *range(0xD0, 0xD8)}
# Start-of-frame markers (baseline, progressive, …); C4, C8 and CC are other segments.
_JPEG_FRAME = {m for m in range(0xC0, 0xD0) if m not in (0xC4, 0xC8, 0xCC)}


def _jpeg_is_whole(data: bytes) -> bool:
    position = 2
    seen_frame = False
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            return False
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker in _JPEG_STANDALONE:
            position += 2
            continue
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        if length < 2 or position + 2 + length > len(data):
            return False
        if marker in _JPEG_FRAME:
            if length < 8:
                return False
            height, width = struct.unpack(">HH", data[position + 5 : position + 9])
            if not width or not height:
                return False
            seen_frame = True
        if marker == 0xDA:  # start of scan: entropy-coded data follows, then the end marker
            return seen_frame and data.rfind(b"\xff\xd9") > position + 2 + length
        position += 2 + length
    return False


def _pdf_is_whole(data: bytes) -> bool:
    return data[5:6].isdigit() and b"%%EOF" in data[-2048:]


def attachment_kind_of(data: bytes) -> AttachmentKind | None:
    """The kind of ``data`` if it is a whole PDF, PNG or JPEG, else None."""
    if data.startswith(PDF_HEADER):
        return PDF if _pdf_is_whole(data) else None
    if data.startswith(PNG_SIGNATURE):
        return PNG if _png_is_whole(data) else None
    if data.startswith(JPEG_SOI):
        return JPEG if _jpeg_is_whole(data) else None
    return None


def attachment_check(upload: UploadedFile) -> AttachmentKind:
    """Refuse anything that is not a PDF, PNG or JPEG of at most 10 MB, with a message a patient
    can act on."""
    if upload.size is not None and upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError(
            {"attachment": "That file is larger than 10 MB. Please send a smaller file or a photo of the page."}
        )
    upload.seek(0)
    data = upload.read(MAX_ATTACHMENT_BYTES + 1)
    upload.seek(0)
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise ValidationError(
            {"attachment": "That file is larger than 10 MB. Please send a smaller file or a photo of the page."}
        )
    if not data:
        raise ValidationError({"attachment": "That file is empty."})
    kind = attachment_kind_of(data)
    if kind is None:
        raise ValidationError(
            {
                "attachment": f"Only {ALLOWED_DESCRIPTION} can be attached, and this file is not one "
                "(or it is damaged), whatever its name says. Nothing was sent."
            }
        )
    return kind
