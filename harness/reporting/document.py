"""A small document model, rendered twice: Markdown for code-hosting pages, HTML for browsers.

The report builds one list of sections; each renderer turns it into its format, so the
two can never say different things. Figures (SVG) appear in the HTML only. Every section and
every anchored table row has a stable id to link to; appendices come last, collapsed in the
HTML. The page fits any screen: wide tables scroll in their own box and figures scale down.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Paragraph:
    text: str  # may hold `code` spans, nothing else


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    anchors: tuple[str, ...] = ()  # one id per row to link to (HTML), or none


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
    appendix: bool = False  # after the main part; collapsed in the HTML
    html_only: bool = False  # a chart with nothing to say in Markdown

    @property
    def anchor(self) -> str:
        """A stable id from the title: 'Porting recipes' -> 'porting-recipes'."""
        return re.sub(r"[^a-z0-9]+", "-", self.title.lower()).strip("-")


def _ordered(sections: list[Section]) -> list[Section]:
    return [s for s in sections if not s.appendix] + [s for s in sections if s.appendix]


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown(title: str, sections: list[Section]) -> str:
    lines = [f"# {title}", ""]
    appendices = False
    for section in _ordered([s for s in sections if not s.html_only]):
        if section.appendix and not appendices:
            appendices = True
            lines += ["---", "", "# Appendices", ""]
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


_URL = re.compile(r"https?://[^\s<>&\"'`]+[^\s<>&\"'`.,;:)\]]")


_ANCHOR = re.compile(r"(?<![\w&])#((?:registry|finding|recipe)-[a-z0-9.-]*[a-z0-9])")


def _links(escaped: str) -> str:
    """Addresses and the report's own anchors (#finding-..., #registry-...) as links."""
    escaped = _URL.sub(lambda m: f'<a href="{m[0]}">{m[0]}</a>', escaped)
    return _ANCHOR.sub(lambda m: f'<a href="#{m[1]}">#{m[1]}</a>', escaped)


def _inline(text: str) -> str:
    """Escape, turn `code` spans into <code> and addresses outside them into links."""
    parts = html.escape(text).split("`")
    return "".join(f"<code>{p}</code>" if i % 2 else _links(p) for i, p in enumerate(parts))


STYLE = """
body { font: 15px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 72rem;
       padding: 0 1rem; color: #1b1f24; }
h1 { font-size: 1.7rem; } h2 { font-size: 1.3rem; margin-top: 2.2rem;
     border-bottom: 1px solid #d0d7de; }
.scroll { overflow-x: auto; max-width: 100%; margin: .6rem 0 1rem; }
table { border-collapse: collapse; font-size: 13px; }
tr:target { background: #fff3bf; }
th, td { border: 1px solid #d0d7de; padding: .2rem .45rem; text-align: left;
         vertical-align: top; }
th { background: #f6f8fa; }
code, pre { font-family: ui-monospace, monospace; font-size: 12.5px; }
pre { background: #f6f8fa; padding: .6rem; overflow-x: auto; }
figure { margin: 1rem 0; } figcaption { font-size: 13px; color: #57606a; }
figure svg { max-width: 100%; height: auto; }
p, td, li { overflow-wrap: anywhere; }
nav a { margin-right: .8rem; display: inline-block; }
details > summary { cursor: pointer; } details > summary h2 { display: inline; }
"""


def _block(block: Block, out: list[str]) -> None:
    if isinstance(block, Paragraph):
        out.append(f"<p>{_inline(block.text)}</p>")
    elif isinstance(block, Table):
        out.append(
            '<div class="scroll"><table><thead><tr>'
            + "".join(f"<th>{_inline(h)}</th>" for h in block.header)
            + "</tr></thead><tbody>"
        )
        anchors = block.anchors or ("",) * len(block.rows)
        out += [
            (f'<tr id="{html.escape(anchor)}">' if anchor else "<tr>")
            + "".join(f"<td>{_inline(c)}</td>" for c in row)
            + "</tr>"
            for row, anchor in zip(block.rows, anchors, strict=True)
        ]
        out.append("</tbody></table></div>")
    elif isinstance(block, Code):
        out.append(f"<pre><code>{html.escape(block.text)}</code></pre>")
    elif isinstance(block, Figure):
        out.append(
            f"<figure>{block.svg}<figcaption>{html.escape(block.caption)}</figcaption></figure>"
        )


def page(title: str, sections: list[Section]) -> str:
    """A self-contained HTML page: inline CSS and SVG, no scripts, no network requests."""
    ordered = _ordered(sections)
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(title)}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        "<nav>",
    ]
    out += [f'<a href="#{s.anchor}">{html.escape(s.title)}</a>' for s in ordered]
    out.append("</nav>")
    for section in ordered:
        heading = f'<h2 id="{section.anchor}">{html.escape(section.title)}</h2>'
        if section.appendix:
            out.append(f"<details><summary>{heading}</summary>")
        else:
            out.append(heading)
        for block in section.blocks:
            _block(block, out)
        if section.appendix:
            out.append("</details>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"
