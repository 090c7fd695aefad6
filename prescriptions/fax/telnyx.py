"""Sending faxes through Telnyx Programmable Fax with Telnyx's official Python library
(docs/architecture.md "Faxing prescriptions").

The PDF goes to Telnyx's media storage by a multipart upload (``POST /v2/media``, kept a day) and
the fax names it (``POST /v2/faxes`` with ``media_name``), so the prescription is never put at a
URL of ours. Telnyx answers 202 with the fax ``queued``; delivery is read back with
``GET /v2/faxes/{id}`` (``delivered`` or ``failed`` with its ``failure_reason``). The library's
own retries are off: the worker retries with backoff and counts attempts on the transmission."""

from __future__ import annotations

import secrets

import httpx
import telnyx
from django.conf import settings
from telnyx.types.media_upload_response import MediaUploadResponse

from prescriptions.fax.backends import FaxBackend, FaxHandOver, FaxSendError, FaxStatus

MEDIA_TTL_SECONDS = 24 * 3600
# A 4xx other than these means the request itself is wrong: sending it again cannot help.
TRANSIENT_CLIENT_ERRORS = {408, 409, 429}
# Failures in which the request never reached Telnyx: sending it again cannot make a second fax.
NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# Telnyx takes no idempotency key, so a fax whose creation went unanswered may be on its way: the
# worker must not send it again by itself (two prescriptions in the pharmacy's tray); a physician
# checks with the pharmacy and sends it again from the order page.
UNANSWERED_CREATE = (
    "The fax service did not answer after the fax was handed over, so it may have gone out. "
    "Check with the pharmacy before sending it again."
)


def _reason(error: telnyx.APIStatusError) -> str:
    """Telnyx's error body is {"errors": [{"code", "title", "detail"}]}: its words, no patient data."""
    try:
        first = (error.body or {}).get("errors", [])[0] if isinstance(error.body, dict) else {}
    except IndexError:
        first = {}
    words = ": ".join(part for part in (first.get("title"), first.get("detail")) if part)
    return f"Telnyx answered {error.status_code}" + (f" ({words})" if words else "")


class TelnyxFaxBackend(FaxBackend):
    def __init__(self) -> None:
        if not (settings.TELNYX_API_KEY and settings.TELNYX_FAX_CONNECTION_ID and settings.TELNYX_FAX_FROM):
            raise FaxSendError(
                "Telnyx fax is not configured (TELNYX_API_KEY, TELNYX_FAX_CONNECTION_ID, TELNYX_FAX_FROM).",
                permanent=True,
            )
        self.client = telnyx.Telnyx(
            api_key=settings.TELNYX_API_KEY,
            base_url=settings.TELNYX_BASE_URL,
            timeout=settings.TELNYX_TIMEOUT_SECONDS,
            max_retries=0,
        )

    def _call(self, request, *, creates_fax: bool = False):
        try:
            return request()
        except telnyx.APIStatusError as error:
            permanent = 400 <= error.status_code < 500 and error.status_code not in TRANSIENT_CLIENT_ERRORS
            raise FaxSendError(_reason(error), permanent=permanent) from error
        except telnyx.APIConnectionError as error:
            if creates_fax and not isinstance(error.__cause__, NEVER_SENT):
                raise FaxSendError(UNANSWERED_CREATE, permanent=True) from error
            raise FaxSendError("The fax service could not be reached.") from error
        except telnyx.APIError as error:
            # An answer the library could not read: for the fax's creation, it may exist.
            if creates_fax:
                raise FaxSendError(UNANSWERED_CREATE, permanent=True) from error
            raise FaxSendError("The fax service's answer could not be read.") from error

    def send(self, *, transmission_id: int, order_id: int, to_number: str, pdf: bytes, pages: int) -> FaxHandOver:
        # A random name: nothing in it says whose prescription it is.
        media_name = f"rx-{transmission_id}-{secrets.token_hex(8)}"
        self._call(
            lambda: self.client.post(
                "/media",
                cast_to=MediaUploadResponse,
                body={"media_name": media_name, "ttl_secs": MEDIA_TTL_SECONDS},
                files=[("media", (f"{media_name}.pdf", pdf, "application/pdf"))],
                options={"headers": {"Content-Type": "multipart/form-data"}},
            )
        )
        created = self._call(
            lambda: self.client.faxes.create(
                connection_id=settings.TELNYX_FAX_CONNECTION_ID,
                from_=settings.TELNYX_FAX_FROM,
                to=to_number,
                media_name=media_name,
                quality="high",
                store_media=False,
            ),
            creates_fax=True,
        )
        fax = created.data
        if fax is None or not fax.id:
            raise FaxSendError(f"Telnyx accepted the fax but returned no id. {UNANSWERED_CREATE}", permanent=True)
        if fax.status == "failed":
            raise FaxSendError(f"Telnyx refused the fax ({fax.failure_reason or 'no reason given'}).")
        return FaxHandOver(provider_id=fax.id, delivered=fax.status == "delivered")

    def status(self, *, provider_id: str) -> FaxStatus:
        fax = self._call(lambda: self.client.faxes.retrieve(provider_id)).data
        if fax is None:
            raise FaxSendError("Telnyx returned no fax for this id.")
        if fax.status == "delivered":
            return FaxStatus("delivered")
        if fax.status == "failed":
            return FaxStatus("failed", f"Telnyx: {fax.failure_reason or 'the fax failed'}")
        return FaxStatus("sending")
