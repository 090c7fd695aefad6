"""Icons: the {% icon %} tag draws a committed SVG inline, hidden from screen readers unless given a
label; only shapes get through; every icon a template names is in static/icons/, which holds exactly
the list `make icons` copies (docs/architecture.md "Design system")."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template

from portal.templatetags.icons import IconFileError, load_icon, parse_icon

ICONS = Path(settings.BASE_DIR) / "static" / "icons"
ICON_LIST = Path(settings.BASE_DIR) / "scripts" / "icons" / "icons.txt"


def render(source: str, **context) -> str:
    return Template("{% load icons %}" + source).render(Context(context))


def test_an_icon_is_inline_svg_hidden_from_screen_readers():
    html = render('{% icon "calendar-event" %}')
    assert html.startswith('<svg xmlns="http://www.w3.org/2000/svg" class="icon" viewBox="0 0 16 16"')
    assert 'aria-hidden="true"' in html and 'focusable="false"' in html and 'fill="currentColor"' in html
    assert html.count("<path ") == 2 and html.endswith("</svg>")
    assert "visually-hidden" not in html and "<script" not in html


def test_a_label_is_kept_for_screen_readers_and_escaped():
    html = render('{% icon "x-lg" label=label %}', label="Close <now>")
    assert html.endswith('<span class="visually-hidden">Close &lt;now&gt;</span>')


def test_an_extra_class_is_added():
    assert 'class="icon icon-lg"' in render('{% icon "inbox" css_class="icon-lg" %}')


@pytest.mark.parametrize("name", ["no-such-icon", "../favicon", "icons/inbox", "INBOX", ""])
def test_an_unknown_or_unsafe_name_draws_nothing_and_never_fails_the_page(name):
    assert render("{% icon name %}", name=name) == ""
    assert render("{% icon name label='Inbox' %}", name=name) == '<span class="visually-hidden">Inbox</span>'


def test_icons_are_read_once():
    load_icon.cache_clear()
    load_icon("inbox")
    load_icon("inbox")
    assert load_icon.cache_info().hits == 1


@pytest.mark.parametrize(
    "svg",
    [
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><script>alert(1)</script></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><path d="M0 0" onclick="x()"/></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><foreignObject/></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink" viewBox="0 0 16 16">'
        '<use x:href="https://example.com/a.svg#i"/></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><path d="M0 0" style="fill:red"/></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><path d="M0 0"/></svg>',
        "<html><path/></html>",
        "<svg",
    ],
)
def test_anything_but_plain_shapes_is_refused(svg):
    with pytest.raises(IconFileError):
        parse_icon(svg)


def test_every_committed_icon_is_plain_shapes():
    for path in ICONS.glob("*.svg"):
        parse_icon(path.read_text())  # raises on anything else


def used_icon_names() -> set[str]:
    """Every literal name in a {% icon "..." %} or an include's icon="..." across the templates."""
    names: set[str] = set()
    pattern = re.compile(r'{%\s*icon\s+"([^"]+)"|\bicon="([^"]+)"|\bicon\|default:"([^"]+)"')
    for template in (Path(settings.BASE_DIR) / "templates").rglob("*.html"):
        for match in pattern.finditer(template.read_text()):
            names.add(next(g for g in match.groups() if g))
    return names


def test_every_icon_a_template_names_is_committed():
    used = used_icon_names()
    assert {"calendar-event", "shield-lock", "check2", "inbox"} <= used  # the scan finds them
    assert used - {p.stem for p in ICONS.glob("*.svg")} == set()


def test_static_icons_holds_exactly_the_listed_icons_and_their_license():
    listed = {line.strip() for line in ICON_LIST.read_text().splitlines() if line.strip()}
    assert listed == {p.stem for p in ICONS.glob("*.svg")}
    assert len(listed) <= 60  # only what the templates use, not the whole set
    assert "MIT License" in (ICONS / "LICENSE").read_text()


def test_the_icon_package_is_pinned_to_one_version():
    package = json.loads((ICON_LIST.parent / "package.json").read_text())
    lock = json.loads((ICON_LIST.parent / "package-lock.json").read_text())
    version = package["devDependencies"]["bootstrap-icons"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", version)
    assert lock["packages"]["node_modules/bootstrap-icons"]["version"] == version


def test_the_base_template_loads_nothing_from_another_site():
    base = (Path(settings.BASE_DIR) / "templates" / "base.html").read_text()
    assert not re.search(r'(src|href)="(https?:)?//', base)
