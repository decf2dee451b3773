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
from pathlib import Path

import jinja2
from markupsafe import Markup

from ..site import safety
from . import figures
from .model import SECTION_TITLES, ModelDocument


@dataclass(frozen=True, slots=True)
class Figure:
    """A figure: its SVG, as inline markup, and the caption that says what it shows."""

    svg: bytes
    caption: str

    @property
    def markup(self) -> Markup:
        """The SVG without its XML prolog, to inline in HTML."""
        return _inline_svg(self.svg)


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


def document_figures(doc: ModelDocument, cache_dir: Path | None = None) -> list[Figure]:
    """The performance figures (SVG), with captions that state their numbers."""
    drawn = []
    metrics_svg = figures.metrics_figure(doc.metrics, "svg", cache_dir)
    if metrics_svg is not None:
        numbers = "; ".join(
            f"{m.name} {m.value_text}" + (f" (bound {m.bound}: {m.state})" if m.bound else "")
            for m in doc.metrics
            if m.value is not None
        )
        caption = f"Metrics of {doc.key}: {numbers}."
        drawn.append(Figure(metrics_svg, caption))
    history_svg = figures.history_figure(dict(doc.metric_history), "svg", cache_dir)
    if history_svg is not None:
        last = "; ".join(
            f"{name} {points[-1][1]:.6g} at step {points[-1][0]:g}"
            for name, points in sorted(doc.metric_history.items())
            if points
        )
        caption = f"Training history of the experiment: {last}."
        drawn.append(Figure(history_svg, caption))
    return drawn


def render_body(doc: ModelDocument, *, embedded: str = "") -> str:
    """The document's body: what the file, the PDF and the wiki page show.

    ``embedded`` (the wiki page) leaves out the wrapper and the ``<h1>`` title, which
    the page has as its heading, and puts this marker where the figures go, for the
    page to show them as images (its HTML is sanitised and keeps no inline SVG).
    """
    return (
        _environment()
        .get_template("body.html.j2")
        .render(
            **doc.template_context(),
            sections=SECTION_TITLES,
            figures=[] if embedded else document_figures(doc),
            embedded=bool(embedded),
            figures_marker=embedded,
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
