"""The theme's colours meet WCAG contrast: text 4.5:1, control borders, focus rings and badge borders
3:1 (docs/architecture.md "Design system"). Reads static/css/portal.css itself, so a colour changed
there without care fails here."""

from __future__ import annotations

import pytest

from portal.theme import CONTRAST_PAIRS, NON_TEXT, TEXT, checked_pairs, contrast_ratio, theme_colors, theme_properties


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [("#000000", "#ffffff", 21.0), ("#ffffff", "#ffffff", 1.0), ("#777777", "#ffffff", 4.48), ("#0d6efd", "#fff", 4.5)],
)
def test_the_contrast_formula_matches_wcags_reference_values(first, second, expected):
    assert contrast_ratio(first, second) == pytest.approx(expected, abs=0.01)


def test_every_colour_a_pair_names_is_declared_in_the_theme():
    colors = theme_colors()
    named = {p.foreground for p in CONTRAST_PAIRS} | {p.background for p in CONTRAST_PAIRS}
    assert named - set(colors) == set()


@pytest.mark.parametrize("checked", checked_pairs(), ids=lambda c: f"{c.pair.foreground}-on-{c.pair.background}")
def test_each_pair_meets_its_minimum(checked):
    assert checked.passes, (
        f"{checked.pair.use}: {checked.foreground_hex} on {checked.background_hex} is {checked.ratio}:1, "
        f"needs {checked.pair.minimum}:1"
    )


def test_text_pairs_need_four_and_a_half_and_borders_three():
    assert {p.minimum for p in CONTRAST_PAIRS} == {TEXT, NON_TEXT}
    assert all(p.minimum == TEXT for p in CONTRAST_PAIRS if "text" in p.use or "links" in p.use)


def test_a_colour_too_light_for_text_is_caught():
    colors = dict(theme_colors(), **{"--bs-secondary-color": "#a8a29a"})
    failing = [c.pair.use for c in checked_pairs(colors) if not c.passes]
    assert "secondary text on the page" in failing


def test_the_rgb_twins_of_bootstraps_colours_match_their_hex():
    properties = theme_properties()
    names = ("--bs-primary", "--bs-body-bg", "--bs-body-color", "--bs-link-color", "--bs-link-hover-color",
             "--bs-secondary", "--bs-danger", "--bs-success", "--bs-tertiary-bg")  # fmt: skip
    for name in names:
        hex_value = properties[name].lstrip("#")
        rgb = ", ".join(str(int(hex_value[i : i + 2], 16)) for i in (0, 2, 4))
        assert properties[f"{name}-rgb"] == rgb, name


def test_the_bootstrap_blue_is_gone_from_the_theme():
    from portal.theme import theme_css_path

    css = theme_css_path().read_text().lower()
    assert "#0d6efd" not in css and "#0a4fb8" not in css


def test_the_type_scale_is_a_minor_third_on_the_body_size():
    properties = theme_properties()
    assert properties["--bs-body-font-size"] == "1rem"
    sizes = [float(properties[f"--portal-font-size-h{n}"].removesuffix("rem")) for n in (6, 5, 4, 3, 2, 1)]
    for smaller, larger in zip(sizes, sizes[1:], strict=False):
        assert larger / smaller == pytest.approx(1.2, abs=0.005)
    assert float(properties["--bs-body-line-height"]) >= 1.5  # WCAG 1.4.12 text spacing
