"""Markdown (and reStructuredText) headings with the prose under them, and placeholder detection."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from mlscaffold.score.read import linear

_COMMENT = linear.lazy(r"<!--.*?(-->|\Z)", linear.S)
# Lines that only say "fill me in": template prompts, TODO markers, angle-bracket slots...
_PLACEHOLDER_LINE = linear.lazy(
    r"^\W*("
    r"(todo|tbd|tbc|fixme|xxx|wip|coming soon"
    r"|to be (written|defined|determined|completed|added))\b.*"
    r"|(describe|explain|list|add|write|document|summari[sz]e|specify|fill in"
    r"|insert|provide|enter|outline)\b(\W*\w+){0,24}\W*"
    r"|.*\?"
    r"|<[^>]{1,120}>"
    r"|\[[^\]]{0,120}\]"
    r"|\{\{.*\}\}"
    r"|lorem ipsum.*"
    r"|(n/?a|none|tbd|\.\.\.|…|-+|_+)"
    r")\W*$",
    linear.I,
)
# "List of features: ..." names a list; only "List the features" asks for one. RE2 has no
# look-ahead, so a line the pattern took for the imperative "list" is looked at again.
_LIST_OF = linear.lazy(r"^\W*list of\b", linear.I)
_OTHER_PLACEHOLDER = linear.lazy(
    r"^\W*("
    r"(todo|tbd|tbc|fixme|xxx|wip|coming soon"
    r"|to be (written|defined|determined|completed|added))\b.*"
    r"|(describe|explain|add|write|document|summari[sz]e|specify|fill in"
    r"|insert|provide|enter|outline)\b(\W*\w+){0,24}\W*"
    r"|.*\?"
    r"|<[^>]{1,120}>"
    r"|\[[^\]]{0,120}\]"
    r"|\{\{.*\}\}"
    r"|lorem ipsum.*"
    r"|(n/?a|none|tbd|\.\.\.|…|-+|_+)"
    r")\W*$",
    linear.I,
)


# A template's slot in angle brackets (<target>, <what action changes?>, <YOUR_NAME>), not an
# HTML tag (<br>, <img src=...>, <a href=...>) or an autolink (<https://...>).
_SLOT = linear.lazy(
    r"<(?:[A-Za-z][\w'?-]*(?:[ _/][\w'?-]+){1,8}|[A-Z][A-Z_]{2,40}|[a-z_]{3,30})\??>"
)
_HTML_TAG = linear.lazy(
    r"^<(?:a|b|i|p|u|s|br|hr|img|div|span|sup|sub|code|pre|em|strong|details|summary|table|"
    r"tr|td|th|ul|ol|li|h[1-6]|center|font|kbd|small|big|picture|source|video|iframe|script|"
    r"style|html|head|body|meta|link|tt|var|abbr|cite|q|mark|ins|del|dl|dt|dd)>$",
    linear.I,
)
# "Label: value", the value what a slot stands for.
_LABELLED = linear.lazy(r"^[^:<>]{1,60}:[ \t]*(.*)$")
_MAX_SLOT_LINE = 500
_SLOT_FILLER = frozenset(("for", "of", "and", "or", "to", "the", "a", "an", "in", "on", "by", "vs"))


def _unfilled_slot(line: str) -> bool:
    """Whether a line is a labelled template slot left as written ("Predict: <target> for
    <unit>", "Owner: <YOUR_NAME>"): its value is slots and filler words only."""
    if "<" not in line or len(line) > _MAX_SLOT_LINE:
        return False  # (a template's slot line is short)
    labelled = _LABELLED.match(line)
    value = labelled.group(1) if labelled else line
    rest, slots, at = [], 0, 0
    for m in _SLOT.finditer(value):  # the words between the slots, in one pass
        if _HTML_TAG.matches_whole(m.group(0)):
            continue
        rest.append(value[at : m.start()])
        at = m.end()
        slots += 1
    rest.append(value[at:])
    return bool(slots) and all(
        word.lower() in _SLOT_FILLER for word in _WORD.findall(" ".join(rest))
    )


def _is_placeholder_line(line: str) -> bool:
    if not _PLACEHOLDER_LINE.matches_start(line):
        return False
    return not _LIST_OF.matches_start(line) or _OTHER_PLACEHOLDER.matches_start(line)


# Sentences that templates write for you: not the team's own words.
_BOILERPLATE = linear.lazy(
    r"generated (using|with|from|by)\b|this is your new \w+ project|cookiecutter|"
    r"a short description of the project|add a (short )?description|replace this (text|line)|"
    r"your project description|project (was )?generated|this (file|section|template) (is|will)|"
    r"newly generated|welcome to your (new|generated)|"
    # GitLab's README template, left as the new repository wrote it
    r"built-in continuous integration in gitlab|docs\.gitlab\.com|suggestions for a good readme|"
    r"every project is different, so consider|choose a self-explaining name|"
    r"let people know what your project can do|depending on what you are making, it can be|"
    r"within a particular ecosystem, there may be|use examples liberally|"
    r"tell people where they can go to for help|if you have ideas for releases in the future|"
    r"state if you are open to contributions|show your appreciation to those who have|"
    r"for open source projects, say how it is licensed|if you have run out of energy or time|"
    # Hugging Face's model card template, as save_pretrained / push_to_hub writes it
    r"should be made aware of the risks, biases and limitations of the model|"
    r"more information needed for further recommendations|"
    r"use the code below to get started with the model|"
    r"this is the model card of a .{0,40}model that has been pushed on the hub|"
    r"this model card has been automatically generated",
    linear.I,
)
# Lines that ask rather than tell: questions (with or without the mark) and bare imperatives.
_QUESTION = linear.lazy(
    r"^(how|what|who|whom|which|why|when|where|is|are|can|could|do|does|should|will|would)\b.*",
    linear.I,
)
_PROMPT = linear.lazy(
    _QUESTION.pattern + r"|^(define|identify|determine|consider|check|think|find|get|frame|"
    r"choose|select|review|verify|ensure|make sure|try|explore|prepare|present|launch|list|"
    r"describe|explain|write|document|state|specify|outline)\b.*",
    linear.I,
)
# Words and numbers ("F1 >= 0.8" says something), not punctuation.
_WORD = linear.lazy(r"[A-Za-z\x{00C0}-\x{024F}]{2,}|[A-Za-z]*\d+(?:[.,]\d+)?%?")
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
    real = [ln for ln in lines if not _is_placeholder_line(_strip_md(ln))]
    if not real:
        return "placeholder text only"
    own = [ln for ln in real if not _BOILERPLATE.occurs_in(ln)]
    if not own:
        return "copied template text"
    # "- Predict: <target> for <unit of analysis>": a template's labelled slots, most of the
    # lines left as the template wrote them (slots and prompts).
    slots = sum(1 for ln in own if _unfilled_slot(_strip_md(ln)))
    if slots and (slots + len(lines) - len(real)) * 2 > len(lines):
        return "template slots left unfilled"
    real = own
    # Words never cross lines: the lines are searched together, until enough are found.
    words = _WORD.compiled.spans("\n".join(real).encode("utf-8", "replace"))
    if sum(1 for _ in zip(range(MIN_WORDS), words, strict=False)) < MIN_WORDS:
        return "too short to say anything"
    # A generic checklist copied in ("How will your solution be used?", "Define the objective")
    # asks the questions without answering them.
    if len(lines) >= 3:
        stripped = [_strip_md(ln) for ln in lines]
        prompts = [ln for ln in stripped if ln.endswith("?") or _PROMPT.matches_start(ln)]
        if len(prompts) * 4 >= len(lines) * 3 and any(
            ln.endswith("?") or _QUESTION.matches_start(ln) for ln in prompts
        ):
            return "a list of questions and prompts, not answers"
    return None


_MD_SPACE = " \t\n\r\f"  # what \s means to the linear engine (RE2: ASCII, no \v)


def _strip_md(line: str) -> str:
    """The line without a list bullet or a quote mark ("- ", "12. ", "> "), emphasis and table
    pipes, so "- _TODO: name the owner_" is seen as TODO. Plain string operations: this runs
    on every line of every section judged."""
    first = line[:1]
    cut = 0
    if first in ("-", "*", "+"):  # a one-character string: "" is not in the tuple
        cut = 1
    elif first.isdigit() and first.isascii():
        cut = len(line) - len(line.lstrip("0123456789"))
        cut = cut + 1 if line[cut : cut + 1] in (".", ")") else 0
    if cut and line[cut : cut + 1] and line[cut] in _MD_SPACE:
        line = line[cut:].lstrip(_MD_SPACE)
    if line.startswith(">"):
        line = line[1:].lstrip(_MD_SPACE)
    return line.strip("*_`| \t")


# An HTML heading on a line of its own ("<h2>🚀 Deployment</h2>"): READMEs written in HTML
# have no Markdown headings, and markdown-it keeps them inside an HTML block. Groups: the
# level, the title.
# Prose is parsed (markdown-it, pure Python) up to this many characters a file: a document's
# sections, and a notebook's markdown cells.
MAX_PROSE_CHARS = 128 * 1024
_HTML_HEADING_SOURCE = r"^[ \t]*<[hH]([1-6])\b[^>\n]*>([^\n]*?)</[hH][1-6]>"
_HTML_HEADING = linear.lazy(_HTML_HEADING_SOURCE, linear.M)
# A line that is nothing but bold text, alone, after an emoji ("📊 **Dataset**") or as a
# numbered item's whole text ("**Data Collection**", "2. **Problem statement:**"): many
# READMEs title their parts this way, and a reviewer reads it as a heading. A bullet's bold
# label ("- **Limitations**:" under a tool's heading) labels a list within its section.
# Groups: the title.
# Emoji and pictographs (a non-raw string: the characters themselves, which RE2 matches in
# text and in UTF-8 bytes alike), keycaps (1️⃣) and joined sequences; a bullet (•), a check
# mark (✔, ☑) or an arrow bullet (➤, ➔) is no title's prefix.
_EMOJI = (
    "(?:[\U0001f000-\U0001faff\u2300-\u23ff\u2600-\u260f\u2613-\u2712\u2715-\u2793"
    "\u2795-\u279b\u279d-\u27a1\u27a5-\u27bf\u2b00-\u2bff]|[0-9#*]\ufe0f?\u20e3)"
    "[\ufe0f\u200d\U0001f3fb-\U0001f3ff]{0,3}"
)
_BOLD_HEADING_SOURCE = (
    r"^ {0,3}(?:\d{1,2}[.)][ \t]+)?"
    + f"(?:(?:{_EMOJI}){{1,3}}[ \t]*)?"
    + r"\*\*([^*\n]{2,80}?)[ \t]*:?[ \t]*\*\*[ \t]*:?[ \t]*$"
)
_BOLD_HEADING = linear.lazy(_BOLD_HEADING_SOURCE, linear.M)
_BOLD_LEVEL = 7  # below every real heading: its part ends at the next heading of any kind
# Groups: an ATX title, a setext title, the HTML heading's level and title, a bold title.
_HEADING_LINE = linear.lazy(
    r"^ {0,3}#{1,6}[ \t]+(.+)$|^(\S[^\n]*)\n {0,3}[=\-~^\"'`#*+:.]{3,}[ \t]*$|"
    + _HTML_HEADING_SOURCE
    + "|"
    + _BOLD_HEADING_SOURCE,
    linear.M,
)
_TAG = linear.lazy(r"<[^>\n]{0,500}>")


def heading_candidates(data: bytes | str) -> list[str]:
    """Lines that may be headings (ATX, setext or reStructuredText), without parsing."""
    if isinstance(data, str):
        data = data.encode("utf-8", "replace")
    found = []
    for spans in _HEADING_LINE.compiled.spans(data):
        html = spans[4][0] != -1
        start, end = (
            spans[4] if html else next(span for span in (*spans[1:3], spans[5]) if span[0] != -1)
        )
        text = data[start:end].decode("utf-8", "replace")
        found.append((_TAG.sub("", text) if html else text).strip())
    return found


_PARSER = None


def _parser():
    global _PARSER
    if _PARSER is None:  # building a MarkdownIt costs more than parsing a small file
        from markdown_it import MarkdownIt

        # Block structure only: the sections need headings and their lines, which the block
        # parser finds (code blocks and HTML included), not emphasis or links (60% of the time).
        _PARSER = MarkdownIt("commonmark").disable(["inline", "text_join"], ignoreInvalid=True)
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
        elif tok.type == "html_block" and tok.map and "<h" in tok.content.lower():
            first = tok.map[0]  # 0-based, as finditer_lines' lines are 1-based
            for line, m in _HTML_HEADING.finditer_lines(tok.content):
                title = _TAG.sub("", m.group(2)).strip()
                if title:
                    heads.append((int(m.group(1)), first + line - 1, first + line, title))
    if "**" in text:
        heads += _bold_heads(text, {h[1] for h in heads}, tokens)
    heads.sort(key=lambda head: head[1])
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


def _bold_heads(text: str, taken: set[int], tokens) -> list[tuple[int, int, int, str]]:
    """Bold-only lines read as headings (see _BOLD_HEADING), outside code blocks and HTML,
    and not a real heading's own line."""
    code = set()
    for tok in tokens:
        if tok.type in ("fence", "code_block", "html_block") and tok.map:
            code.update(range(tok.map[0], tok.map[1]))
    heads = []
    for line, m in itertools.islice(_BOLD_HEADING.finditer_lines(text), _MAX_BOLD_HEADS):
        at = line - 1  # 0-based, as token maps are
        if at in code or at in taken:
            continue
        title = m.group(1).strip().rstrip(":").strip()
        # a title, not an emphasised sentence ("This is NOT a typical ML project.") or a
        # note ("(2) Per-bbox result construction (~line 264)")
        if (
            title
            and len(title.split()) <= _MAX_BOLD_WORDS
            and title[0].isalnum()
            and (not title.endswith((".", "!", "?", ")")))
        ):
            heads.append((_BOLD_LEVEL, at, at + 1, title))
    return heads


_MAX_BOLD_HEADS = 500
_MAX_BOLD_WORDS = 5
_RST_UNDERLINE = linear.lazy(r"^([=\-~^\"'`#*+:.]{3,})\s*$")


def _underline(line: str) -> str | None:
    """The character of a reStructuredText underline (three or more of one punctuation
    character), or None: RE2 has no back-references, so "one character" is tested here."""
    m = _RST_UNDERLINE.match(line)
    if m is None:
        return None
    run = m.group(1)
    return run[0] if run.count(run[0]) == len(run) else None


def parse_rst(path: str, text: str) -> list[Section]:
    """Headings of reStructuredText: a line underlined by punctuation; level by first appearance."""
    lines = text.splitlines()
    order: list[str] = []
    heads: list[tuple[int, int, str]] = []
    for i in range(1, len(lines)):
        mark = _underline(lines[i])
        title = lines[i - 1].strip()
        if mark and title and not _underline(lines[i - 1]) and len(lines[i]) >= len(title):
            if mark not in order:
                order.append(mark)
            heads.append((order.index(mark) + 1, i - 1, title))
    sections = []
    for n, (level, start, title) in enumerate(heads):
        stop = len(lines)
        for later in heads[n + 1 :]:
            if later[0] <= level:
                stop = later[1]
                break
        sections.append(Section(path, title, level, start + 1, "\n".join(lines[start + 2 : stop])))
    return sections


def introduction(path: str, text: str, sections: list[Section]) -> Section | None:
    """What a document says before its first section: the paragraphs under its title (a
    README's opening, often where the problem is stated), as a section with no heading."""
    lines = text.splitlines()
    first = sections[0] if sections else None
    title = ""
    if first is not None and first.level == 1 and first.line <= 3:
        # Under the title: up to the next heading of any level. The title is read with it
        # ("Pneumonia detection with BentoML" names the task the paragraphs go on about).
        start = first.line  # the title's line (1-based) is skipped
        stop = sections[1].line - 1 if len(sections) > 1 else len(lines)
        title = first.heading
    else:
        start, stop = 0, (first.line - 1 if first is not None else len(lines))
    body = "\n".join(lines[start:stop]).strip()
    if body and title:
        body = f"{title}\n\n{body}"
    if not body:
        return None
    return Section(path, "", 1, start + 1, body)


def fenced_lines(text: str) -> frozenset[int]:
    """1-based numbers of the lines inside fenced code blocks (``` or ~~~, fences included,
    at any indentation: a list item's block is indented); an unclosed fence runs to the end,
    as CommonMark has it."""
    inside: set[int] = set()
    fence = ""
    for n, line in enumerate(text.splitlines(), 1):
        stripped = line.lstrip(" \t")
        opening = stripped[:3]
        if fence:
            inside.add(n)
            if stripped.startswith(fence) and not stripped.strip(fence[0]).strip():
                fence = ""
        elif opening in ("```", "~~~"):  # indented too, in a list item
            fence = stripped[: len(stripped) - len(stripped.lstrip(opening[0]))]
            inside.add(n)
    return frozenset(inside)
