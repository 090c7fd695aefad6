"""Serving a stored billing PDF to the person it belongs to."""

from __future__ import annotations

from django.db.models.fields.files import FieldFile
from django.http import Http404, HttpResponse
from django.utils.http import content_disposition_header


def pdf_response(document: FieldFile, *, filename: str) -> HttpResponse:
    """The stored PDF as a download: never cached, never rendered as one of our pages. Billing PDFs
    are a few dozen kilobytes, so they are read whole (no synchronous stream for the ASGI server)."""
    if not document:
        raise Http404("This document is still being prepared. Please try again in a minute.")
    try:
        with document.open("rb") as handle:
            content = handle.read()
    except FileNotFoundError as exc:
        raise Http404("This document is not available.") from exc
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
