"""The model document as HTML: one self-contained file, and the body the wiki page embeds.

Every value is autoescaped by Jinja2; record Markdown (the model card, hypotheses,
conclusions) goes through the site's Markdown renderer and the nh3 allow-list, so record
text can never put script into the document. The figures are inline SVG drawn by
[`figures`][mkdocs_governance.document.figures]; the file needs no network (a
Content-Security-Policy forbids every fetch). The output is a function of the
[`ModelDocument`][mkdocs_governance.document.model.ModelDocument] alone, so the same
commit gives the same bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import jinja2
from markupsafe import Markup

from ..site import safety
from . import figures
from .model import SECTION_TITLES, ModelDocument


@dataclass(frozen=True, slots=True)
class Figure:
    """An inline figure: its SVG markup and the caption that says what it shows."""

    markup: Markup
    caption: str


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("mkdocs_governance.document", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.globals["md"] = lambda text: Markup(safety.render_markdown(text or "", heading_offset=3))
    return env


def stylesheet() -> str:
    """The document's CSS (screen and print)."""
    # One stylesheet for the file and the wiki page (where the plugin serves it).
    return (
        resources.files("mkdocs_governance.site")
        .joinpath("assets", "document.css")
        .read_text(encoding="utf-8")
    )


def document_figures(doc: ModelDocument) -> list[Figure]:
    """The performance figures as inline SVG, with captions that state their numbers."""
    drawn = []
    metrics_svg = figures.metrics_figure(doc.metrics, "svg")
    if metrics_svg is not None:
        numbers = "; ".join(
            f"{m.name} {m.value_text}" + (f" (bound {m.bound}: {m.state})" if m.bound else "")
            for m in doc.metrics
            if m.value is not None
        )
        drawn.append(Figure(_inline_svg(metrics_svg), f"Metrics of {doc.key}: {numbers}."))
    history_svg = figures.history_figure(dict(doc.metric_history), "svg")
    if history_svg is not None:
        last = "; ".join(
            f"{name} {points[-1][1]:.6g} at step {points[-1][0]:g}"
            for name, points in sorted(doc.metric_history.items())
            if points
        )
        drawn.append(
            Figure(_inline_svg(history_svg), f"Training history of the experiment: {last}.")
        )
    return drawn


def render_body(doc: ModelDocument, *, embedded: bool = False) -> str:
    """The document's ``<article>``: what the file, the PDF and the wiki page show.

    ``embedded`` leaves out the ``<h1>`` title, which the wiki page has as its heading.
    """
    return (
        _environment()
        .get_template("body.html.j2")
        .render(
            **doc.template_context(),
            sections=SECTION_TITLES,
            figures=document_figures(doc),
            embedded=embedded,
        )
    )


def render_html(doc: ModelDocument) -> bytes:
    """The whole document as one HTML file (UTF-8), styles and figures inline."""
    from .. import __version__

    text = (
        _environment()
        .get_template("document.html.j2")
        .render(
            **doc.template_context(),
            body=Markup(render_body(doc)),
            stylesheet=Markup(stylesheet()),
            tool_version=__version__,
        )
    )
    return text.encode("utf-8")


_SVG_START = re.compile(r"<svg\b")


def _inline_svg(data: bytes) -> Markup:
    """matplotlib's SVG without its XML prolog and DOCTYPE, ready to inline."""
    text = data.decode("utf-8")
    match = _SVG_START.search(text)
    return Markup(text[match.start() :] if match else "")
