"""Render Markdown as GitHub does (cmark-gfm with its table, autolink, strikethrough and
task-list extensions), to test what a report shows rather than the text it is made of.

Raw HTML is let through (GitHub's own sanitiser removes much of it, but not all, and no
report should depend on that), so any markup that reaches the page came from the report.
"""

from __future__ import annotations

import re

import cmarkgfm
from cmarkgfm.cmark import Options

# What GitHub would notify, cross-reference or link in text (not in code).
MENTION = re.compile(r"(?<![\w`/])@[A-Za-z0-9][A-Za-z0-9-]*")
ISSUE_REF = re.compile(r"(?<![\w&])#\d+")
EMOJI = re.compile(r":[a-z0-9_+-]*[a-z][a-z0-9_+-]*:")  # a time (14:21:06) is none


def render_as_github(text: str) -> str:
    return cmarkgfm.github_flavored_markdown_to_html(text, options=Options.CMARK_OPT_UNSAFE)


def text_outside_code(rendered: str) -> str:
    """The rendered page's text outside <code>, entities decoded, where GitHub's mention,
    reference and emoji filters work."""
    import html

    without_code = re.sub(r"<code>.*?</code>", " ", rendered, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", without_code))
