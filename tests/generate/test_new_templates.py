"""`--template SRC`: any other copier template, or a cookiecutter template (with .cruft.json)."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from gen_helpers import run_cli


def _copier_template(root: Path) -> Path:
    template = root / "copier-tpl"
    (template / "tree").mkdir(parents=True)
    (template / "copier.yml").write_text(
        "_subdirectory: tree\n"
        "_answers_file: .copier-answers.yml\n"
        "name:\n  type: str\n  help: Name\n  default: demo\n"
        "colour:\n  type: str\n  help: Colour\n  choices: [red, blue]\n  default: red\n"
    )
    (template / "tree" / "{{ _copier_conf.answers_file }}.jinja").write_text(
        "{{ _copier_answers|to_nice_yaml }}"
    )
    (template / "tree" / "{{ name }}.txt.jinja").write_text("{{ colour }}\n")
    return template


def _cookiecutter_template(root: Path) -> Path:
    template = root / "cc-tpl"
    slug_dir = template / "{{cookiecutter.project_slug}}"
    slug_dir.mkdir(parents=True)
    (template / "cookiecutter.json").write_text(
        json.dumps({"project_slug": "demo", "greeting": "hello", "size": ["small", "large"]})
    )
    (slug_dir / "README.md").write_text("{{ cookiecutter.greeting }} {{ cookiecutter.size }}\n")
    return template


def test_other_copier_template(tmp_path: Path) -> None:
    template = _copier_template(tmp_path)
    result = run_cli(
        "new",
        "out",
        "--template",
        str(template),
        "--defaults",
        "--data",
        "colour=blue",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "demo.txt").read_text() == "blue\n"
    answers = yaml.safe_load((tmp_path / "out" / ".copier-answers.yml").read_text())
    assert answers["_src_path"] == str(template)
    assert "Next steps" not in result.stdout  # mlscaffold's steps are for its own template


def test_template_sees_the_project_folder_name(tmp_path: Path) -> None:
    """Generation is staged beside DEST, in a folder of DEST's own name: a template defaulting
    to copier's _folder_name gets the project's name, not the staging folder's."""
    template = tmp_path / "named-tpl"
    template.mkdir()
    (template / "copier.yml").write_text('slug:\n  type: str\n  default: "{{ _folder_name }}"\n')
    (template / "out.txt.jinja").write_text("slug={{ slug }}\n")
    dest = tmp_path / "my-project"
    out = run_cli("new", str(dest), "--template", str(template), "--defaults", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert (dest / "out.txt").read_text() == "slug=my-project\n"
    assert "1 answer;" in out.stdout  # no answers file, said in words
    assert [p.name for p in tmp_path.iterdir() if "mlscaffold-tmp" in p.name] == []


def test_other_copier_template_rejects_unknown_answers(tmp_path: Path) -> None:
    template = _copier_template(tmp_path)
    result = run_cli(
        "new", "out", "--template", str(template), "--defaults", "--data", "size=3", cwd=tmp_path
    )
    assert result.returncode == 2
    assert "unknown question" in result.stderr
    assert not (tmp_path / "out").exists()


def test_cookiecutter_template_writes_cruft_json(tmp_path: Path) -> None:
    template = _cookiecutter_template(tmp_path)
    result = run_cli(
        "new",
        "out",
        "--template",
        str(template),
        "--defaults",
        "--data",
        "greeting=hi",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    out = tmp_path / "out"
    assert (out / "README.md").read_text() == "hi small\n"  # project dir is DEST itself
    cruft = json.loads((out / ".cruft.json").read_text())
    assert cruft["template"] == str(template)
    assert cruft["context"]["cookiecutter"]["greeting"] == "hi"
    assert cruft["context"]["cookiecutter"]["_template"] == str(template)
    assert {"commit", "checkout", "directory"} <= set(cruft)
    assert [p.name for p in tmp_path.iterdir() if "mlscaffold-tmp" in p.name] == []


def test_cookiecutter_without_terminal_needs_answers(tmp_path: Path) -> None:
    template = _cookiecutter_template(tmp_path)
    result = run_cli("new", "out", "--template", str(template), cwd=tmp_path)
    assert result.returncode == 2
    assert "no terminal" in result.stderr
    complete = ["--data", "project_slug=x", "--data", "greeting=yo", "--data", "size=large"]
    result = run_cli("new", "out", "--template", str(template), *complete, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "README.md").read_text() == "yo large\n"


def test_cookiecutter_unknown_answer_and_bad_source(tmp_path: Path) -> None:
    template = _cookiecutter_template(tmp_path)
    result = run_cli(
        "new", "out", "--template", str(template), "--defaults", "--data", "nope=1", cwd=tmp_path
    )
    assert result.returncode == 2
    assert "unknown question" in result.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run_cli("new", "out", "--template", str(empty), "--defaults", cwd=tmp_path)
    assert result.returncode == 2
    assert "neither copier.yml nor cookiecutter.json" in result.stderr
    assert not (tmp_path / "out").exists()
