"""Replies texted to the practice's number, posted by Telnyx (/sms/inbound/). Public, but nothing
in a request is believed until its Ed25519 signature checks out (portal/sms/telnyx.py)."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from patients.notifications.services import sms_inbound_apply
from portal.sms.telnyx import SMSSignatureError, inbound_text_read

logger = logging.getLogger(__name__)


@csrf_exempt  # Telnyx signs its requests instead; it has no session or CSRF token
@require_POST
def sms_inbound(request: HttpRequest) -> HttpResponse:
    try:
        text = inbound_text_read(request.body, request.headers)
    except SMSSignatureError:
        logger.warning("sms webhook: a request without a valid signature was refused")
        return HttpResponseBadRequest("Invalid signature.", content_type="text/plain")
    if text is not None:
        sms_inbound_apply(text=text)
    # 200 for a repeat or an event that needs nothing, so Telnyx stops sending it.
    return HttpResponse("OK", content_type="text/plain")
