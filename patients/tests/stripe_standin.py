"""A local stand-in for the parts of Stripe that the portal uses, answering as Stripe's API
reference documents them: ``POST /v1/checkout/sessions`` (form-encoded, nested keys such as
``line_items[0][price_data][unit_amount]``; a Checkout Session object), ``GET
/v1/checkout/sessions/{id}``, ``POST /v1/checkout/sessions/{id}/expire``, ``POST /v1/refunds`` (a
refund object, or a 400 for an unknown payment intent or an amount above what is left), errors as
``{"error": {"type", "code", "message", "param"}}``, 401 without the secret key, and the same answer
again for a repeated ``Idempotency-Key``.

It also serves the hosted payment page the session's ``url`` points at (``GET /c/pay/{id}``, a
plain page with the amount and the buttons "Pay" and "Cancel"). Paying completes the session,
makes a payment intent and sends the signed ``checkout.session.completed`` event to the portal's
webhook; a refund sends ``charge.refunded``. Events are signed with the webhook secret by
``stripe.WebhookSignature.generate_signature_header``, as Stripe signs them. Without a webhook URL
the events wait in ``undelivered`` for the test to post them itself.

Started by the tests in a thread on a free port: ``with stripe_standin_running(settings) as stripe:``
(or the fixtures ``stripe_standin`` / ``stripe_standin_live`` in patients/tests/conftest.py)."""

from __future__ import annotations

import contextlib
import html
import json
import re
import secrets
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

import stripe

from tests.helpers import LocalServer, StandInHandler

SECRET_KEY = "sk_test_standin_0123456789"
WEBHOOK_SECRET = "whsec_standin_0123456789"
WEBHOOK_PATH = "/billing/stripe/webhook/"


def _id(prefix: str) -> str:
    return f"{prefix}_test_{secrets.token_hex(12)}"


def form_params(body: str) -> dict:
    """Stripe's form encoding back into nested values: ``a[b][0][c]=1`` → {"a": {"b": [{"c": "1"}]}}."""
    params: dict = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        *path, last = re.findall(r"[^\[\]]+", key)
        node = params
        for part in path:
            node = node.setdefault(part, {})
        node[last] = value
    return _lists(params)


def _lists(value):
    """Objects keyed 0, 1, 2 … were lists."""
    if not isinstance(value, dict):
        return value
    items = {key: _lists(item) for key, item in value.items()}
    if items and all(key.isdigit() for key in items):
        return [items[key] for key in sorted(items, key=int)]
    return items


def signed(event: dict, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> tuple[bytes, str]:
    """The body and the ``Stripe-Signature`` header Stripe would send for ``event``."""
    payload = json.dumps(event)
    return payload.encode(), stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp)


def event_for(kind: str, obj: dict, *, event_id: str | None = None, created: int | None = None) -> dict:
    """An event object as Stripe sends it to a webhook endpoint."""
    return {
        "id": event_id or _id("evt"), "object": "event", "api_version": stripe.api_version,
        "created": int(time.time()) if created is None else created, "livemode": False,
        "pending_webhooks": 1, "request": {"id": None, "idempotency_key": None},
        "type": kind, "data": {"object": obj},
    }  # fmt: skip


PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Pay {amount} — Stripe test checkout</title></head>
<body>
<main>
<h1>Pay {amount}</h1>
<p>{name}</p>
<p>Amount due: <strong>{amount}</strong></p>
<p>{state}</p>
<form method="post" action="/c/pay/{id}/pay"><button type="submit"{disabled}>Pay</button></form>
<form method="post" action="/c/pay/{id}/cancel"><button type="submit">Cancel</button></form>
</main>
</body>
</html>
"""


@dataclass
class StripeStandIn(LocalServer):
    """``webhook_url``: where events are sent (None: they are kept in ``undelivered``).
    ``create_answers``: what each ``POST /v1/checkout/sessions`` answers, in turn (a status code;
    200 once empty). ``refund_answers``: the same for ``POST /v1/refunds``."""

    webhook_url: str | None = None
    webhook_secret: str = WEBHOOK_SECRET
    create_answers: list = field(default_factory=list)
    refund_answers: list = field(default_factory=list)
    sessions: dict = field(default_factory=dict)
    intents: dict = field(default_factory=dict)  # payment intent id -> the charge paying it
    refunds: list = field(default_factory=list)
    requests: list = field(default_factory=list)  # (method, path, params, headers)
    undelivered: list = field(default_factory=list)  # (body, signature header) not sent
    deliveries: list = field(default_factory=list)  # (event type, the webhook's status code)
    idempotent: dict = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    # --- what Stripe does on its side --------------------------------------------------------------

    def send_event(self, kind: str, obj: dict) -> dict:
        event = event_for(kind, obj)
        body, header = signed(event, secret=self.webhook_secret)
        if self.webhook_url is None:
            self.undelivered.append((body, header))
            return event
        request = urllib.request.Request(
            self.webhook_url, data=body, method="POST",
            headers={"Content-Type": "application/json; charset=utf-8", "Stripe-Signature": header},
        )  # fmt: skip
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                self.deliveries.append((kind, answer.status))
        except urllib.error.HTTPError as refusal:
            self.deliveries.append((kind, refusal.code))
        except OSError:
            self.deliveries.append((kind, None))
        return event

    def pay(self, session_id: str) -> dict:
        """The patient pays on the hosted page: the session completes and is paid."""
        with self.lock:
            session = self.sessions[session_id]
            if session["status"] != "open":
                raise ValueError(f"session is {session['status']}")
            intent = _id("pi")
            session.update(status="complete", payment_status="paid", payment_intent=intent)
            self.intents[intent] = {
                "id": _id("ch"), "object": "charge", "amount": session["amount_total"], "amount_refunded": 0,
                "currency": session["currency"], "payment_intent": intent, "paid": True, "refunded": False,
                "status": "succeeded", "metadata": {}, "created": int(time.time()),
            }  # fmt: skip
        return self.send_event("checkout.session.completed", dict(session))

    def expire(self, session_id: str) -> dict:
        with self.lock:
            session = self.sessions[session_id]
            session.update(status="expired", url=None)
        return self.send_event("checkout.session.expired", dict(session))

    # --- the server -------------------------------------------------------------------------------

    def start(self) -> str:
        standin = self

        class Handler(StandInHandler):
            def extra_headers(self) -> dict[str, str]:
                return {"Request-Id": _id("req")}

            def _error(self, status: int, message: str, *, kind="invalid_request_error", code=None, param=None):
                error = {"type": kind, "message": message}
                error.update({key: value for key, value in (("code", code), ("param", param)) if value})
                self._answer(status, {"error": error})

            def _redirect(self, location: str) -> None:
                self.send_response(303)
                self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def _authorized(self) -> bool:
                if self.headers.get("Authorization") != f"Bearer {SECRET_KEY}":
                    self._error(401, "Invalid API Key provided.", kind="invalid_request_error")
                    return False
                return True

            def _record(self, method: str, params: dict) -> None:
                headers = {name: self.headers.get(name, "") for name in ("Idempotency-Key", "Stripe-Version")}
                standin.requests.append((method, self.path, params, headers))

            def do_GET(self):
                if self.path.startswith("/c/pay/"):
                    return self._page(self.path.removeprefix("/c/pay/"))
                self._record("GET", {})
                if not self._authorized():
                    return
                match = re.fullmatch(r"/v1/checkout/sessions/([\w]+)", self.path)
                session = standin.sessions.get(match.group(1)) if match else None
                if session is None:
                    return self._error(404, f"No such checkout.session: '{self.path}'", code="resource_missing")
                self._answer(200, session)

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                if self.path.startswith("/c/pay/"):
                    return self._hosted(self.path.removeprefix("/c/pay/"))
                params = form_params(body)
                self._record("POST", params)
                if not self._authorized():
                    return
                key = (self.path, self.headers.get("Idempotency-Key"))
                if key[1] and key in standin.idempotent:
                    return self._answer(*standin.idempotent[key])
                if self.path == "/v1/checkout/sessions":
                    status, answer = self._create_session(params)
                elif self.path == "/v1/refunds":
                    status, answer = self._refund(params)
                elif match := re.fullmatch(r"/v1/checkout/sessions/(\w+)/expire", self.path):
                    status, answer = self._expire(match.group(1))
                else:
                    status, answer = (
                        404,
                        {"error": {"type": "invalid_request_error", "message": "Unrecognized request URL."}},
                    )
                if key[1] and status < 500:
                    standin.idempotent[key] = (status, answer)
                self._answer(status, answer)

            def _create_session(self, params: dict) -> tuple[int, dict]:
                answer = standin.create_answers.pop(0) if standin.create_answers else 200
                if answer >= 500:
                    return answer, {"error": {"type": "api_error", "message": "An unknown error occurred."}}
                if answer != 200:
                    return answer, {"error": {"type": "invalid_request_error", "message": "Refused by the test."}}
                missing = [name for name in ("mode", "success_url", "line_items") if not params.get(name)]
                if missing:
                    return 400, {"error": {"type": "invalid_request_error", "param": missing[0],
                                           "message": f"Missing required param: {missing[0]}."}}  # fmt: skip
                try:
                    items = params["line_items"]
                    total = sum(int(item["price_data"]["unit_amount"]) * int(item.get("quantity", 1)) for item in items)
                    currency = items[0]["price_data"]["currency"]
                except (KeyError, TypeError, ValueError, IndexError):
                    return 400, {"error": {"type": "invalid_request_error", "param": "line_items",
                                           "message": "Each line item needs price_data with a unit_amount."}}  # fmt: skip
                session_id = _id("cs")
                session = {
                    "id": session_id, "object": "checkout.session", "mode": params["mode"], "status": "open",
                    "payment_status": "unpaid", "amount_subtotal": total, "amount_total": total,
                    "currency": currency, "metadata": params.get("metadata", {}),
                    "client_reference_id": params.get("client_reference_id"), "payment_intent": None,
                    "success_url": params["success_url"], "cancel_url": params.get("cancel_url"),
                    "url": f"{standin.api_base}/c/pay/{session_id}", "livemode": False,
                    "created": int(time.time()), "expires_at": int(time.time()) + 24 * 3600,
                    "line_item_names": [item["price_data"].get("product_data", {}).get("name") for item in items],
                }  # fmt: skip
                standin.sessions[session_id] = session
                return 200, {key: value for key, value in session.items() if key != "line_item_names"}

            def _expire(self, session_id: str) -> tuple[int, dict]:
                session = standin.sessions.get(session_id)
                if session is None:
                    return 404, {"error": {"type": "invalid_request_error", "code": "resource_missing",
                                           "message": f"No such checkout.session: '{session_id}'"}}  # fmt: skip
                if session["status"] != "open":
                    return 400, {"error": {"type": "invalid_request_error",
                                           "message": f"This Checkout Session is {session['status']}."}}  # fmt: skip
                session.update(status="expired", url=None)
                return 200, session

            def _refund(self, params: dict) -> tuple[int, dict]:
                answer = standin.refund_answers.pop(0) if standin.refund_answers else 200
                if answer >= 500:
                    return answer, {"error": {"type": "api_error", "message": "An unknown error occurred."}}
                if answer >= 400:
                    return answer, {"error": {"type": "invalid_request_error", "code": "balance_insufficient",
                                              "message": "Insufficient funds in Stripe account."}}  # fmt: skip
                intent = params.get("payment_intent", "")
                charge = standin.intents.get(intent)
                if charge is None:
                    return 400, {"error": {"type": "invalid_request_error", "code": "resource_missing",
                                           "param": "payment_intent", "message": f"No such payment_intent: '{intent}'"}}  # fmt: skip
                left = charge["amount"] - charge["amount_refunded"]
                amount = int(params.get("amount", left))
                if left == 0:
                    return 400, {"error": {"type": "invalid_request_error", "code": "charge_already_refunded",
                                           "message": f"Charge {charge['id']} has already been refunded."}}  # fmt: skip
                if amount > left:
                    return 400, {"error": {"type": "invalid_request_error", "code": "amount_too_large", "param": "amount",
                                           "message": f"Refund amount ({amount}) is greater than unrefunded amount on charge ({left})"}}  # fmt: skip
                refund = {
                    "id": _id("re"), "object": "refund", "amount": amount, "currency": charge["currency"],
                    "charge": charge["id"], "payment_intent": intent, "status": "succeeded",
                    "metadata": params.get("metadata", {}), "reason": params.get("reason"), "created": int(time.time()),
                }  # fmt: skip
                standin.refunds.append(refund)
                charge["amount_refunded"] += amount
                charge["refunded"] = charge["amount_refunded"] >= charge["amount"]
                standin.send_event("charge.refunded", dict(charge))
                return 200, refund

            # --- the hosted page ---------------------------------------------------------------

            def _page(self, session_id: str) -> None:
                session = standin.sessions.get(session_id.strip("/"))
                if session is None:
                    return self._html(404, "<!doctype html><html lang='en'><title>Not found</title><h1>Not found</h1>")
                state = {"open": "", "complete": "This payment is complete.", "expired": "This page has expired."}
                self._html(
                    200,
                    PAGE.format(
                        id=html.escape(session["id"]),
                        amount=f"${session['amount_total'] / 100:,.2f}",
                        name=html.escape(", ".join(filter(None, session["line_item_names"]))),
                        state=state[session["status"]],
                        disabled="" if session["status"] == "open" else " disabled",
                    ),
                )

            def _hosted(self, rest: str) -> None:
                session_id, _, action = rest.partition("/")
                session = standin.sessions.get(session_id)
                if session is None or action not in ("pay", "cancel"):
                    return self._html(404, "<!doctype html><html lang='en'><title>Not found</title><h1>Not found</h1>")
                if action == "cancel":
                    return self._redirect(session["cancel_url"])
                if session["status"] != "open":
                    return self._html(
                        409,
                        f"<!doctype html><html lang='en'><title>Closed</title><h1>This page is {session['status']}</h1>",
                    )
                standin.pay(session_id)
                self._redirect(session["success_url"])

        self.serve(Handler, "stripe-standin")
        return self.api_base

    def sent_text(self) -> str:
        """Everything the portal sent to Stripe, as one string (for checking it holds no PHI)."""
        return json.dumps(self.requests)


@contextlib.contextmanager
def stripe_standin_running(settings, *, webhook_url: str | None = None) -> Iterator[StripeStandIn]:
    """Point the portal's Stripe settings at a fresh stand-in for the block (payments on)."""
    standin = StripeStandIn(webhook_url=webhook_url)
    settings.STRIPE_API_BASE = standin.start()
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    try:
        yield standin
    finally:
        standin.stop()


def deliver(client, events: list[tuple[bytes, str]]) -> list[int]:
    """Post signed events to the portal's webhook with a Django test client; their status codes."""
    codes = []
    for body, header in events:
        answer = client.post(WEBHOOK_PATH, data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=header)
        codes.append(answer.status_code)
    return codes


def deliver_waiting(standin: StripeStandIn, client) -> list[int]:
    """Post every event the stand-in holds (in the order Stripe sent them) and forget them."""
    waiting, standin.undelivered[:] = list(standin.undelivered), []
    return deliver(client, waiting)
