"""Markdown reports quote the repository (its name, headings, paths, notes, its own checks),
and GitHub renders them in pull requests and job summaries: none of it may become markup,
a link, an image, or a notification. Checked on the page as cmark-gfm renders it."""

from __future__ import annotations

import re

import pytest

from tests.conftest import run_cli
from tests.score.markdown_render import (
    EMOJI,
    ISSUE_REF,
    MENTION,
    render_as_github,
    text_outside_code,
)

HOSTILE = "@octocat <img src=x onerror=alert(1)> [l](https://e.example) #12 :tada: www.e.example"
OURS = {
    "h2", "h3", "p", "strong", "em", "code", "table", "thead", "tbody", "tr", "th", "td",
    "details", "summary", "sub", "ul", "li", "blockquote", "br",
}  # fmt: skip
ORG_CHECK = (
    "stage: scoping\nchecks:\n  - id: ORG001\n    name: hostile-check\n"
    "    title: 'Says </details><!-- and @team'\n    severity: minor\n    why: [SC1]\n"
    "    description: A check whose own text tries to be markup.\n"
    "    fix: 'Run `make <docs>` then ping @octo-org/owners </details> <script>x()</script>'\n"
    "    detector: {kind: files, pass: [nothing-matches-this]}\n"
)


def _assert_inert(markdown: str) -> str:
    page = render_as_github(markdown)
    tags = {t.lower() for t in re.findall(r"</?([A-Za-z][A-Za-z0-9]*)", page)}
    assert tags <= OURS, tags - OURS  # no <img>, <a>, <script>, no closed-early <details>
    assert "<!--" not in page
    assert page.count("<details>") == page.count("</details>")
    text = text_outside_code(page)
    assert not MENTION.search(text), MENTION.search(text)
    assert not ISSUE_REF.search(text), ISSUE_REF.search(text)
    assert not EMOJI.search(text), EMOJI.search(text)
    assert not re.search(r"[A-Za-z]://|\bwww\.", text)  # nothing to autolink
    return text


@pytest.fixture
def hostile(tree):
    name = "@octocat <img src=x onerror=alert(1)> #7 :tada:"
    return tree(
        {
            "README.md": f"# {HOSTILE}\n\n## Problem statement {HOSTILE}\n\nTODO\n\n"
            f"## Success metrics </details> <!-- @octocat\n\nTBD\n",
            "docs/</details><!-- @octocat.md": "# notes\n",
            "notebooks/@octocat <b>x</b>.ipynb": "{not json",
            "requirements.txt": "pandas>=2\n",
            "org.yaml": ORG_CHECK,
            ".mlscaffold.toml": 'checklists = ["org.yaml"]\n',
        },
        name=name,
    )


def test_repository_text_in_the_markdown_report_is_inert(hostile) -> None:
    out = run_cli("score", str(hostile), "-f", "markdown")
    assert out.returncode == 0, out.stderr
    text = _assert_inert(out.stdout)
    # The text is still there for people to read, only inert.
    assert "@\u200boctocat <img src=x onerror=alert(1)>" in text
    assert "#\u200b7" in text and "Says </details><!-- and @\u200bteam" in text
    assert "`make <docs>`" not in text  # a code span stays code: shown by <code>, not text
    assert "<code>make &lt;docs&gt;</code>" in render_as_github(out.stdout)
    assert "notebooks/@octocat <b>x</b>.ipynb" in out.stdout  # a note's path, in a code span


def test_a_monorepo_report_keeps_its_folders_inert(tree) -> None:
    root = tree(
        {
            "<img src=x onerror=alert(1)> @octocat/requirements.txt": "x==1\n",
            "<img src=x onerror=alert(1)> @octocat/train.py": "m.fit(X, y)\n",
            "</summary></details> #3/requirements.txt": "y==1\n",
        },
        name="platform",
    )
    out = run_cli("score", str(root), "-f", "markdown")
    assert out.returncode == 0, out.stderr
    assert "(monorepo, 2 sub-projects)" in out.stdout
    text = _assert_inert(out.stdout)
    assert "</summary></details> #\u200b3: " in text  # the sub-project's <summary>


def test_diff_of_hostile_check_titles_is_inert(hostile, tmp_path) -> None:
    base = tmp_path / "base.json"
    assert run_cli("score", str(hostile), "-f", "json", "-o", str(base)).returncode == 0
    (hostile / "nothing-matches-this").write_text("now it does\n", encoding="utf-8")
    out = run_cli("score", str(hostile), "-f", "markdown", "--diff", str(base))
    assert out.returncode == 0, out.stderr
    text = _assert_inert(out.stdout)
    assert "better: ORG001 Says </details><!-- and @\u200bteam" in text
