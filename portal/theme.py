"""The theme's colours as values: read from the custom properties of static/css/portal.css, with the
WCAG contrast ratio of every pair the portal puts together (docs/architecture.md "Design system").

The style guide shows these ratios and portal/tests/test_theme_contrast.py fails when one of them
drops below its minimum: 4.5:1 for text (WCAG 1.4.3), 3:1 for control borders, focus rings and the
borders of status badges (WCAG 1.4.11)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

TEXT = 4.5
NON_TEXT = 3.0

# A declaration in the :root block whose value is a hex colour, e.g. "  --bs-primary: #0f6b66;".
_HEX_PROPERTY = re.compile(r"(--[\w-]+)\s*:\s*(#[0-9a-fA-F]{6}|#[0-9a-fA-F]{3})\s*;")
_ROOT_BLOCK = re.compile(r":root\s*\{(.*?)\}", re.S)
_PROPERTY = re.compile(r"(--[\w-]+)\s*:\s*([^;]+);")


@dataclass(frozen=True)
class ContrastPair:
    foreground: str  # custom property name
    background: str
    minimum: float
    use: str  # where the portal puts this pair, in a few words


# Every foreground/background the theme combines. A new colour in portal.css comes with its pairs.
CONTRAST_PAIRS: tuple[ContrastPair, ...] = (
    ContrastPair("--bs-body-color", "--bs-body-bg", TEXT, "body text on the page"),
    ContrastPair("--bs-body-color", "--portal-surface", TEXT, "body text on cards"),
    ContrastPair("--bs-heading-color", "--bs-body-bg", TEXT, "headings"),
    ContrastPair("--bs-secondary-color", "--bs-body-bg", TEXT, "secondary text on the page"),
    ContrastPair("--bs-secondary-color", "--portal-surface", TEXT, "secondary text on cards"),
    ContrastPair("--bs-secondary-color", "--bs-tertiary-bg", TEXT, "secondary text on tinted panels"),
    ContrastPair("--bs-secondary-color", "--bs-secondary-bg", TEXT, "secondary text on grey panels"),
    ContrastPair("--bs-link-color", "--bs-body-bg", TEXT, "links on the page"),
    ContrastPair("--bs-link-color", "--portal-surface", TEXT, "links on cards"),
    ContrastPair("--bs-link-color", "--bs-tertiary-bg", TEXT, "links on tinted panels"),
    ContrastPair("--bs-link-hover-color", "--bs-body-bg", TEXT, "links under the pointer"),
    ContrastPair("--bs-code-color", "--bs-body-bg", TEXT, "code and file names"),
    ContrastPair("--bs-code-color", "--bs-tertiary-bg", TEXT, "code on tinted panels"),
    ContrastPair("--portal-surface", "--bs-primary", TEXT, "white text on primary buttons"),
    ContrastPair("--portal-surface", "--portal-primary-dark", TEXT, "white text in the header"),
    ContrastPair("--bs-primary", "--bs-body-bg", TEXT, "outline buttons' text"),
    ContrastPair("--bs-danger", "--bs-body-bg", TEXT, "red text and outline buttons on the page"),
    ContrastPair("--bs-danger", "--portal-surface", TEXT, "red text and outline buttons on cards"),
    ContrastPair("--bs-form-invalid-color", "--bs-body-bg", TEXT, "a field's error message"),
    ContrastPair("--bs-form-invalid-color", "--portal-surface", TEXT, "a field's error message on a card"),
    ContrastPair("--bs-success", "--bs-body-bg", TEXT, "green text and outline buttons"),
    ContrastPair("--bs-form-valid-color", "--portal-surface", TEXT, "a field's confirmation on a card"),
    ContrastPair("--portal-surface", "--bs-danger", TEXT, "white text on red buttons and badges"),
    ContrastPair("--portal-surface", "--portal-danger-dark", TEXT, "white text on red buttons under the pointer"),
    ContrastPair("--portal-surface", "--bs-success", TEXT, "white text on green buttons and badges"),
    ContrastPair("--portal-surface", "--bs-secondary", TEXT, "white text on grey badges"),
    ContrastPair("--bs-form-invalid-border-color", "--portal-surface", NON_TEXT, "a field's error border"),
    ContrastPair("--bs-primary-text-emphasis", "--bs-primary-bg-subtle", TEXT, "primary alerts and badges"),
    ContrastPair("--bs-link-color", "--bs-primary-bg-subtle", TEXT, "links in primary alerts"),
    ContrastPair("--bs-body-color", "--bs-primary-bg-subtle", TEXT, "text on the landing page's opening"),
    ContrastPair("--portal-neutral-text", "--portal-neutral-bg", TEXT, "neutral alerts and badges"),
    ContrastPair("--bs-info-text-emphasis", "--bs-info-bg-subtle", TEXT, "information alerts and badges"),
    ContrastPair("--bs-success-text-emphasis", "--bs-success-bg-subtle", TEXT, "success alerts and badges"),
    ContrastPair("--bs-warning-text-emphasis", "--bs-warning-bg-subtle", TEXT, "warning alerts and badges"),
    ContrastPair("--bs-danger-text-emphasis", "--bs-danger-bg-subtle", TEXT, "error alerts and badges"),
    ContrastPair("--bs-body-color", "--portal-bubble-bg", TEXT, "messages from the other side"),
    ContrastPair("--bs-body-color", "--portal-bubble-mine-bg", TEXT, "the reader's own messages"),
    ContrastPair("--portal-meta-color", "--portal-bubble-bg", TEXT, "who and when, other side"),
    ContrastPair("--portal-meta-color", "--portal-bubble-mine-bg", TEXT, "who and when, own messages"),
    ContrastPair("--bs-link-color", "--portal-bubble-mine-bg", TEXT, "links in own messages"),
    ContrastPair("--portal-control-border", "--bs-body-bg", NON_TEXT, "control borders on the page"),
    ContrastPair("--portal-control-border", "--portal-surface", NON_TEXT, "control borders on cards"),
    ContrastPair("--portal-control-border", "--bs-tertiary-bg", NON_TEXT, "control borders on tinted panels"),
    ContrastPair("--bs-primary", "--bs-body-bg", NON_TEXT, "checked boxes and the current step"),
    ContrastPair("--portal-focus", "--bs-body-bg", NON_TEXT, "focus ring on the page"),
    ContrastPair("--portal-focus", "--portal-surface", NON_TEXT, "focus ring on cards"),
    ContrastPair("--portal-focus", "--bs-tertiary-bg", NON_TEXT, "focus ring on tinted panels"),
    ContrastPair("--portal-focus-on-dark", "--portal-primary-dark", NON_TEXT, "focus ring in the header"),
    ContrastPair("--portal-neutral-border", "--portal-surface", NON_TEXT, "neutral badge border"),
    ContrastPair("--portal-info-border", "--portal-surface", NON_TEXT, "information badge border"),
    ContrastPair("--portal-success-border", "--portal-surface", NON_TEXT, "success badge border"),
    ContrastPair("--portal-warning-border", "--portal-surface", NON_TEXT, "warning badge border"),
    ContrastPair("--portal-danger-border", "--portal-surface", NON_TEXT, "error badge border"),
    ContrastPair("--portal-primary-border", "--portal-surface", NON_TEXT, "primary badge border"),
)


def theme_css_path() -> Path:
    return Path(settings.BASE_DIR) / "static" / "css" / "portal.css"


def theme_colors(css: str | None = None) -> dict[str, str]:
    """Custom property → hex colour (lower case, six digits), from the stylesheet's :root blocks."""
    if css is None:
        css = theme_css_path().read_text(encoding="utf-8")
    colors: dict[str, str] = {}
    for block in _ROOT_BLOCK.findall(css):
        for name, value in _HEX_PROPERTY.findall(block):
            colors[name] = _six_digits(value)
    return colors


