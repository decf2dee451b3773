"""The document's figures: metrics against the policy's bounds, and the metric history.

One panel per metric, so that an AUC near 0.8 and a calibration error near 0.004 are
each readable on their own axis. Text from records (metric names) is drawn with math
parsing off: a name such as ``$\\foo$`` is shown as written, never interpreted.
matplotlib is imported here only, when a document with metrics is drawn. The output is
deterministic (fixed SVG hash salt, no dates in the metadata), so a document made twice
from one commit is byte-identical.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..site.plots import write_atomically
from .model import MetricEntry

# Bump when the drawing code changes, so cached figures are redrawn.
_STYLE_VERSION = "1"

_INK = "#1f2933"
_BAR = "#2f6f9f"
_MISS = "#b3261e"
_BOUND = "#5b3a00"


def metrics_figure(
    metrics: Sequence[MetricEntry], fmt: str, cache_dir: Path | None = None
) -> bytes | None:
    """Each recorded metric as a bar, with the policy's bound as a dashed line.

    Args:
        metrics: the document's metric entries (those without a value are skipped).
        fmt: ``svg`` or ``png``.
        cache_dir: where figures are kept by content hash (the site's plot cache).

    Returns:
        The figure's bytes, or None when no metric has a value.
    """
    drawn = [m for m in metrics if m.value is not None]
    if not drawn:
        return None
    payload = [[m.name, m.value, m.value_text, m.bound, m.state, m.minimum, m.maximum]
               for m in drawn]  # fmt: skip
    return _cached("metrics", fmt, payload, cache_dir, lambda: _draw_metrics(drawn, fmt))


def _draw_metrics(drawn: Sequence[MetricEntry], fmt: str) -> bytes:
    figure, panels = _figure(len(drawn), height=0.9)
    for axes, metric in zip(panels, drawn, strict=True):
        value = float(metric.value or 0.0)
        bounds = [b for b in (metric.minimum, metric.maximum) if b is not None]
        colour = _MISS if metric.state == "missed" else _BAR
        axes.barh([0], [value], color=colour, height=0.6)
        top = max([abs(value), *[abs(b) for b in bounds], 1e-12]) * 1.25
        axes.set_xlim(min(0.0, value * 1.25), top)
        for bound in bounds:
            axes.axvline(bound, color=_BOUND, linestyle="--", linewidth=1.4)
        label = f"{metric.name} = {metric.value_text}"
        if metric.bound:
            label += f"   (bound {metric.bound}: {metric.state})"
        axes.set_title(label, loc="left", fontsize=9, color=_INK, parse_math=False)
        axes.set_yticks([])
        _style(axes)
    return _save(figure, fmt)


def history_figure(
    history: dict[str, Sequence[Sequence[float]]], fmt: str, cache_dir: Path | None = None
) -> bytes | None:
    """The experiment's metric history, one panel per metric (step on the x axis)."""
    series = {name: points for name, points in sorted(history.items()) if points}
    if not series:
        return None
    payload = {name: [list(point) for point in points] for name, points in series.items()}
    return _cached("history", fmt, payload, cache_dir, lambda: _draw_history(series, fmt))


def _draw_history(series: dict[str, Sequence[Sequence[float]]], fmt: str) -> bytes:
    figure, panels = _figure(len(series), height=1.5)
    for axes, (name, points) in zip(panels, series.items(), strict=True):
        steps = [float(p[0]) for p in points]
        values = [float(p[1]) for p in points]
        axes.plot(steps, values, marker="o", markersize=3, linewidth=1.5, color=_BAR)
        axes.set_title(name, loc="left", fontsize=9, color=_INK, parse_math=False)
        axes.set_xlabel("step", fontsize=8, color=_INK)
        _style(axes)
    return _save(figure, fmt)


def _cached(
    kind: str, fmt: str, payload: Any, cache_dir: Path | None, draw: Callable[[], bytes]
) -> bytes:
    """The figure from ``cache_dir`` by content hash, or drawn (and kept there)."""
    if cache_dir is None:
        return draw()
    text = json.dumps([_STYLE_VERSION, kind, fmt, payload], sort_keys=True, default=str)
    key = hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]
    cached = cache_dir / f"document-{kind}-{key}.{fmt}"
    if cached.is_file():
        return cached.read_bytes()
    data = draw()
    write_atomically(cached, data)  # the site's plot cache writer
    return data


def _figure(panels: int, *, height: float) -> tuple[Any, list[Any]]:
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6.0, 0.5 + height * panels), dpi=110)
    axes = [figure.add_subplot(panels, 1, index + 1) for index in range(panels)]
    figure.subplots_adjust(left=0.06, right=0.97, top=0.95, bottom=0.08, hspace=0.9)
    return figure, axes


def _style(axes: Any) -> None:
    axes.tick_params(colors=_INK, labelsize=8)
    for spine in axes.spines.values():
        spine.set_color(_INK)
        spine.set_linewidth(0.6)
    axes.grid(True, axis="x", color=_INK, alpha=0.2, linewidth=0.5)


def _save(figure: Any, fmt: str) -> bytes:
    import matplotlib

    buffer = io.BytesIO()
    with matplotlib.rc_context(
        {"svg.hashsalt": "mkdocs-governance-document", "svg.fonttype": "none"}
    ):
        if fmt == "svg":
            figure.savefig(buffer, format="svg", metadata={"Date": None})
        else:
            figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()
