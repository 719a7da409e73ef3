"""Text from a repository (its names, headings, paths, even its own checklists' titles), made
inert for Markdown as GitHub renders it in a pull request or a job summary.

Markdown is also HTML, so ``<img src=x onerror=…>``, ``</details>`` or ``<!--`` in a file name
or a heading would become markup, and ``@someone``, ``#12``, a bare URL or ``:emoji:`` would
ping people, cross-reference issues or make links. Each ASCII punctuation character with a
meaning in Markdown gets a backslash (CommonMark renders it as itself), and a zero-width
space (written ``&#8203;``, so it survives copying into a file) splits what GitHub would
otherwise link or notify. Identifiers such as paths go in code spans, where nothing is
markup.
"""

from __future__ import annotations

import html
import re

ZWSP = "&#8203;"
_PUNCTUATION = set("\\`*_[]()<>#!|~&$^{}")  # what starts or ends markup inline
# Invisible characters that reorder or hide text (bidi overrides, zero-width joiners) and
# control characters: dropped.
_HIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
# Where GitHub would link or notify: a mention or an e-mail address, an issue reference, a
# URL scheme, www., an emoji shortcode.
_BREAKS = re.compile(r"@|#(?=\d)|(?<=[A-Za-z])(?=://)|(?i:(?<=\bwww)(?=\.))|:(?=[\w+-]+:)")
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)")


def _flat(text: str) -> str:
    """One line: hidden characters dropped, each run of white space one space."""
    return re.sub(r"\s+", " ", _HIDDEN.sub("", str(text))).strip()


def _split_links(text: str, escape) -> str:
    """``escape`` each piece of ``text`` and put a zero-width space at every break point."""
    out, last = [], 0
    for match in _BREAKS.finditer(text):
        cut = match.end()  # after "@", "#" or ":"; at the empty match before "://" or "."
        out += [escape(text[last:cut]), ZWSP]
        last = cut
    out.append(escape(text[last:]))
    return "".join(out)


def _backslashed(text: str) -> str:
    return "".join("\\" + c if c in _PUNCTUATION else c for c in text)


def inline(text: str) -> str:
    """Repository text as one line of plain Markdown text (safe in a table cell too)."""
    return _split_links(_flat(text), _backslashed)


def _inline_piece(text: str) -> str:  # part of a line already flat: its edges kept
    return _split_links(text, _backslashed)


def code(text: str) -> str:
    """An identifier (a path, a folder, a check id) as a code span, safe in a table cell."""
    flat = _flat(text).replace("|", "\\|")
    if not flat:
        return ""
    fence = "`" * (max((len(run) for run in re.findall(r"`+", flat)), default=0) + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


def with_code_spans(text: str) -> str:
    """Text that may show `code` (a fix): its code spans kept, the rest as ``inline``."""
    flat = _flat(text)
    out, last = [], 0
    for match in _CODE_SPAN.finditer(flat):
        out += [_inline_piece(flat[last : match.start()]), code(match[2])]
        last = match.end()
    out.append(_inline_piece(flat[last:]))
    return "".join(out)


def html_text(text: str) -> str:
    """Repository text inside an HTML element of the Markdown (``<summary>``)."""
    return _split_links(_flat(text), lambda piece: html.escape(piece, quote=True))