def theme_properties(css: str | None = None) -> dict[str, str]:
    """Every custom property of the stylesheet's :root blocks → its value as written."""
    if css is None:
        css = theme_css_path().read_text(encoding="utf-8")
    found: dict[str, str] = {}
    for block in _ROOT_BLOCK.findall(css):
        for name, value in _PROPERTY.findall(re.sub(r"/\*.*?\*/", "", block, flags=re.S)):
            found[name] = value.strip()
    return found


def _six_digits(value: str) -> str:
    digits = value.lstrip("#").lower()
    if len(digits) == 3:
        digits = "".join(ch * 2 for ch in digits)
    return "#" + digits


def relative_luminance(color: str) -> float:
    """WCAG 2 relative luminance of an sRGB hex colour."""
    digits = _six_digits(color)[1:]
    channels = [int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2 contrast ratio, from 1 (same) to 21 (black on white)."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@dataclass(frozen=True)
class CheckedPair:
    pair: ContrastPair
    foreground_hex: str
    background_hex: str
    ratio: float

    @property
    def passes(self) -> bool:
        return self.ratio >= self.pair.minimum


def checked_pairs(colors: dict[str, str] | None = None) -> list[CheckedPair]:
    """Each declared pair with its colours and ratio (rounded down to two places, so a ratio shown
    as 4.50 is never really 4.499)."""
    colors = theme_colors() if colors is None else colors
    result = []
    for pair in CONTRAST_PAIRS:
        fg, bg = colors[pair.foreground], colors[pair.background]
        ratio = int(contrast_ratio(fg, bg) * 100) / 100
        result.append(CheckedPair(pair=pair, foreground_hex=fg, background_hex=bg, ratio=ratio))
    return result
