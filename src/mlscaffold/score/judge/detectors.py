"""The generic detector kinds a checklist entry can use, and the dispatcher over them.

A detector is a function ``(index, params) -> Verdict``. Generic kinds live here; checks that
need judgement beyond them name a rule from ``mlscaffold.score.judge.rules``. An organisation's own
checklist files use the same kinds, so adding a check never needs Python.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable
from typing import Any

from mlscaffold.score.budget import tick
from mlscaffold.score.model import Evidence, Status, Verdict
from mlscaffold.score.read import linear
from mlscaffold.score.read.globs import matcher
from mlscaffold.score.read.index import MAX_PROSE_CHARS, RepoIndex
from mlscaffold.score.read.linear import lazy

Detector = Callable[[RepoIndex, dict[str, Any]], Verdict]
_RANK = {Status.PASS: 3, Status.PARTIAL: 2, Status.FAIL: 1, Status.NOT_APPLICABLE: 0}


def _shown(items: list[str], limit: int = 3) -> str:
    return ", ".join(items[:limit]) + (
        f" and {len(items) - limit} more" if len(items) > limit else ""
    )


def fill(template: str, **values: str) -> str:
    """A reason from a checklist with ``{found}`` or ``{heading}`` filled in. Plain replacement,
    not ``str.format``: an organisation's checklist is untrusted text, and a format spec such
    as ``{found:>300000000}`` would ask for a 300 MB string."""
    for name, value in values.items():
        template = template.replace("{" + name + "}", value)
    return template


def detector_patterns(spec: dict[str, Any]) -> list[tuple[str, str, int]]:
    """(parameter, pattern, flags) of every regular expression a detector spec compiles, as
    the detectors below compile them: the checklist loader compiles the same ones first, so
    a bad pattern is refused when the checklist is read, not met during a run."""
    found = []
    # A section's content is prose (matched in any case); a file's, lines of text.
    prose = "headings" in spec
    if isinstance(spec.get("content"), str) and spec["content"]:
        found.append(("content", spec["content"], linear.I if prose else linear.M))
    for key in ("headings", "weak_headings", "notebook_headings"):
        if isinstance(spec.get(key), list) and spec[key]:
            found.append((key, _any_of(spec[key]), linear.I))
    for key in ("strong", "strong_unless", "promote", "statement", "statement_unless",
                "statement_also",
                "exclude_headings", "keys", "also", "hedges", "data_readme", "local_only",
                "beyond_local", "beyond_local_unless"):  # fmt: skip
        if isinstance(spec.get(key), str) and spec[key]:
            found.append((key, spec[key], linear.I))
    return found


# A detector spec's compiled patterns by the spec's identity (the spec is kept beside them, so
# an id reused by another dict after this one is gone cannot be mistaken for it), and by the
# patterns themselves: a rule builds its parameters anew on each run, and an organisation's
# thousands of patterns outgrow the compiler's cache, so each run (each sub-project of a
# monorepo) compiled them all again.
_SPEC_PATTERNS: dict[int, tuple[dict[str, Any], dict[str, linear.Pattern]]] = {}
_BY_SOURCE: dict[tuple[tuple[str, str, int], ...], dict[str, linear.Pattern]] = {}
_MAX_SPECS = 4096  # parameter dicts remembered by identity (rules make a few a run)


def _compiled(params: dict[str, Any], key: str, required: bool = False) -> linear.Pattern | None:
    known = _SPEC_PATTERNS.get(id(params))
    if known is None or known[0] is not params:
        sources = tuple(detector_patterns(params))
        compiled = _BY_SOURCE.get(sources)
        if compiled is None:
            compiled = _BY_SOURCE[sources] = {
                name: linear.compile(source, flags) for name, source, flags in sources
            }
        if len(_SPEC_PATTERNS) >= _MAX_SPECS:
            _SPEC_PATTERNS.clear()
        known = _SPEC_PATTERNS[id(params)] = (params, compiled)
    if key in known[1]:
        return known[1][key]
    if required:  # the schema requires it: only a checklist loaded without validation lacks it
        raise ValueError(f"the detector needs '{key}'")
    return None


def _nothing(_path: str) -> bool:
    return False


def files(index: RepoIndex, params: dict[str, Any]) -> Verdict:
    """Pass when a file matches one of ``pass`` globs (and none of ``exclude``), with the
    ``content`` pattern in it when one is given; partial for ``partial`` globs."""
    # Exclusions are tested on the hits only: "**/tests/**" over the whole list costs a regex
    # call per file of the repository.
    excluded = matcher(tuple(params["exclude"])) if params.get("exclude") else _nothing
    # An empty file (a features.yaml created and never filled) holds nothing to find.
    hits = [h for h in index.glob(params["pass"]) if h.size and not excluded(h.path)]
    if hits:
        paths = [h.path for h in hits]
        content = _compiled(params, "content")
        if content is not None:
            holding = [p for p in paths[:50] if tick() or content.occurs_in(index.text(p) or "")]
            if not holding:
                return Verdict.partial(
                    fill(
                        params.get("content_reason", "{found} lack the expected content"),
                        found=_shown(paths),
                    ),
                    [Evidence(p) for p in paths[:5]],
                )
            paths = holding
        return Verdict.passed(f"found {_shown(paths)}", [Evidence(p) for p in paths[:5]])
    weak = (
        [h for h in index.glob(params["partial"]) if not excluded(h.path)]
        if params.get("partial")
        else []
    )
    if weak:
        paths = [h.path for h in weak]
        return Verdict.partial(
            fill(
                params.get("partial_reason", "only weaker evidence: {found}"), found=_shown(paths)
            ),
            [Evidence(p) for p in paths[:5]],
        )
    return Verdict.failed(params.get("fail_reason", "no file matches " + _shown(params["pass"], 4)))


def markdown_section(index: RepoIndex, params: dict[str, Any]) -> Verdict:
    """A prose section on a topic, judged on whether it is filled in and says enough.

    Found by its heading first: ``headings`` (regexes on the heading text), then
    ``weak_headings`` (general ones such as "Overview": partial at best), skipping headings that
    match ``exclude_headings`` ("Weights & Biases" is no section on bias). Then by what it says:
    ``content``, a regex searched in the introductions of the main documents (READMEs, cards,
    docs/: the paragraphs under the title); such an introduction is partial at best too.
    ``strong``: what a section found by a main heading must say to pass (else partial,
    ``partial_reason``), outside any match of ``strong_unless``; ``promote``: what lifts a
    general or content-found section to a pass; ``also``: what any section must say besides to
    pass (SC004: the data's limits, not only its source; else partial, ``also_reason``);
    ``hedges``: words that make a sentence a possibility rather than the plan (SC008:
    "retraining could be scheduled"), in which ``strong``, ``promote`` and ``statement`` do not
    count. ``files``: globs restricting which documents count. ``data_readme``: what a README in
    a data folder must say to count (read whole: DA004's field descriptions, SC004's sources;
    ``also`` applies to it too). ``notebook_headings``: notebooks' markdown cells count too, a
    section under one of these headings that lists three or more entries (a notebook's data
    dictionary). ``document_files``: globs of files that are themselves the account (DA004's
    data dictionary kept as a CSV or a spreadsheet): one that is not empty passes.
    """
    topic = params.get("topic", "this topic")
    strong = _compiled(params, "strong")
    promote = _compiled(params, "promote")
    excluded = _compiled(params, "exclude_headings")
    allowed = {f.path for f in index.glob(params["files"])} if params.get("files") else None
    heading_re = _compiled(params, "headings", required=True)
    weak_re = _compiled(params, "weak_headings")
    best: Verdict | None = None
    judged: set[tuple[str, int]] = set()

    def consider(section, kind: str) -> Verdict | None:
        nonlocal best
        if allowed is not None and section.path not in allowed:
            return None
        if (section.path, section.line) in judged:
            return None
        if excluded is not None and excluded.occurs_in(section.heading):
            return None
        if _table_of_contents(section):
            return None  # a list of the document's headings says nothing of any topic
        if kind in ("content", "statement") and not section.filled:
            return None  # a placeholder found by what it says says nothing
        judged.add((section.path, section.line))
        if kind == "main" and params.get("strong_in_document") and strong is not None:
            section = _with_named_source(index, section, strong)
        verdict = _judge_section(section, kind, strong, promote, topic, params)
        best = verdict if best is None else better(best, verdict)
        return best if best.status is Status.PASS else None

    # Specific headings first; general ones ("Overview") are parsed only when those fall short.
    rounds = [(heading_re, "main")] + ([(weak_re, "general")] if weak_re else [])
    for pattern, kind in rounds:
        for section in index.iter_sections(pattern):
            if kind == "general" and heading_re.occurs_in(section.heading):
                continue  # already judged in the first round
            if found := consider(section, kind):
                return found
    notebook_re = _compiled(params, "notebook_headings")
    if notebook_re is not None:
        # A notebook's markdown data dictionary (a "Data dictionary" cell listing the fields)
        # documents the data as a page would; a heading over a sentence or a chart does not,
        # nor does a scratch notebook.
        for section in index.notebook_sections(notebook_re):
            if (
                not _SCRATCH.search(section.path)
                and not index.is_test(section.path)
                and _lists_entries(section.body)
                and (found := consider(section, "main"))
            ):
                return found
    content = _compiled(params, "content")
    if content is not None:
        for section in index.introductions_saying(content):
            if found := consider(section, "content"):
                return found
    statement = _compiled(params, "statement")
    if statement is not None:
        prose_only = bool(params.get("statement_prose_only"))
        unless = _compiled(params, "statement_unless")
        for section in index.statements(statement, prose_only, unless):
            judged.discard((section.path, section.line))  # judged by heading, but it says it
            if found := consider(section, "statement"):
                return found
    data_readme = _compiled(params, "data_readme")
    if data_readme is not None and (best is None or best.status is not Status.PASS):
        found = _data_readme(index, data_readme, topic, params)
        if found is not None:
            best = found if best is None else better(best, found)
    if params.get("document_files") and (best is None or best.status is not Status.PASS):
        # A document that is the topic's whole account, in a form no section search reads: a
        # data dictionary kept as a table (docs/data-dictionary.csv, a codebook spreadsheet).
        document = next((f for f in index.glob(params["document_files"]) if f.size > 0), None)
        if document is not None:
            return Verdict.passed(
                f"{document.path} documents {topic}", [Evidence(document.path, None, "document")]
            )
    if best is not None:
        return best
    return Verdict.failed(f"no document has a section on {topic}")


# A data README this long that does not say what ``data_readme`` asks still documents the
# data in part (its sources, its layout); a shorter one is a folder note ("put the CSVs here").
_DATA_README_PARTIAL_CHARS = 400


def _data_readme(index: RepoIndex, pattern, topic: str, params: dict[str, Any]) -> Verdict | None:
    """The best verdict from the READMEs in data folders (``RepoIndex.data_readmes``), each
    read whole: a dataset's own description rarely has the heading a section search wants."""
    from mlscaffold.score.read.readers.markdown import Section

    best: Verdict | None = None
    for path in index.data_readmes:
        tick()
        text = (index.text(path) or "")[:MAX_PROSE_CHARS]
        section = Section(path, "", 0, 1, text)
        if not section.filled:
            continue
        ev = [Evidence(path, 1, "data README")]
        if _says(pattern, section, _compiled(params, "hedges")):
            found = _also(section, path, topic, params, ev, subject=f"the data README {path}")
        elif len(text.strip()) >= _DATA_README_PARTIAL_CHARS:
            why = f"the data README {path} describes the data but not {topic}"
            found = Verdict.partial(why, ev)
        else:
            continue
        best = found if best is None else better(best, found)
        if best.status is Status.PASS:
            break
    return best


def _with_named_source(index: RepoIndex, section, strong):
    """The section, read with its own heading and its document's introduction when only they
    say ``strong``: "## Dataset: Credit Card Fraud (Kaggle)", or a README whose opening lines
    link the dataset its "Dataset description" then describes."""
    if strong.occurs_in(section.body):
        return section
    said = [section.heading] if strong.occurs_in(section.heading) else []
    if not said:
        key = ("introductions_saying", strong.pattern)  # once a run, not once a section
        if key not in index.memo:
            index.memo[key] = {i.path: i for i in index.introductions_saying(strong)}
        intro = index.memo[key].get(section.path)
        if intro is not None and intro.line != section.line:
            said = [intro.body]
    if not said:
        return section
    return dataclasses.replace(section, body=said[0] + "\n\n" + section.body)


def _judge_section(
    section, kind: str, strong, promote, topic: str, params: dict[str, Any]
) -> Verdict:
    where = section.heading if section.heading else "the introduction"
    ev = [Evidence(section.path, section.line, where)]
    if not section.filled:
        from mlscaffold.score.read.readers.markdown import placeholder_reason

        why = placeholder_reason(section.body)
        return Verdict.failed(f"section '{where}' is present but not filled in ({why})", ev)
    hedges = _compiled(params, "hedges")
    if kind in ("statement", "main") and (local := _only_local(section, params)):
        return Verdict.partial(
            f"section '{where}' shows it running locally ({local}), not where it runs or "
            "who uses it",
            ev,
        )
    if kind == "statement":  # a statement of the topic, in so many words
        statement = _compiled(params, "statement")
        if hedges is not None and statement is not None and not _says(statement, section, hedges):
            return Verdict.partial(_hedged(where, topic), ev)
        also = _compiled(params, "statement_also")
        if also is not None and statement is not None:
            # SC004: the paragraph naming the source (or the next) must also say what the data
            # holds (its size, its period); a long section's other paragraphs (a competition's
            # scores, a licence's limits) do not
            paragraphs = section.body.split("\n\n")[:_MAX_PARAGRAPHS]
            # the paragraph naming it, and the next (a link, then "It holds 119,390 rows")
            said = [
                "\n\n".join(paragraphs[n : n + 2])
                for n, p in enumerate(paragraphs)
                if statement.occurs_in(p)
            ]
            if not any(also.occurs_in(p) for p in said):
                reason = fill(params.get("statement_also_reason", "{heading}"), heading=where)
                return Verdict.partial(reason, ev)
        return Verdict.passed(f"section '{where}' states {topic}", ev)
    if kind != "main":
        if promote is not None and _says(promote, section, hedges):
            return _also(section, where, topic, params, ev)
        if kind == "content":
            return Verdict.partial(f"section '{where}' touches on {topic}", ev)
        return Verdict.partial(f"only a general section ('{where}') touches on {topic}", ev)
    if strong is not None and not _says_strong(section, strong, hedges, params):
        if hedges is not None and strong.occurs_in(section.body):
            return Verdict.partial(_hedged(where, topic), ev)
        reason = params.get("partial_reason", "section '{heading}' lacks specifics")
        return Verdict.partial(fill(reason, heading=where), ev)
    return _also(section, where, topic, params, ev)


_MAX_PARAGRAPHS = 2000
_ENTRY = lazy(r"^[ \t]*([-*+]|\d+[.)]|\|)[ \t]*\S", linear.M)
_MIN_ENTRIES = 3
# (by word: a "latest_eda" or "contest" notebook is no scratch; tests are asked of is_test)
_SCRATCH = lazy(r"scratch|sandbox|playground|untitled|(^|[/_.-])te?mp([/_.-]|$)", linear.I)


def _lists_entries(body: str) -> bool:
    """Whether a section lists at least three entries (list items or table rows)."""
    return sum(1 for _ in itertools.islice(_ENTRY.finditer(body), _MIN_ENTRIES)) >= _MIN_ENTRIES


def _says_strong(
    section, strong: linear.Pattern, hedges: linear.Pattern | None, params: dict[str, Any]
) -> bool:
    """Whether a section found by its heading says ``strong``. With ``statement_prose_only``,
    a JSON block in it (an API's example response: "confidence": 0.92 under "Fetch Job
    Result") says nothing; a printed report or a list of metrics in a code block still does."""
    unless = _compiled(params, "strong_unless")
    if unless is not None and unless.occurs_in(section.body):
        # ("sampling bias" is the data's, not a harm: blanked before the strong words)
        section = dataclasses.replace(section, body=unless.sub(" ", section.body))
    if not params.get("statement_prose_only") or (
        "```" not in section.body and "~~~" not in section.body
    ):
        return _says(strong, section, hedges)
    return _says(strong, dataclasses.replace(section, body=_without_json(section.body)), hedges)


_TABLE_OF_CONTENTS = lazy(r"^\W*(table of contents?|contents|toc|index|outline)\W*$", linear.I)


def _table_of_contents(section) -> bool:
    """A section named as a table of contents whose lines are mostly entries (links to the
    document's own headings, or short lines naming them): a "Contents" section of sentences
    describing each folder is prose."""
    if not _TABLE_OF_CONTENTS.occurs_in(section.heading):
        return False
    lines = [ln for ln in section.body.splitlines()[:500] if ln.strip()]
    entries = sum(
        1 for ln in lines if _ANCHOR_LINK.occurs_in(ln) or len(_strip_links(ln).split()) < 8
    )
    return entries >= 0.8 * len(lines)


def _strip_links(line: str) -> str:
    """A Markdown line with each link's target dropped ([Setup](#setup) reads as Setup)."""
    return _LINK_TARGET.sub("]", line)


_LINK_TARGET = lazy(r"\]\([^)\n]*\)")
_ANCHOR_LINK = lazy(r"^\s*([-*+]|\d+\.)?\s*\[[^\]\n]*\]\(#")


def _without_json(body: str) -> str:
    """The text with the lines of its fenced JSON blocks blanked (fence info ``json``, or a
    first line opening an object with a double-quoted key: a printed Python dict,
    ``{'eval_f1': 0.93}``, is a report)."""
    out: list[str] = []
    fence, blank, pending = "", False, False
    for line in body.split("\n"):
        stripped = line.strip()
        if not fence and stripped.startswith(("```", "~~~")):
            fence = stripped[:3]
            info = stripped[3:].strip().lower()
            blank, pending = info.startswith("json"), not info
            out.append(line)
        elif fence and stripped.startswith(fence):
            fence = ""
            out.append(line)
        elif fence:
            if pending and stripped:
                blank, pending = stripped.replace(" ", "").startswith(('{"', '[{"', '["')), False
            out.append("" if blank else line)
        else:
            out.append(line)
    return "\n".join(out)


def _only_local(section, params: dict[str, Any]) -> str | None:
    """What shows the section describes only a run on one's own machine (``local_only``:
    "uvicorn app:app", localhost, docker run), when it says nothing of ``beyond_local`` (a
    cloud, a server on premises, production), advice and denials (``beyond_local_unless``:
    "do not use it in production") aside: SC006's scenario is where the model runs and for
    whom."""
    local = _compiled(params, "local_only")
    if local is None:
        return None
    m = local.search(section.body)
    if m is None:
        return None
    beyond = _compiled(params, "beyond_local")
    text = section.heading + "\n" + section.body
    unless = _compiled(params, "beyond_local_unless")
    if unless is not None:  # advice and denials ("do not use it in production") said nothing
        text = unless.sub(" ", text)
    if beyond is not None and beyond.occurs_in(text):
        return None
    return " ".join(m.group(0).split())[:40]


def _hedged(where: str, topic: str) -> str:
    return (
        f"section '{where}' speaks of {topic} only as something that could or should be done "
        "(optional, future, easy to add), not as the plan"
    )


# Where a sentence ends, for ``hedges`` (a full stop in "madewithml.com" ends none).
_SENTENCE_ENDS = (". ", "! ", "? ", "\n")


def _says(pattern: linear.Pattern, section, hedges: linear.Pattern | None) -> bool:
    """Whether ``pattern`` occurs in the section in a sentence that ``hedges`` does not
    qualify ("retraining could be scheduled", a heading "Next steps (optional)")."""
    if hedges is None:
        return pattern.occurs_in(section.body)
    if section.heading and hedges.occurs_in(section.heading):
        return False
    body = section.body
    for n, m in enumerate(pattern.finditer(body)):
        if n == 50:
            return False  # a long hedged list: enough looked at
        start = max((i + len(c) if (i := body.rfind(c, 0, m.start())) != -1 else 0)
                    for c in _SENTENCE_ENDS)  # fmt: skip
        ends = [i for c in _SENTENCE_ENDS if (i := body.find(c, m.end())) != -1]
        sentence = body[start : min(ends) if ends else len(body)]
        if not hedges.occurs_in(sentence):
            return True
    return False


def _also(
    section,
    where: str,
    topic: str,
    params: dict[str, Any],
    ev: list[Evidence],
    subject: str | None = None,
) -> Verdict:
    """A pass, unless the section lacks what ``also`` asks besides (then partial).
    ``subject``: what the reason calls the section (default: "section 'WHERE'")."""
    also = _compiled(params, "also")
    section_named = "section '" + where + "'"
    if also is not None and not also.occurs_in(section.body):
        reason = fill(
            params.get("also_reason", "section '{heading}' lacks specifics"), heading=where
        )
        if subject:  # "the data README data/README names its sources but not their limits"
            reason = reason.replace(section_named, subject, 1)
        return Verdict.partial(reason, ev)
    subject = subject or section_named
    return Verdict.passed(f"{subject} describes {topic}", ev)


def library(index: RepoIndex, params: dict[str, Any]) -> Verdict:
    """A library both declared as a dependency and imported by the code.

    ``modules``: import names; ``distributions``: their package names (defaults to modules);
    ``partial_modules``: libraries that only half-meet the practice (``partial_reason``).
    Imported-but-undeclared and declared-but-unused are partial, and say so; with
    ``undeclared_passes`` (the practice is in the use: MO002's tracking), a library the
    production code or a notebook imports passes undeclared, the reason saying so.
    """
    modules = params["modules"]
    dists = params.get("distributions", modules)
    used = [u for u in index.importers_of(modules) if not index.is_test(u.path)]
    declared = index.declared(dists)
    if used:
        ev = [Evidence(u.path, u.line, f"imports {u.value}") for u in used[:5]]
        if declared or not index.dependencies:
            return Verdict.passed(
                f"{_shown(sorted({u.value.split('.')[0] for u in used}))} "
                f"used in {_shown(sorted({u.path for u in used}))}",
                ev,
            )
        notebooks = index.notebook_set
        real = [u for u in used if index.is_production_code(u.path) or u.path in notebooks]
        if real and params.get("undeclared_passes"):
            return Verdict.passed(
                f"{_shown(sorted({u.value.split('.')[0] for u in real}))} "
                f"used in {_shown(sorted({u.path for u in real}))} (not declared as a "
                "dependency)",
                [Evidence(u.path, u.line, f"imports {u.value}") for u in real[:5]],
            )
        return Verdict.partial(
            f"{_shown(sorted({u.value.split('.')[0] for u in used}))} is imported but not declared "
            "as a dependency",
            ev,
        )
    if declared:
        return Verdict.partial(
            f"{_shown(sorted({d.name for d in declared}))} is declared but never imported",
            [Evidence(d.path, d.line, d.spec) for d in declared[:5]],
        )
    weak = params.get("partial_modules")
    if weak:
        weak_used = [u for u in index.importers_of(weak) if not index.is_test(u.path)]
        if weak_used:
            return Verdict.partial(
                fill(
                    params.get("partial_reason", "only {found}"),
                    found=_shown(sorted({u.value for u in weak_used})),
                ),
                [Evidence(u.path, u.line, f"imports {u.value}") for u in weak_used[:5]],
            )
    return Verdict.failed(params.get("fail_reason", f"none of {_shown(modules, 6)} is used"))


def config_key(index: RepoIndex, params: dict[str, Any]) -> Verdict:
    """A key (regex on the dotted path) present in one of the project's config files."""
    found_in = _compiled(params, "keys", required=True).occurs_in  # type: ignore[union-attr]
    hits = [k for k in index.config_keys if tick() or found_in(k.value)]
    if hits:
        return Verdict.passed(
            f"key '{hits[0].value}' in {hits[0].path}",
            [Evidence(h.path, h.line, h.value) for h in hits[:5]],
        )
    return Verdict.failed(params.get("fail_reason", "no config file declares " + params["keys"]))


def any_of(index: RepoIndex, params: dict[str, Any]) -> Verdict:
    """The best verdict among several detectors (evidence of one is enough)."""
    best: Verdict | None = None
    for sub in params["detectors"]:
        verdict = run_detector(index, sub)
        best = verdict if best is None else better(best, verdict)
        if best.status is Status.PASS:
            return best
    if best is None:  # the schema requires at least one detector
        raise ValueError("an 'any' detector needs at least one detector")
    return best


def _any_of(patterns: list[str]) -> str:
    """One pattern matching any of ``patterns`` (each grouped, so flags and ``|`` stay inside)."""
    return "|".join(f"(?:{p})" for p in patterns)


def better(a: Verdict, b: Verdict) -> Verdict:
    """The stronger verdict; on a tie of failures the later one, whose reason sums up the list."""
    if _RANK[b.status] > _RANK[a.status] or (a.status is b.status is Status.FAIL):
        return b
    return a


KINDS: dict[str, Detector] = {
    "files": files,
    "markdown_section": markdown_section,
    "library": library,
    "config_key": config_key,
    "any": any_of,
}


def run_detector(index: RepoIndex, spec: dict[str, Any]) -> Verdict:
    kind = spec["kind"]
    params = _params_of(spec)
    if kind == "rule":
        from mlscaffold.score.judge.rules import RULES

        return RULES[spec["name"]](index, params)
    return KINDS[kind](index, params)


# Each spec's parameters, built once: their compiled patterns are kept by the parameters'
# identity, so a new dict per run (per sub-project of a monorepo) compiled every pattern of
# an organisation's 10,000 checks again, and kept them (37 MB a sub-project).
_PARAMS: dict[int, tuple[dict[str, Any], dict[str, Any]]] = {}


def _params_of(spec: dict[str, Any]) -> dict[str, Any]:
    known = _PARAMS.get(id(spec))
    if known is None or known[0] is not spec:
        dropped = ("kind", "name") if spec["kind"] == "rule" else ("kind",)
        known = _PARAMS[id(spec)] = (spec, {k: v for k, v in spec.items() if k not in dropped})
    return known[1]
