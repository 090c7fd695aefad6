"""Idempotency keys for the requests the portal makes to Stripe. Each names the payment and the
moment of the request it belongs to: retries of one request share a key (Stripe answers them with
the first answer), while a new request (a second refund after one was refused, a new page) gets a
new key and so never meets an old request's saved answer — nor one of another installation whose
database reused the payment's id."""

from __future__ import annotations

from patients.models import Payment


def checkout_key(payment: Payment) -> str:
    return f"checkout-{payment.pk}-{int(payment.created_at.timestamp())}"


def refund_key(payment: Payment) -> str:
    requested = payment.refund_requested_at or payment.paid_at or payment.created_at
    return f"refund-{payment.pk}-{int(requested.timestamp())}"
