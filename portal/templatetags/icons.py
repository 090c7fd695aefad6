"""``{% icon "calendar-event" %}``: an icon from static/icons/ drawn inline as SVG in the text's colour.

The SVG files are copies of the pinned bootstrap-icons package (``make icons``; docs/architecture.md
"Design system"). This tag only reads a file's ``viewBox`` and drawing; the markup is
templates/partials/icon.html. The drawing is passed to the template as safe text because it comes
from a file committed with the code, never from a request or the database, and it is checked to hold
nothing but shapes (no scripts, links, styles or event attributes) before it is used.

An icon is decoration: ``aria-hidden`` and out of the tab order. Where the icon alone carries the
meaning (an icon-only button), pass ``label`` and the words are kept for screen readers."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from xml.etree import ElementTree

from django import template
from django.contrib.staticfiles import finders
from django.utils.safestring import SafeString, mark_safe

register = template.Library()
logger = logging.getLogger(__name__)

_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_SVG_NS = "{http://www.w3.org/2000/svg}"
_SHAPES = {"path", "circle", "ellipse", "rect", "line", "polyline", "polygon", "g"}
_SHAPE_ATTRIBUTES = {"d", "cx", "cy", "r", "rx", "ry", "x", "y", "x1", "y1", "x2", "y2", "width", "height",
                     "points", "fill-rule", "clip-rule", "transform", "fill", "opacity"}  # fmt: skip
_INNER = re.compile(r"<svg\b[^>]*>(.*)</svg>\s*$", re.S)


@dataclass(frozen=True)
class IconDrawing:
    viewbox: str
    body: SafeString


class IconFileError(ValueError):
    pass


def parse_icon(svg_text: str) -> IconDrawing:
    """The viewBox and inner drawing of one icon file; refuses anything that is not plain shapes."""
    try:
        root = ElementTree.fromstring(svg_text)  # noqa: S314 - only files committed in static/icons/
    except ElementTree.ParseError as exc:
        raise IconFileError("not well-formed SVG") from exc
    if root.tag != f"{_SVG_NS}svg" or not root.get("viewBox"):
        raise IconFileError("the root is not an <svg> with a viewBox")
    for element in root.iter():
        if element is root:
            continue
        tag = element.tag.removeprefix(_SVG_NS)
        if tag not in _SHAPES:
            raise IconFileError(f"<{tag}> is not a shape")
        unknown = set(element.attrib) - _SHAPE_ATTRIBUTES
        if unknown:
            raise IconFileError(f"<{tag}> has attributes {sorted(unknown)}")
    inner = _INNER.search(svg_text)
    if inner is None:
        raise IconFileError("no drawing inside <svg>")
    body = " ".join(line.strip() for line in inner.group(1).strip().splitlines())
    return IconDrawing(viewbox=root.get("viewBox"), body=mark_safe(body))  # noqa: S308 - checked shapes from a committed file


@lru_cache(maxsize=128)
def load_icon(name: str) -> IconDrawing | None:
    """The drawing of static/icons/<name>.svg, read once per process; None for an unknown name."""
    if not _NAME.match(name):
        return None
    path = finders.find(f"icons/{name}.svg")
    if not path:
        return None
    with open(path, encoding="utf-8") as handle:
        return parse_icon(handle.read())


@register.inclusion_tag("partials/icon.html")
def icon(name: str, label: str | None = None, css_class: str = "") -> dict:
    """``{% icon "name" %}``, ``{% icon "x-lg" label="Close" %}``, ``{% icon "inbox" css_class="icon-lg" %}``.
    An unknown name draws nothing (and is logged) so a page never fails over an icon; the test of
    every template's icons (portal/tests/test_icons.py) keeps the names right."""
    drawing = load_icon(name)
    if drawing is None:
        logger.warning("unknown icon %r", name)
    return {"drawing": drawing, "label": label, "css_class": css_class}
