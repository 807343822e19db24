"""Inline SVG charts: a heatmap and stacked bars, written by hand so the report needs nothing."""

from __future__ import annotations

from html import escape


def _colour(share: float) -> str:
    """Red at 0, amber at 0.5, green at 1."""
    share = min(max(share, 0.0), 1.0)
    if share < 0.5:
        red, green = 220, int(60 + 300 * share)
    else:
        red, green = int(220 - 380 * (share - 0.5)), 210
    return f"rgb({red},{green},90)"


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
    width, height = left + cell * len(cols) + overhang, top + cell * len(rows) + 10
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{max(width, 320)}" height="{height}" '
        f'font-family="system-ui, sans-serif" font-size="11" role="img">',
        f'<text x="4" y="12" font-weight="bold">rows: {escape(row_title)}; '
        f"columns: {escape(col_title)}</text>",
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
                f'<text x="{x + cell / 2 - 1}" y="{y + cell / 2 + 3}" '
                f'text-anchor="middle">{100 * share:.0f}%</text>'
            )
    out.append("</svg>")
    return "".join(out)


def stacked_bars(labels: list[str], series: dict[str, list[int]], colours: dict[str, str]) -> str:
    """One horizontal bar per label, split into the series, with a legend."""
    left, bar, gap, scale_width = 12 + 7 * max((len(s) for s in labels), default=4), 16, 6, 420
    totals = [sum(values[i] for values in series.values()) for i in range(len(labels))]
    most = max(totals + [1])
    height = 30 + len(labels) * (bar + gap) + 20
    legend_end = left + sum(24 + 7 * len(name) for name in series)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" '
        f'width="{max(left + scale_width + 40, legend_end)}" height="{height}" '
        'font-family="system-ui, sans-serif" font-size="11" role="img">'
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
