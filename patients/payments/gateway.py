"""The one door to Stripe: whether payments are on, and the configured client (the official
``stripe`` library). Services call Stripe through :func:`stripe_client`, never inside a database
transaction."""

from __future__ import annotations

import stripe
from django.conf import settings

# Stripe's client retries a failed connection or a 5xx itself, with the same idempotency key, so a
# retry never charges or refunds twice.
NETWORK_RETRIES = 2


def payments_enabled() -> bool:
    """Online payment is on only when both the API key and the webhook secret are set: without the
    secret the portal could not learn that a payment went through."""
    return bool(settings.STRIPE_SECRET_KEY and settings.STRIPE_WEBHOOK_SECRET)


def stripe_client() -> stripe.StripeClient:
    """A client for Stripe's API (or the host in STRIPE_API_BASE, the tests' stand-in), with the
    portal's timeout."""
    base_addresses = {"api": settings.STRIPE_API_BASE} if settings.STRIPE_API_BASE else None
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses=base_addresses,
        max_network_retries=NETWORK_RETRIES,
        http_client=stripe.RequestsClient(timeout=settings.STRIPE_TIMEOUT_SECONDS),
    )


def stripe_error_reason(error: stripe.StripeError) -> str:
    """Stripe's own words for a refusal (its message carries ids and amounts, never patient data),
    or what went wrong on the way."""
    if isinstance(error, stripe.APIConnectionError):
        return "Stripe could not be reached."
    status = f"Stripe answered {error.http_status}" if error.http_status else "Stripe answered with an error"
    message = (error.user_message or "").strip()
    return f"{status} ({message})"[:300] if message else status
