"""Fax backends (settings.FAX_BACKEND, a dotted path). A backend sends one PDF to one number and
answers with what the fax service said; it never sees the order or the patient, only ids for its
log lines (docs/architecture.md "Faxing prescriptions").

- :class:`StoredFaxBackend` (the default) writes the PDF into the private storage's fax spool
  folder and logs the hand-over: ids and page count only.
- ``prescriptions.fax.telnyx.TelnyxFaxBackend`` sends through Telnyx Programmable Fax."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class FaxSendError(Exception):
    """The fax service refused or failed. ``reason`` is shown to physicians and staff (it holds
    no patient data); ``permanent`` means sending the same fax again cannot help."""

    def __init__(self, reason: str, *, permanent: bool = False):
        super().__init__(reason)
        self.reason = reason[:300]
        self.permanent = permanent


@dataclass(frozen=True)
class FaxHandOver:
    """What a backend answers: the service's id and whether the fax is already delivered (else
    the service reports delivery later, through :meth:`status`)."""

    provider_id: str
    delivered: bool


@dataclass(frozen=True)
class FaxStatus:
    state: str  # "sending", "delivered" or "failed"
    reason: str = ""


class FaxBackend:
    def send(self, *, transmission_id: int, order_id: int, to_number: str, pdf: bytes, pages: int) -> FaxHandOver:
        raise NotImplementedError

    def status(self, *, provider_id: str) -> FaxStatus:
        return FaxStatus("delivered")


class StoredFaxBackend(FaxBackend):
    """Keeps each outgoing fax in private storage (``fax-spool/``, never served at a URL) and logs
    it, for development, demos and practices whose fax machine collects from that folder."""

    spool = "fax-spool"

    def send(self, *, transmission_id: int, order_id: int, to_number: str, pdf: bytes, pages: int) -> FaxHandOver:
        name = default_storage.save(f"{self.spool}/transmission-{transmission_id}.pdf", ContentFile(pdf))
        # Ids and the page count only: no number, name or medicine in the log.
        logger.info(
            "fax transmission %s for order %s stored for sending (%d page%s)",
            transmission_id,
            order_id,
            pages,
            "" if pages == 1 else "s",
        )
        return FaxHandOver(provider_id=name, delivered=True)


def get_fax_backend() -> FaxBackend:
    return import_string(settings.FAX_BACKEND)()
