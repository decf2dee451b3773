"""Metric plots as SVG, drawn with matplotlib and cached by content hash.

A plot is described by a small, hashable spec; its SVG is drawn only when the
cache has no file for that spec's hash, so an unchanged plot is not redrawn on a
rebuild. Plots are drawn on a transparent background with mid-grey text and axes
so they read on Material's light and dark schemes alike.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

# Mid-grey reads on white and on Material's slate background.
_INK = "#8a8f98"
# A colour-blind-safe cycle (Okabe-Ito) that keeps contrast on both schemes.
_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
# Bump when the drawing code changes so cached plots are redrawn.
_STYLE_VERSION = "5"


@dataclass(frozen=True, slots=True)
class Series:
    """One line (or bar group) of a plot: ``points`` are (x, y) pairs.

    ``x`` may be a number or a category label (versions, experiment ids).
    """

    label: str
    points: tuple[tuple[float | str, float], ...]


@dataclass(frozen=True, slots=True)
class PlotSpec:
    """Everything that determines a plot's pixels."""

    kind: str  # "line" (values along a sequence), "dot" (one value per category) or "bar"
    title: str
    x_label: str
    y_label: str
    series: tuple[Series, ...]

    def digest(self) -> str:
        """A content hash of the spec: the cache key and the file name."""
        payload = json.dumps(
            {
                "style": _STYLE_VERSION,
                "kind": self.kind,
                "title": self.title,
                "x": self.x_label,
                "y": self.y_label,
                "series": [[s.label, [list(p) for p in s.points]] for s in self.series],
            },
            sort_keys=True,
            ensure_ascii=False,
            default=str,
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:20]


class PlotCache:
    """SVG files by content hash in ``directory``; counts what it drew."""

    def __init__(self, directory: Path | None):
        self.directory = directory
        self.drawn = 0
        self.reused = 0

    def svg(self, spec: PlotSpec) -> bytes:
        """The SVG for ``spec``: from the cache, or drawn and stored."""
        key = spec.digest()
        cached = self.directory / f"{key}.svg" if self.directory else None
        if cached is not None and cached.is_file():
            self.reused += 1
            return cached.read_bytes()
        data = draw_svg(spec)
        self.drawn += 1
        if cached is not None:
            write_atomically(cached, data)
        return data


def write_atomically(target: Path, data: bytes) -> None:
    """Write via a temp file and rename so a concurrent build never reads half a file."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temp, target)
    except OSError:
        # A read-only or missing cache only costs a redraw next time.
        return


def draw_svg(spec: PlotSpec) -> bytes:
    """Draw ``spec`` with matplotlib's Agg machinery and return the SVG bytes.

    Every text on a plot (title, axis labels, tick labels, legend) comes from
    records, and record text is never interpreted: matplotlib's mathtext is off for
    the whole drawing, so a metric named ``$\\foo$`` is drawn as written.
    """
    import matplotlib

    with matplotlib.rc_context({"text.parse_math": False}):
        return _draw_svg(spec)


def _draw_svg(spec: PlotSpec) -> bytes:
    import io

    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    # A Figure without pyplot: no global state, safe to use from a serve thread.
    # About the width it is shown at (two panels a row), so its text stays ~10 px.
    figure = Figure(figsize=(4.4, 2.9), dpi=100)
    figure.patch.set_alpha(0.0)
    axes = figure.add_subplot(1, 1, 1)
    axes.set_facecolor("none")
    categories = _categories(spec.series)
    for index, series in enumerate(spec.series):
        colour = _COLOURS[index % len(_COLOURS)]
        xs = [float(categories.index(str(x))) if categories else float(x) for x, _ in series.points]
        ys = [y for _, y in series.points]
        if spec.kind == "bar":
            width = 0.8 / max(len(spec.series), 1)
            offset = (index - (len(spec.series) - 1) / 2) * width
            axes.bar([x + offset for x in xs], ys, width=width, color=colour, label=series.label)
        else:
            # "dot": one marker per category, no line (experiments are not a sequence);
            # the y axis is fitted to the values so small differences stay visible.
            line = "none" if spec.kind == "dot" else "-"
            size = 7 if spec.kind == "dot" else 4
            axes.plot(xs, ys, linestyle=line, marker="o", markersize=size, linewidth=1.8,
                      color=colour, label=series.label)  # fmt: skip
            if len(ys) <= 12 and len(spec.series) <= 3:
                for x, y in zip(xs, ys, strict=True):
                    axes.annotate(f"{y:.3g}", (x, y), textcoords="offset points", xytext=(0, 6),
                                  ha="center", fontsize=8, color=_INK)  # fmt: skip
    axes.margins(x=0.15 if categories else 0.08, y=0.18)
    # Long or many category labels (experiment ids) are slanted so none is clipped.
    rotated = bool(categories) and (len(categories) > 4 or sum(map(len, categories)) > 36)
    if categories:
        axes.set_xticks(range(len(categories)))
        # Long ids are shortened so a slanted label never leaves the figure.
        labels = [c if len(c) <= 20 else c[:19] + "…" for c in categories]
        axes.set_xticklabels(
            labels, rotation=25 if rotated else 0, ha="right" if rotated else "center"
        )
    axes.set_title(spec.title, color=_INK, fontsize=12)
    axes.set_xlabel(spec.x_label, color=_INK, fontsize=11)
    axes.set_ylabel(spec.y_label, color=_INK, fontsize=11)
    axes.tick_params(colors=_INK, labelsize=10)
    for spine in axes.spines.values():
        spine.set_color(_INK)
    axes.grid(True, color=_INK, alpha=0.25, linewidth=0.6)
    if len(spec.series) > 1:
        legend = axes.legend(fontsize=8, frameon=False)
        for text in legend.get_texts():
            text.set_color(_INK)
    # Fixed margins instead of tight_layout: it draws the figure a second time,
    # which doubles the cost of a cold build's plots.
    figure.subplots_adjust(left=0.2, right=0.95, top=0.88, bottom=0.36 if rotated else 0.2)
    buffer = io.BytesIO()
    # A fixed hash salt and no date make the SVG byte-identical across runs.
    with matplotlib.rc_context({"svg.hashsalt": "mkdocs-governance", "svg.fonttype": "none"}):
        figure.savefig(buffer, format="svg", transparent=True, metadata={"Date": None})
    return buffer.getvalue()


def _categories(series: Sequence[Series]) -> list[str]:
    """The category labels when any x value is text, in first-seen order."""
    if all(isinstance(x, int | float) and not math.isnan(x) for s in series for x, _ in s.points):
        return []
    seen: list[str] = []
    for one in series:
        for x, _ in one.points:
            if str(x) not in seen:
                seen.append(str(x))
    return seen
