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

ZWSP = "&#8203;"
_PUNCTUATION = set("\\`*_[]()<>#!|~&$^{}")  # what starts or ends markup inline
# Invisible characters that reorder or hide text (bidi overrides, zero-width joiners) and
# control characters: dropped. (Plain string operations throughout: the text is the
# repository's, and nothing here may cost more than one pass over it.)
_HIDDEN = dict.fromkeys(
    [*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0), *range(0x200B, 0x2010),
     *range(0x202A, 0x202F), *range(0x2066, 0x206A), 0xFEFF]
)  # fmt: skip


def _flat(text: str) -> str:
    """One line: hidden characters dropped, each run of white space one space."""
    return " ".join(str(text).translate(_HIDDEN).split())


def _is_word(c: str) -> bool:
    return c.isalnum() or c == "_"


def _break_points(text: str) -> list[int]:
    """Where GitHub would link or notify, the places to split: after a mention's or an
    e-mail's "@", after the "#" of an issue reference (#12), before the "://" of a URL
    scheme, between "www" and its ".", and after the ":" that opens an emoji shortcode."""
    cuts = []
    n = len(text)
    i = 0
    while i < n:
        c = text[i]
        if c == "@" or (c == "#" and i + 1 < n and text[i + 1].isdigit()):
            cuts.append(i + 1)
        elif c == ":":
            if (
                text.startswith("//", i + 1)
                and i
                and text[i - 1].isascii()
                and text[i - 1].isalpha()
            ):
                cuts.append(i)
            else:
                j = i + 1
                while j < n and (_is_word(text[j]) or text[j] in "+-"):
                    j += 1
                if j > i + 1 and j < n and text[j] == ":":
                    cuts.append(i + 1)
                i = j if j > i + 1 else i + 1  # the name scanned is no emoji start itself
                continue
        elif (
            c in "wW"
            and text[i : i + 4].lower() == "www."
            and (i == 0 or not _is_word(text[i - 1]))
        ):
            cuts.append(i + 3)
        i += 1
    return cuts


def _split_links(text: str, escape) -> str:
    """``escape`` each piece of ``text`` and put a zero-width space at every break point."""
    out, last = [], 0
    for cut in _break_points(text):
        out += [escape(text[last:cut]), ZWSP]
        last = cut
    out.append(escape(text[last:]))
    return "".join(out)


def _backtick_runs(text: str) -> list[tuple[int, int]]:
    """(start, length) of each run of backticks."""
    runs, i, n = [], 0, len(text)
    while True:
        i = text.find("`", i)
        if i < 0:
            return runs
        j = i
        while j < n and text[j] == "`":
            j += 1
        runs.append((i, j - i))
        i = j


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
    fence = "`" * (max((length for _, length in _backtick_runs(flat)), default=0) + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


def with_code_spans(text: str) -> str:
    """Text that may show `code` (a fix): its code spans kept, the rest as ``inline``."""
    flat = _flat(text)
    out, last = [], 0
    runs = _backtick_runs(flat)
    # A run of backticks opens a span that the next run of the same length closes (as
    # CommonMark has it); an unmatched run is text. Later runs of each length, by index.
    later: dict[int, list[int]] = {}
    for k in range(len(runs) - 1, -1, -1):
        later.setdefault(runs[k][1], []).append(k)
    k = 0
    while k < len(runs):
        start, length = runs[k]
        ends = later[length]
        while ends and ends[-1] <= k:
            ends.pop()
        if not ends:
            k += 1
            continue
        close = ends.pop()
        end_start = runs[close][0]
        body = flat[start + length : end_start]
        if body:
            out += [_inline_piece(flat[last:start]), code(body)]
            last = end_start + length
            k = close + 1
        else:
            k += 1
    out.append(_inline_piece(flat[last:]))
    return "".join(out)


def html_text(text: str) -> str:
    """Repository text inside an HTML element of the Markdown (``<summary>``)."""
    return _split_links(_flat(text), lambda piece: html.escape(piece, quote=True))
