"""Markdown (and reStructuredText) headings with the prose under them, and placeholder detection."""

from __future__ import annotations

import re
from dataclasses import dataclass

_COMMENT = re.compile(r"<!--.*?(-->|\Z)", re.S)
# Lines that only say "fill me in": template prompts, TODO markers, angle-bracket slots...
_PLACEHOLDER_LINE = re.compile(
    r"""^\W*(
        (todo|tbd|tbc|fixme|xxx|wip|coming\ soon
          |to\ be\ (written|defined|determined|completed|added))\b.*
      | (describe|explain|list(?!\ of)|add|write|document|summari[sz]e|specify|fill\ in
          |insert|provide|enter|outline)\b(\W*\w+){0,24}\W*
      | .*\?
      | <[^>]{1,120}>
      | \[[^\]]{0,120}\]
      | \{\{.*\}\}
      | lorem\ ipsum.*
      | (n/?a|none|tbd|\.\.\.|…|-+|_+)
    )\W*$""",
    re.I | re.X,
)
# Sentences that templates write for you: not the team's own words.
_BOILERPLATE = re.compile(
    r"generated (using|with|from|by)\b|this is your new \w+ project|cookiecutter|"
    r"a short description of the project|add a (short )?description|replace this (text|line)|"
    r"your project description|project (was )?generated|this (file|section|template) (is|will)",
    re.I,
)
# Lines that ask rather than tell: questions (with or without the mark) and bare imperatives.
_QUESTION = re.compile(
    r"^(how|what|who|whom|which|why|when|where|is|are|can|could|do|does|should|will|would)\b.*",
    re.I,
)
_PROMPT = re.compile(
    _QUESTION.pattern + r"|^(define|identify|determine|consider|check|think|find|get|frame|"
    r"choose|select|review|verify|ensure|make sure|try|explore|prepare|present|launch|list|"
    r"describe|explain|write|document|state|specify|outline)\b.*",
    re.I,
)
# Words and numbers ("F1 >= 0.8" says something), not punctuation.
_WORD = re.compile(r"[A-Za-z\u00C0-\u024F]{2,}|[A-Za-z]*\d+(?:[.,]\d+)?%?")
MIN_WORDS = 4


@dataclass(frozen=True)
class Section:
    path: str
    heading: str
    level: int
    line: int  # 1-based line of the heading
    body: str

    @property
    def filled(self) -> bool:
        return placeholder_reason(self.body) is None


def placeholder_reason(body: str) -> str | None:
    """Why ``body`` does not count as written prose, or None if it does."""
    text = _COMMENT.sub("", body)
    lines = [ln.strip() for ln in text.splitlines()]
    lines = [ln for ln in lines if ln and not ln.startswith("#")]
    if not lines:
        return "empty"
    real = [ln for ln in lines if not _PLACEHOLDER_LINE.match(_strip_md(ln))]
    if not real:
        return "placeholder text only"
    own = [ln for ln in real if not _BOILERPLATE.search(ln)]
    if not own:
        return "copied template text"
    real = own
    if sum(len(_WORD.findall(ln)) for ln in real) < MIN_WORDS:
        return "too short to say anything"
    # A generic checklist copied in ("How will your solution be used?", "Define the objective")
    # asks the questions without answering them.
    stripped = [_strip_md(ln) for ln in lines]
    prompts = [ln for ln in stripped if ln.endswith("?") or _PROMPT.match(ln)]
    if (
        len(lines) >= 3
        and len(prompts) * 4 >= len(lines) * 3
        and any(ln.endswith("?") or _QUESTION.match(ln) for ln in prompts)
    ):
        return "a list of questions and prompts, not answers"
    return None


def _strip_md(line: str) -> str:
    # Drop list bullets, emphasis and table pipes so "- _TODO: name the owner_" is seen as TODO.
    line = re.sub(r"^([-*+]|\d+[.)])\s+", "", line)
    line = re.sub(r"^>\s*", "", line)
    return line.strip("*_`| \t")


_HEADING_LINE = re.compile(
    r"^ {0,3}#{1,6}[ \t]+(.+)$|^(\S[^\n]*)\n {0,3}[=\-~^\"'`#*+:.]{3,}[ \t]*$", re.M
)


def heading_candidates(text: str) -> list[str]:
    """Lines that may be headings (ATX, setext or reStructuredText), without parsing."""
    return [(m.group(1) or m.group(2)).strip() for m in _HEADING_LINE.finditer(text)]


_PARSER = None


def _parser():
    global _PARSER
    if _PARSER is None:  # building a MarkdownIt costs more than parsing a small file
        from markdown_it import MarkdownIt

        _PARSER = MarkdownIt("commonmark")
    return _PARSER


def parse_markdown(path: str, text: str) -> list[Section]:
    """Split a Markdown document into sections: each heading and the text until the next
    heading of the same or a higher level."""
    try:
        tokens = _parser().parse(text)
    except Exception:  # markdown-it is robust, but the input is untrusted
        return []
    lines = text.splitlines()
    heads: list[tuple[int, int, int, str]] = []  # (level, start line idx, end line idx, text)
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open" and tok.map:
            inline = tokens[i + 1] if i + 1 < len(tokens) else None
            title = inline.content if inline is not None and inline.type == "inline" else ""
            heads.append((int(tok.tag[1:]), tok.map[0], tok.map[1], title.strip()))
    sections = []
    for n, (level, start, end, title) in enumerate(heads):
        stop = len(lines)
        for later in heads[n + 1 :]:
            if later[0] <= level:
                stop = later[1]
                break
        body = "\n".join(lines[end:stop])
        sections.append(Section(path, title, level, start + 1, body))
    return sections


_RST_UNDERLINE = re.compile(r"^([=\-~^\"'`#*+:.])\1{2,}\s*$")


def parse_rst(path: str, text: str) -> list[Section]:
    """Headings of reStructuredText: a line underlined by punctuation; level by first appearance."""
    lines = text.splitlines()
    order: list[str] = []
    heads: list[tuple[int, int, str]] = []
    for i in range(1, len(lines)):
        m = _RST_UNDERLINE.match(lines[i])
        title = lines[i - 1].strip()
        if m and title and not _RST_UNDERLINE.match(lines[i - 1]) and len(lines[i]) >= len(title):
            if m.group(1) not in order:
                order.append(m.group(1))
            heads.append((order.index(m.group(1)) + 1, i - 1, title))
    sections = []
    for n, (level, start, title) in enumerate(heads):
        stop = len(lines)
        for later in heads[n + 1 :]:
            if later[0] <= level:
                stop = later[1]
                break
        sections.append(Section(path, title, level, start + 1, "\n".join(lines[start + 2 : stop])))
    return sections
