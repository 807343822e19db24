"""A small document model, rendered twice: Markdown for code-hosting pages, HTML for browsers.

The report builds one list of sections; each renderer turns it into its format, so the
two can never say different things. Figures (SVG) appear in the HTML only.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Paragraph:
    text: str  # may hold `code` spans, nothing else


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Code:
    text: str
    language: str = ""


@dataclass(frozen=True)
class Figure:
    svg: str
    caption: str


Block = Paragraph | Table | Code | Figure


@dataclass
class Section:
    title: str
    blocks: list[Block] = field(default_factory=list)


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown(title: str, sections: list[Section]) -> str:
    lines = [f"# {title}", ""]
    for section in sections:
        lines += [f"## {section.title}", ""]
        for block in section.blocks:
            if isinstance(block, Paragraph):
                lines += [block.text, ""]
            elif isinstance(block, Table):
                lines.append("| " + " | ".join(_md_cell(h) for h in block.header) + " |")
                lines.append("|" + "---|" * len(block.header))
                lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in block.rows]
                lines.append("")
            elif isinstance(block, Code):
                lines += [f"```{block.language}", block.text.rstrip("\n"), "```", ""]
            elif isinstance(block, Figure):
                lines += [f"*Figure in report.html: {block.caption}*", ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _inline(text: str) -> str:
    """Escape, then turn `code` spans into <code>."""
    parts = html.escape(text).split("`")
    return "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts))


STYLE = """
body { font: 15px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 72rem;
       padding: 0 1rem; color: #1b1f24; }
h1 { font-size: 1.7rem; } h2 { font-size: 1.3rem; margin-top: 2.2rem;
     border-bottom: 1px solid #d0d7de; }
table { border-collapse: collapse; margin: .6rem 0 1rem; font-size: 13px; }
th, td { border: 1px solid #d0d7de; padding: .2rem .45rem; text-align: left;
         vertical-align: top; }
th { background: #f6f8fa; }
code, pre { font-family: ui-monospace, monospace; font-size: 12.5px; }
pre { background: #f6f8fa; padding: .6rem; overflow-x: auto; }
figure { margin: 1rem 0; } figcaption { font-size: 13px; color: #57606a; }
nav a { margin-right: .8rem; }
"""


def page(title: str, sections: list[Section]) -> str:
    """A self-contained HTML page: inline CSS and SVG, no scripts, no network requests."""
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        "<nav>",
    ]
    out += [f'<a href="#s{i}">{html.escape(s.title)}</a>' for i, s in enumerate(sections)]
    out.append("</nav>")
    for i, section in enumerate(sections):
        out.append(f'<h2 id="s{i}">{html.escape(section.title)}</h2>')
        for block in section.blocks:
            if isinstance(block, Paragraph):
                out.append(f"<p>{_inline(block.text)}</p>")
            elif isinstance(block, Table):
                out.append(
                    "<table><thead><tr>"
                    + "".join(f"<th>{_inline(h)}</th>" for h in block.header)
                    + "</tr></thead><tbody>"
                )
                out += [
                    "<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in row) + "</tr>"
                    for row in block.rows
                ]
                out.append("</tbody></table>")
            elif isinstance(block, Code):
                out.append(f"<pre><code>{html.escape(block.text)}</code></pre>")
            elif isinstance(block, Figure):
                out.append(
                    f"<figure>{block.svg}<figcaption>{html.escape(block.caption)}"
                    "</figcaption></figure>"
                )
    out.append("</body></html>")
    return "\n".join(out) + "\n"
