"""A self-contained HTML page from the Markdown the reports write: figures inlined, no assets.

Only the Markdown the reports themselves produce is understood: ``#`` headings, paragraphs,
``-`` lists, ``|`` tables, fenced code, ``**bold**``, ```code``` and images, whose PNG bytes
are given by path and inlined as base64 ``data:`` URIs (no external file, script or style).

Example:
    >>> page = markdown_to_html("# Title\\n\\nSome **bold** `code`.\\n\\n| a | b |\\n|---|---|\\n| 1 | 2 |\\n\\n![fig](plots/f.png)",
    ...                         images={"plots/f.png": b"PNG"}, title="t")
    >>> "<h1>Title</h1>" in page, "<strong>bold</strong>" in page, "<td>1</td>" in page
    (True, True, True)
    >>> 'src="data:image/png;base64,UE5H"' in page, "http" in page
    (True, False)
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Mapping

_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:980px;margin:2em auto;padding:0 1em;"
    "line-height:1.45;color:#222}table{border-collapse:collapse;margin:1em 0;font-size:14px}"
    "td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}th{background:#f3f3f3}"
    "code{background:#f3f3f3;padding:0 3px}pre{background:#f6f6f6;padding:8px;overflow-x:auto}"
    "img{max-width:100%}"
)
_IMAGE = re.compile(r"^!\[([^\]]*)\]\(([^)]+)\)$")


def _inline(text: str) -> str:
    out = html.escape(text, quote=False)
    out = re.sub(r"`([^`]+)`", r"<code>\1</code>", out)
    return re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", out)


def _cells(line: str) -> list[str]:
    inner = line.strip()[1:-1] if line.strip().endswith("|") else line.strip()[1:]
    return [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", inner)]


def markdown_to_html(
    markdown: str, *, images: Mapping[str, bytes] | None = None, title: str = "report"
) -> str:
    """The page for ``markdown``; ``images`` maps an image's path in the Markdown to its PNG."""
    images = images or {}
    body: list[str] = []
    lines = markdown.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if not stripped:
            i += 1
        elif stripped.startswith("```"):
            block = []
            i += 1
            while i < len(lines) and not lines[i].strip().startswith("```"):
                block.append(lines[i])
                i += 1
            body.append("<pre>" + html.escape("\n".join(block), quote=False) + "</pre>")
            i += 1
        elif stripped.startswith("#"):
            level = len(stripped) - len(stripped.lstrip("#"))
            body.append(f"<h{level}>{_inline(stripped[level:].strip())}</h{level}>")
            i += 1
        elif stripped.startswith("|"):
            rows = []
            while i < len(lines) and lines[i].strip().startswith("|"):
                rows.append(_cells(lines[i]))
                i += 1
            head, rest = rows[0], [r for r in rows[1:] if not all(set(c) <= set("-: ") for c in r)]
            table = ["<table><tr>" + "".join(f"<th>{_inline(c)}</th>" for c in head) + "</tr>"]
            table += ["<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in r) + "</tr>" for r in rest]
            body.append("\n".join(table) + "</table>")
        elif stripped.startswith("- "):
            items = []
            while i < len(lines) and lines[i].strip().startswith("- "):
                items.append(f"<li>{_inline(lines[i].strip()[2:])}</li>")
                i += 1
            body.append("<ul>" + "".join(items) + "</ul>")
        elif _IMAGE.match(stripped):
            alt, path = _IMAGE.match(stripped).groups()  # type: ignore[union-attr]
            if path in images:
                data = base64.b64encode(images[path]).decode("ascii")
                body.append(
                    f'<p><img alt="{html.escape(alt)}" src="data:image/png;base64,{data}"></p>'
                )
            i += 1
        else:
            paragraph = [stripped]
            i += 1
            while (
                i < len(lines)
                and lines[i].strip()
                and not lines[i].strip().startswith(("#", "|", "- ", "```", "!["))
            ):
                paragraph.append(lines[i].strip())
                i += 1
            body.append(f"<p>{_inline(' '.join(paragraph))}</p>")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )
