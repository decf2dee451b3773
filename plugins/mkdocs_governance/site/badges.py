"""Status badges (SVG) for READMEs and dashboards: the gate and each model.

``governance/badges/gate.svg`` says whether the gate passes; ``governance/badges/
<model>.svg`` shows the model's least green version standing (the same standing
the inventory shows). Badges are flat "label | value" pills in the common shields
style, with their text in the SVG (readable, searchable) and a ``<title>``.
"""

from __future__ import annotations

import html

from .standing import Level

# Text on white keeps 4.5:1 on every value colour below.
_COLOURS = {
    "passing": "#1a7f37",
    "failing": "#c62828",
    Level.MET: "#1a7f37",
    Level.WAIVED: "#9a6700",
    Level.WARNING: "#9a6700",
    Level.BLOCKED: "#c62828",
    "none": "#57606a",
}
_WORDS = {
    Level.MET: "ok",
    Level.WAIVED: "waived",
    Level.WARNING: "warning",
    Level.BLOCKED: "blocked",
}


def _text_width(text: str) -> int:
    """The width of ``text`` at 11 px Verdana-like type (an estimate, per character)."""
    narrow = set("iljtfr.,:;|!' ")
    wide = set("mwMW@%")
    return int(sum(4 if c in narrow else 10 if c in wide else 7 for c in text)) + 10


def draw_badge(label: str, value: str, colour: str) -> bytes:
    """A flat two-part badge: grey ``label`` and coloured ``value``."""
    left, right = _text_width(label), _text_width(value)
    width = left + right
    label_text = html.escape(label, quote=True)
    value_text = html.escape(value, quote=True)
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="20" '
        f'role="img" aria-label="{label_text}: {value_text}">'
        f"<title>{label_text}: {value_text}</title>"
        f'<rect width="{left}" height="20" rx="3" fill="#444d56"/>'
        f'<rect x="{left}" width="{right}" height="20" rx="3" fill="{colour}"/>'
        f'<rect x="{left}" width="4" height="20" fill="{colour}"/>'
        '<g fill="#fff" text-anchor="middle" font-family="Verdana,DejaVu Sans,sans-serif" '
        'font-size="11">'
        f'<text x="{left / 2:.1f}" y="14">{label_text}</text>'
        f'<text x="{left + right / 2:.1f}" y="14">{value_text}</text></g></svg>\n'
    )
    return svg.encode("utf-8")


def gate_badge(passed: bool) -> bytes:
    """The gate's badge: ``governance | passing`` or ``governance | failing``."""
    word = "passing" if passed else "failing"
    return draw_badge("governance", word, _COLOURS[word])


def model_badge(model_id: str, level: Level | None) -> bytes:
    """A model's badge: its id and its least green version standing."""
    if level is None:
        return draw_badge(model_id, "no versions", _COLOURS["none"])
    return draw_badge(model_id, _WORDS[level], _COLOURS[level])
