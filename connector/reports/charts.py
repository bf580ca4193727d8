"""The dashboard's charts, drawn by Plotly (its script is inlined once, so the page works offline).

Each function returns the ``<div>`` of one chart as markup; :func:`plotly_script` is the
library itself, which the page embeds in its ``<head>``. Plotly reads a few HTML tags
and entities inside labels (``<b>``, ``<a>``, ``&lt;``), so CRM-supplied labels are
HTML-escaped first and show as the literal text they are; the figure JSON itself is
emitted by Plotly with ``<``, ``>`` and ``/`` escaped, so no label can end the script.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from functools import cache
from itertools import count

import plotly.graph_objects as go
from markupsafe import Markup
from plotly.offline import get_plotlyjs

#: Colour-blind-safe palette (Okabe-Ito), one colour per series.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#999999")

_ROW_PX = 26
_CONFIG = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["select2d"]}
_ids = count(1)


@cache
def plotly_script() -> Markup:
    """The Plotly library as one inline ``<script>`` (a few MB; no network needed)."""
    # The bundle is the library's own minified file; it contains no "</script>".
    return Markup(f"<script>{get_plotlyjs()}</script>")  # noqa: S704 - trusted library source


def _label(text: object) -> str:
    return html.escape(str(text), quote=False)


def _layout(title: str, height: int, **extra: object) -> dict[str, object]:
    return {
        "title": {"text": _label(title), "x": 0, "font": {"size": 14}},
        "height": height,
        "margin": {"l": 10, "r": 20, "t": 40, "b": 30},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "#ffffff",
        "font": {"family": "system-ui, sans-serif", "size": 12},
        **extra,
    }


def _div(figure: go.Figure, name: str) -> Markup:
    div = figure.to_html(
        full_html=False,
        include_plotlyjs=False,
        div_id=f"chart-{name}-{next(_ids)}",
        config=_CONFIG,
        default_width="100%",
    )
    return Markup(f'<div class="chart" data-chart="{html.escape(name)}">{div}</div>')  # noqa: S704 - Plotly's own div; the name is escaped


def empty_chart(title: str) -> Markup:
    """A note in place of a chart that has no data for this selection."""
    return Markup('<p class="note">{}: nothing to show for this selection.</p>').format(title)


def bar_chart(
    name: str,
    title: str,
    items: Sequence[tuple[str, float, str]],
    *,
    color: str = PALETTE[0],
) -> Markup:
    """Horizontal bars, first item on top: ``(label, value, value as text)`` each."""
    if not items:
        return empty_chart(title)
    labels = [_label(label) for label, _, _ in items]
    figure = go.Figure(
        go.Bar(
            x=[value for _, value, _ in items],
            y=labels,
            orientation="h",
            text=[_label(text) for _, _, text in items],
            textposition="auto",
            marker_color=color,
            hovertemplate="%{y}: %{text}<extra></extra>",
        ),
        layout=_layout(
            title,
            60 + _ROW_PX * len(items),
            yaxis={"autorange": "reversed", "automargin": True},
            xaxis={"automargin": True},
        ),
    )
    return _div(figure, name)


def funnel_chart(name: str, title: str, stages: Sequence[tuple[str, int]]) -> Markup:
    """A funnel of stages with their counts and share of the first stage."""
    if not stages or not stages[0][1]:
        return empty_chart(title)
    figure = go.Figure(
        go.Funnel(
            y=[_label(stage) for stage, _ in stages],
            x=[n for _, n in stages],
            textinfo="value+percent initial",
            marker={"color": list(PALETTE[: len(stages)])},
        ),
        layout=_layout(title, 80 + 60 * len(stages), yaxis={"automargin": True}),
    )
    return _div(figure, name)


def stacked_bars(
    name: str,
    title: str,
    categories: Sequence[str],
    series: Sequence[str],
    values: Mapping[tuple[str, str], float],
) -> Markup:
    """One horizontal bar per category, split into ``series`` (``values[(category, s)]``)."""
    if not categories:
        return empty_chart(title)
    labels = [_label(c) for c in categories]
    traces = [
        go.Bar(
            name=_label(part),
            x=[values.get((category, part), 0) for category in categories],
            y=labels,
            orientation="h",
            marker_color=PALETTE[i % len(PALETTE)],
        )
        for i, part in enumerate(series)
    ]
    figure = go.Figure(
        traces,
        layout=_layout(
            title,
            110 + _ROW_PX * 1.6 * len(categories),
            barmode="stack",
            yaxis={"autorange": "reversed", "automargin": True},
            legend={"orientation": "h", "y": -0.2},
        ),
    )
    return _div(figure, name)


def heat_map(
    name: str,
    title: str,
    rows: Sequence[str],
    columns: Sequence[str],
    values: Mapping[tuple[str, str], float],
) -> Markup:
    """A matrix (``values[(row, column)]``) with each cell's number written in it."""
    if not rows or not columns:
        return empty_chart(title)
    z = [[values.get((r, c), 0) for c in columns] for r in rows]
    figure = go.Figure(
        go.Heatmap(
            z=z,
            x=[_label(c) for c in columns],
            y=[_label(r) for r in rows],
            text=[[f"{v:,}" if v else "" for v in line] for line in z],
            texttemplate="%{text}",
            colorscale="Blues",
            showscale=False,
            hovertemplate="%{y} -> %{x}: %{z}<extra></extra>",
        ),
        layout=_layout(
            title,
            120 + 36 * len(rows),
            xaxis={"side": "top", "title": {"text": "to"}, "automargin": True},
            yaxis={"autorange": "reversed", "title": {"text": "from"}, "automargin": True},
        ),
    )
    return _div(figure, name)


def line_chart(name: str, title: str, series: Mapping[str, Sequence[tuple[str, float]]]) -> Markup:
    """One line per series over text periods (``YYYY-MM`` or week starts)."""
    if not any(series.values()):
        return empty_chart(title)
    traces = [
        go.Scatter(
            name=_label(label),
            x=[period for period, _ in points],
            y=[value for _, value in points],
            mode="lines+markers",
            line={"color": PALETTE[i % len(PALETTE)]},
        )
        for i, (label, points) in enumerate(series.items())
    ]
    figure = go.Figure(
        traces,
        layout=_layout(title, 320, xaxis={"type": "category"}, legend={"orientation": "h"}),
    )
    return _div(figure, name)


__all__ = [
    "PALETTE",
    "bar_chart",
    "empty_chart",
    "funnel_chart",
    "heat_map",
    "line_chart",
    "plotly_script",
    "stacked_bars",
]
