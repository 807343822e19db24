"""Inline SVG charts: a heatmap, stacked bars and a line chart, written by hand so the report
needs nothing. Colours come from viridis (readable with every common colour-vision deficiency);
every chart has a legend and axis titles, and scales to the width of the page (viewBox)."""

from __future__ import annotations

from html import escape

# viridis at 0, 0.25, 0.5, 0.75, 1
_VIRIDIS = ((68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37))


def _colour(share: float) -> str:
    """Viridis: dark purple at 0, teal at 0.5, yellow at 1."""
    share = min(max(share, 0.0), 1.0) * (len(_VIRIDIS) - 1)
    i = min(int(share), len(_VIRIDIS) - 2)
    t = share - i
    red, green, blue = (
        round(a + (b - a) * t) for a, b in zip(_VIRIDIS[i], _VIRIDIS[i + 1], strict=True)
    )
    return f"rgb({red},{green},{blue})"


def _ink(share: float) -> str:
    """Text colour that reads on the cell's colour."""
    return "#000" if share >= 0.55 else "#fff"


def _svg(width: float, height: float) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="system-ui, sans-serif" '
        'font-size="11" role="img">'
    )


def _legend(x: float, y: float) -> list[str]:
    """The colour scale, 0% to 100%, with its unit."""
    out = [f'<text x="{x}" y="{y + 9}">share agreeing:</text>']
    x += 92
    for step in range(11):
        out.append(
            f'<rect x="{x + 16 * step}" y="{y}" width="16" height="10" '
            f'fill="{_colour(step / 10)}"/>'
        )
    out.append(f'<text x="{x}" y="{y + 22}">0%</text>')
    out.append(f'<text x="{x + 80}" y="{y + 22}" text-anchor="middle">50%</text>')
    out.append(f'<text x="{x + 176}" y="{y + 22}" text-anchor="end">100%</text>')
    out.append(f'<text x="{x + 184}" y="{y + 9}">no cases:</text>')
    out.append(f'<rect x="{x + 236}" y="{y}" width="16" height="10" fill="#eef0f2"/>')
    return out


def heatmap(
    rows: list[str],
    cols: list[str],
    cells: dict[tuple[str, str], tuple[int, int]],
    row_title: str,
    col_title: str,
) -> str:
    """cells[(row, col)] = (agreeing, total); the cell shows agreeing/total as a percentage."""
    cell, left = 46, 12 + 7 * max((len(r) for r in rows), default=4)
    top = 30 + 6 * max((len(c) for c in cols), default=4)
    overhang = 5 * max((len(c) for c in cols), default=4)  # the last rotated column label
    width, height = left + cell * len(cols) + overhang, top + cell * len(rows) + 40
    out = [
        _svg(max(width, 360), height),
        f'<text x="4" y="12" font-weight="bold">rows: {escape(row_title)}; '
        f"columns: {escape(col_title)}</text>",
        *_legend(4, top + cell * len(rows) + 8),
    ]
    for j, col in enumerate(cols):
        x = left + j * cell + cell / 2
        out.append(f'<text transform="translate({x},{top - 6}) rotate(-55)">{escape(col)}</text>')
    for i, row in enumerate(rows):
        y = top + i * cell
        out.append(
            f'<text x="{left - 6}" y="{y + cell / 2 + 4}" text-anchor="end">{escape(row)}</text>'
        )
        for j, col in enumerate(cols):
            x = left + j * cell
            agreeing, total = cells.get((row, col), (0, 0))
            if total == 0:
                out.append(
                    f'<rect x="{x}" y="{y}" width="{cell - 2}" height="{cell - 2}" fill="#eef0f2"/>'
                )
                continue
            share = agreeing / total
            out.append(
                f'<rect x="{x}" y="{y}" width="{cell - 2}" height="{cell - 2}" '
                f'fill="{_colour(share)}"><title>{escape(row)} / {escape(col)}: '
                f"{agreeing}/{total}</title></rect>"
            )
            out.append(
                f'<text x="{x + cell / 2 - 1}" y="{y + cell / 2 + 3}" fill="{_ink(share)}" '
                f'text-anchor="middle">{100 * share:.0f}%</text>'
            )
    out.append("</svg>")
    return "".join(out)


def stacked_bars(
    labels: list[str], series: dict[str, list[int]], colours: dict[str, str], unit: str
) -> str:
    """One horizontal bar per label, split into the series, with a legend; `unit` says what
    one count is."""
    left, bar, gap, scale_width = 12 + 7 * max((len(s) for s in labels), default=4), 16, 6, 420
    totals = [sum(values[i] for values in series.values()) for i in range(len(labels))]
    most = max(totals + [1])
    height = 30 + len(labels) * (bar + gap) + 24
    legend_end = left + sum(24 + 7 * len(name) for name in series)
    out = [
        _svg(max(left + scale_width + 40, legend_end), height),
        f'<text x="{left}" y="{height - 6}">bar length: {escape(unit)}</text>',
    ]
    x_legend = left
    for name in series:
        out.append(
            f'<rect x="{x_legend}" y="4" width="10" height="10" fill="{colours[name]}"/>'
            f'<text x="{x_legend + 14}" y="13">{escape(name)}</text>'
        )
        x_legend += 24 + 7 * len(name)
    for i, label in enumerate(labels):
        y = 28 + i * (bar + gap)
        out.append(f'<text x="{left - 6}" y="{y + 12}" text-anchor="end">{escape(label)}</text>')
        x = float(left)
        for name, values in series.items():
            w = scale_width * values[i] / most
            if w > 0:
                out.append(
                    f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar}" '
                    f'fill="{colours[name]}"><title>{escape(label)}: {escape(name)} '
                    f"{values[i]}</title></rect>"
                )
            x += w
        out.append(f'<text x="{x + 4:.1f}" y="{y + 12}">{totals[i]}</text>')
    out.append("</svg>")
    return "".join(out)


def lines(
    dates: list[str], series: dict[str, list[float]], colours: dict[str, str], unit: str
) -> str:
    """One line per series over the dates (oldest first), with a legend and the unit on the
    vertical axis."""
    left, top, plot_w, plot_h = 60, 30, 420, 160
    most = max([v for values in series.values() for v in values] + [1.0])
    step = plot_w / max(len(dates) - 1, 1)
    out = [
        _svg(left + plot_w + 40, top + plot_h + 50),
        f'<text x="4" y="{top + plot_h / 2}" transform="rotate(-90 10,{top + plot_h / 2})">'
        f"{escape(unit)}</text>",
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" '
        'stroke="#57606a"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#57606a"/>',
        f'<text x="{left - 4}" y="{top + 4}" text-anchor="end">{most:g}</text>',
        f'<text x="{left - 4}" y="{top + plot_h}" text-anchor="end">0</text>',
    ]
    x_legend = left
    for name, values in series.items():
        points = " ".join(
            f"{left + i * step:.1f},{top + plot_h - plot_h * v / most:.1f}"
            for i, v in enumerate(values)
        )
        out.append(
            f'<polyline fill="none" stroke="{colours[name]}" stroke-width="2" points="{points}"/>'
        )
        out.append(
            f'<rect x="{x_legend}" y="6" width="10" height="10" fill="{colours[name]}"/>'
            f'<text x="{x_legend + 14}" y="15">{escape(name)}</text>'
        )
        x_legend += 24 + 7 * len(name)
    for i, date in enumerate(dates):
        out.append(
            f'<text x="{left + i * step:.1f}" y="{top + plot_h + 16}" '
            f'text-anchor="middle">{escape(date[:10])}</text>'
        )
    out.append("</svg>")
    return "".join(out)
