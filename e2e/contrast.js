// Read by e2e/test_accessibility.py and evaluated in the page under test (never served).
// WCAG 1.4.11 non-text contrast from Chromium's computed styles: each visible form control's
// border, and the focused element's focus indicator, against the first opaque colour behind it.
(() => {
  const parse = (css) => {
    const m = css && css.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
  };
  const channel = (v) => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4);
  };
  const luminance = (c) => 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
  const ratio = (a, b) => {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  const behind = (el) => {
    for (let e = el.parentElement; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c.a > 0.5) return c;
    }
    return { r: 255, g: 255, b: 255, a: 1 };
  };
  const describe = (el) => {
    let name = el.tagName.toLowerCase();
    if (el.id) name += "#" + el.id;
    if (el.name) name += "[name=" + el.name + "]";
    if (el.getAttribute("href")) name += "[href=" + el.getAttribute("href") + "]";
    return name;
  };

  const controlBorders = () => {
    const problems = [];
    for (const el of document.querySelectorAll("main input:not([type=hidden]), main select, main textarea")) {
      const style = getComputedStyle(el);
      if (!el.getBoundingClientRect().width || style.visibility === "hidden" || el.closest("[aria-hidden=true]")) continue;
      // buttons are told apart by their fill; radios drawn as buttons by their label
      if (/^(submit|button|reset|image)$/.test(el.type) || el.classList.contains("btn-check")) continue;
      // a checkbox or radio left to Chromium's own drawing has its #767676 (4.5:1) edge
      if (/^(checkbox|radio)$/.test(el.type) && style.appearance !== "none") continue;
      if (parseFloat(style.borderTopWidth) < 1 || style.borderTopStyle === "none") {
        problems.push(describe(el) + ": no border");
        continue;
      }
      const r = ratio(parse(style.borderTopColor), behind(el));
      if (r < 3) problems.push(describe(el) + ": border " + style.borderTopColor + " is " + r.toFixed(2) + ":1");
    }
    return problems;
  };

  const focusIndicator = () => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    // The last stop of a native date box is its calendar button, inside the box's own shadow
    // tree: the box no longer matches :focus and Chromium draws that button's ring itself.
    if (/^(date|time|datetime-local)$/.test(el.type) && !el.matches(":focus")) return { name: describe(el), problem: null };
    // a visually hidden radio shows its focus on the label drawn as its button
    let shown = el;
    if (el.classList.contains("btn-check") && el.id) shown = document.querySelector('label[for="' + el.id + '"]') || el;
    const style = getComputedStyle(shown);
    let color = null;
    if (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2) color = parse(style.outlineColor);
    else if (style.boxShadow && style.boxShadow !== "none") color = parse(style.boxShadow);
    if (!color) return { name: describe(el), problem: "no visible focus indicator" };
    const r = ratio(color, behind(shown));
    return { name: describe(el), problem: r < 3 ? "focus ring is " + r.toFixed(2) + ":1 against its background" : null };
  };

  window.portalContrast = { controlBorders, focusIndicator, ratio, parse };
})();
