"""The self-contained HTML page: what the reports' Markdown holds, escaped, figures inline."""

from __future__ import annotations

import base64

from nlptransfer.bench.report_html import markdown_to_html


def test_text_is_escaped_and_nothing_external_is_referenced():
    page = markdown_to_html(
        "# A <script>alert(1)</script> title\n\nplain & <b>raw</b>\n\n![gone](plots/missing.png)",
        title="<t>",
    )
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "&amp;" in page and "<b>" not in page
    assert "<title>&lt;t&gt;</title>" in page
    assert "<img" not in page  # an image with no bytes is left out, never linked


def test_tables_lists_code_and_images():
    png = b"\x89PNG\r\n\x1a\nrest"
    page = markdown_to_html(
        "| word | neighbours |\n|---|---|\n| `a\\|b` | x, y |\n\n- one **bold**\n- two\n\n"
        "```\n| not a table |\n# not a heading\n```\n\n![fig](plots/f.png)\n",
        images={"plots/f.png": png},
    )
    assert "<th>word</th>" in page and "<td><code>a|b</code></td>" in page
    assert "<li>one <strong>bold</strong></li><li>two</li>" in page
    assert "<pre>| not a table |\n# not a heading</pre>" in page
    assert f"data:image/png;base64,{base64.b64encode(png).decode()}" in page
    assert "---" not in page  # the separator row is not a data row


def test_a_line_that_only_looks_like_an_image_is_a_paragraph():
    page = markdown_to_html("![broken image syntax\nnext line")
    assert "<p>![broken image syntax next line</p>" in page
