"""A model's lineage (datasets → experiments → versions → decisions) drawn at build time.

The diagram is a plain SVG file written beside the pages, so the wiki needs no
JavaScript diagram library and no network: an intranet reader sees it drawn, and
no page calls a CDN. Every label is XML-escaped text inside the SVG (record text
cannot become markup), long labels are shortened with the full text in a
``<title>`` tooltip, and the page carries the same graph as a text list for
screen readers and copy-paste.

Layout: one column per kind, nodes stacked in a column in the order given, edges
as curves from the right side of a node to the left side of the next column's.
"""

from __future__ import annotations

import hashlib
import html
from dataclasses import dataclass, field

# Column order and the fill of each kind's boxes: opaque pastel fills with dark
# text keep a 7:1 contrast whatever the page behind the image (light or dark).
KINDS = ("dataset", "experiment", "version", "decision")
_FILLS = {
    "dataset": "#dbeafe",
    "experiment": "#fef3c7",
    "version": "#dcfce7",
    "decision": "#f3e8ff",
}
_STROKES = {
    "dataset": "#1d4ed8",
    "experiment": "#a16207",
    "version": "#15803d",
    "decision": "#7e22ce",
}
_TEXT = "#111827"
_EDGE = "#6b7280"
_BOX_WIDTH = 200
_BOX_HEIGHT = 36
_COLUMN_GAP = 56
_ROW_GAP = 12
_MARGIN = 10
_LABEL_LIMIT = 27
_HEADER = 24
_HEADERS = {"dataset": "Datasets", "experiment": "Experiments", "version": "Versions",
            "decision": "Decisions"}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Node:
    """One box: ``kind`` is one of ``KINDS``; ``text`` is drawn (shortened), ``label``
    is the full description (tooltip and text alternative)."""

    key: str
    kind: str
    label: str
    text: str


@dataclass(slots=True)
class Graph:
    """The lineage of one model: nodes in insertion order and directed edges."""

    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[tuple[str, str, bool]] = field(default_factory=list)

    def node(self, kind: str, record_id: str, label: str, text: str | None = None) -> str:
        """Add (once) the node of ``record_id`` of ``kind`` and return its key."""
        key = f"{kind}:{record_id}"
        if key not in self.nodes:
            self.nodes[key] = Node(key, kind, label, text if text is not None else record_id)
        return key

    def edge(self, source: str, target: str, dashed: bool = False) -> None:
        """Add an edge ``source → target`` (once); dashed for a weaker link."""
        if (source, target, dashed) not in self.edges:
            self.edges.append((source, target, dashed))

    def lines(self) -> list[str]:
        """The graph as text, one edge a line (the diagram's text alternative)."""
        out = [
            f"{self.nodes[s].label} → {self.nodes[t].label}"
            for s, t, _ in self.edges
            if s in self.nodes and t in self.nodes
        ]
        linked = {k for s, t, _ in self.edges for k in (s, t)}
        out += [n.label for key, n in self.nodes.items() if key not in linked]
        return out

    def digest(self) -> str:
        """A content hash of the drawing: the asset's file name."""
        text = repr((list(self.nodes.values()), self.edges, _STYLE))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


_STYLE = "2"


def _short(label: str) -> str:
    return label if len(label) <= _LABEL_LIMIT else label[: _LABEL_LIMIT - 1] + "…"


def draw_svg(graph: Graph, title: str) -> bytes:
    """The lineage as a standalone SVG document (UTF-8 bytes)."""
    columns = [[n for n in graph.nodes.values() if n.kind == kind] for kind in KINDS]
    columns = [c for c in columns if c]
    position: dict[str, tuple[float, float]] = {}
    rows = max((len(c) for c in columns), default=1)
    height = _MARGIN * 2 + _HEADER + rows * _BOX_HEIGHT + (rows - 1) * _ROW_GAP
    width = _MARGIN * 2 + len(columns) * _BOX_WIDTH + max(len(columns) - 1, 0) * _COLUMN_GAP
    parts: list[str] = []
    for index, column in enumerate(columns):
        x = _MARGIN + index * (_BOX_WIDTH + _COLUMN_GAP)
        # Centre a short column against the tallest one.
        used = len(column) * _BOX_HEIGHT + (len(column) - 1) * _ROW_GAP
        top = _MARGIN + _HEADER + (height - 2 * _MARGIN - _HEADER - used) / 2
        parts.append(
            f'<text x="{x + _BOX_WIDTH / 2:.1f}" y="{_MARGIN + 12}" text-anchor="middle" '
            f'font-size="12" font-weight="bold" fill="{_EDGE}">{_HEADERS[column[0].kind]}</text>'
        )
        for row, node in enumerate(column):
            y = top + row * (_BOX_HEIGHT + _ROW_GAP)
            position[node.key] = (x, y)
    for source, target, dashed in graph.edges:
        if source not in position or target not in position:
            continue
        sx, sy = position[source]
        tx, ty = position[target]
        x1, y1 = sx + _BOX_WIDTH, sy + _BOX_HEIGHT / 2
        x2, y2 = tx - 2, ty + _BOX_HEIGHT / 2
        if tx <= sx:  # same column (never expected): a short hook to the right
            x2 = tx + _BOX_WIDTH + 2
        bend = max(abs(x2 - x1) / 2, 20)
        dash = ' stroke-dasharray="5 4"' if dashed else ""
        parts.append(
            f'<path d="M{x1:.1f},{y1:.1f} C{x1 + bend:.1f},{y1:.1f} {x2 - bend:.1f},{y2:.1f} '
            f'{x2:.1f},{y2:.1f}" fill="none" stroke="{_EDGE}" stroke-width="1.5"{dash} '
            f'marker-end="url(#arrow)"/>'
        )
    for key, (left, top_y) in position.items():
        node = graph.nodes[key]
        rx = 17 if node.kind == "experiment" else 4
        label = html.escape(_short(node.text), quote=True)
        full = html.escape(node.label, quote=True)
        parts.append(
            f'<g><title>{full}</title><rect x="{left:.1f}" y="{top_y:.1f}" width="{_BOX_WIDTH}" '
            f'height="{_BOX_HEIGHT}" rx="{rx}" fill="{_FILLS[node.kind]}" '
            f'stroke="{_STROKES[node.kind]}" stroke-width="1.5"/>'
            f'<text x="{left + _BOX_WIDTH / 2:.1f}" y="{top_y + _BOX_HEIGHT / 2 + 4:.1f}" '
            f'text-anchor="middle" font-size="12" fill="{_TEXT}">{label}</text></g>'
        )
    escaped_title = html.escape(title, quote=True)
    svg = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" '
        "font-family=\"-apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, Helvetica, "
        f'Arial, sans-serif"><title>{escaped_title}</title>'
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        f'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        f'fill="{_EDGE}"/></marker></defs>' + "".join(parts) + "</svg>\n"
    )
    return svg.encode("utf-8")
