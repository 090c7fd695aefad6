"""Stripe's webhook: the only way the portal learns that a payment went through, failed or was
refunded. Anyone can reach the address, so nothing is believed until Stripe's signature over the
exact body checks out with the webhook secret."""

from __future__ import annotations

import logging

import stripe
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from patients.payments.gateway import payments_enabled
from patients.payments.services import StripeEventDeferred, stripe_event_apply

logger = logging.getLogger(__name__)


@csrf_exempt  # Stripe signs its requests instead; it has no session or CSRF token
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    if not payments_enabled():
        raise Http404("Payments are off.")
    try:
        event = stripe.Webhook.construct_event(
            request.body, request.headers.get("Stripe-Signature"), settings.STRIPE_WEBHOOK_SECRET
        )
    except stripe.SignatureVerificationError:
        logger.warning("stripe webhook: a request without a valid signature was refused")
        return HttpResponseBadRequest("Invalid signature.", content_type="text/plain")
    except ValueError:
        return HttpResponseBadRequest("Not a JSON event.", content_type="text/plain")
    try:
        stripe_event_apply(event=event)
    except StripeEventDeferred:
        # Any answer other than 2xx makes Stripe deliver the event again later.
        return HttpResponse("Not yet: send it again later.", status=409, content_type="text/plain")
    except ValueError:
        return HttpResponseBadRequest("Not a Stripe event.", content_type="text/plain")
    return HttpResponse("OK", content_type="text/plain")
