"""What the patient's order pages show, derived from loaded records: the timeline and the status
in words. Pure functions over prefetched data (no queries)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from urllib.parse import quote

from prescriptions.models import OrderStatus

S = OrderStatus


@dataclass
class TimelineStep:
    label: str
    done: bool
    at: dt.datetime | None = None
    detail: str = ""
    # The step names the order's carrier and tracking number (the page links the number).
    tracking: bool = False


PREPARING = {S.RECEIVED, S.IN_REVIEW, S.NEEDS_CLARIFICATION, S.COMPOUNDING}


def order_timeline(order) -> list[TimelineStep]:
    """Sent → being prepared → shipped (with tracking) → delivered, from the order's events."""
    first_at: dict[str, dt.datetime] = {}
    for event in order.events.all():
        key = "preparing" if event.to_status in PREPARING else event.to_status
        first_at.setdefault(key, event.at)
    shipped_detail = f"{order.carrier} tracking number {order.tracking_number}" if order.tracking_number else ""
    steps = [
        TimelineStep("Sent to the pharmacy", "sent" in first_at, first_at.get("sent")),
        TimelineStep("Being prepared", "preparing" in first_at, first_at.get("preparing")),
        TimelineStep(
            "Shipped", "shipped" in first_at, first_at.get("shipped"), shipped_detail, bool(order.tracking_number)
        ),
        TimelineStep("Delivered", "delivered" in first_at, first_at.get("delivered")),
    ]
    return steps


def patient_status_words(order) -> str:
    """The order's status as the patient reads it (no pharmacy-internal notes)."""
    words = {
        S.SIGNED: "Signed by your physician",
        S.SENT: "Sent to the pharmacy",
        S.RECEIVED: "Being prepared",
        S.IN_REVIEW: "Being prepared",
        S.NEEDS_CLARIFICATION: "Being prepared (the pharmacy has a question for your physician)",
        S.COMPOUNDING: "Being prepared",
        S.SHIPPED: "Shipped",
        S.DELIVERED: "Delivered",
        S.REJECTED: "The pharmacy could not fill this order; your care team will follow up",
        S.CANCELLED: "Cancelled by your physician",
    }
    return words.get(order.status, order.get_status_display())


# Each carrier's public tracking page. The pharmacy types the carrier's name, so it is read without
# case or punctuation: "USPS", "U.S.P.S.", "United States Postal Service", "UPS Ground", "FedEx Home"
# (orders shipped before the carrier became a list; now it is one of orders.shipping.Carrier).
USPS_PAGE = "https://tools.usps.com/go/TrackConfirmAction?tLabels={}"
UPS_PAGE = "https://www.ups.com/track?tracknum={}"
FEDEX_PAGE = "https://www.fedex.com/fedextrack/?trknbr={}"
DHL_PAGE = "https://www.dhl.com/us-en/home/tracking/tracking-express.html?submit=1&tracking-id={}"


def _tracking_page(carrier: str) -> str:
    words = re.findall(r"[a-z]+", carrier.lower())
    joined = "".join(words)
    if joined.startswith(("usps", "unitedstatespostal")):
        return USPS_PAGE
    if joined == "ups" or (words and words[0] == "ups") or joined.startswith("unitedparcel"):
        return UPS_PAGE
    if joined.startswith(("fedex", "federalexpress")):
        return FEDEX_PAGE
    if joined.startswith("dhl"):
        return DHL_PAGE
    return ""


def tracking_url(carrier: str, tracking_number: str) -> str:
    """The carrier's tracking page for the number, or "" for a carrier the portal does not know."""
    page = _tracking_page(carrier or "")
    number = (tracking_number or "").strip()
    return page.format(quote(number, safe="")) if page and number else ""
