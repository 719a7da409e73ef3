"""`mlscaffold new` behaviour: exit codes, one-line errors, atomicity, the answers file."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from gen_helpers import REPO, cli_env, run_cli

from mlscaffold.errors import PathError, TemplateError, UsageError
from mlscaffold.generate import new_project


def _leftovers(parent: Path) -> list[str]:
    return [p.name for p in parent.iterdir() if "mlscaffold-tmp" in p.name]


def _one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("mlscaffold: error: "), lines[0]
    assert "Traceback" not in result.stderr
    return lines[0]


def test_defaults_generate_and_print_next_steps(tmp_path: Path) -> None:
    result = run_cli("new", "proj", "--defaults", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Created proj" in result.stdout
    assert "Next steps" in result.stdout
    assert "git init" in result.stdout  # mlscaffold update merges through git
    assert "\033[" not in result.stdout  # NO_COLOR and no terminal: no escape codes
    answers = yaml.safe_load((tmp_path / "proj" / ".copier-answers.yml").read_text())
    assert answers["_src_path"]
    assert answers["project_name"] == "proj"
    assert answers["python_version"] == f"{sys.version_info.major}.{sys.version_info.minor}"
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--defaults", "--data", "package_name=Not-Valid"], "package_name"),
        (["--defaults", "--data", "package_name=import"], "reserved"),
        (
            ["--defaults", "--data", "serving=grpc"],
            "serving=grpc is not an answer this template takes; choose one of: rest, batch, none",
        ),
        (["--defaults", "--data", "project_name="], "project_name must start with"),
        (["--defaults", "--data", "monitoring=perhaps"], "yes/no"),
        (["--defaults", "--data", "colour=blue"], "unknown question"),
        (["--defaults", "--data", "novalue"], "key=value"),
        ([], "no terminal"),
        (["--data", "serving=batch"], "no terminal"),
        (["--defaults", "--vcs-ref", "v9.9"], "--vcs-ref v9.9: the template has no such version"),
    ],
)
def test_invalid_input_exits_2_with_one_line(
    tmp_path: Path, args: list[str], fragment: str
) -> None:
    result = run_cli("new", "proj", *args, cwd=tmp_path)
    assert result.returncode == 2
    assert fragment in _one_line_error(result)
    assert "Validation error" not in result.stderr and "Invalid choice" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_non_empty_destination_is_refused(tmp_path: Path) -> None:
    (tmp_path / "proj").mkdir()
    (tmp_path / "proj" / "keep.txt").write_text("mine")
    result = run_cli("new", "proj", "--defaults", cwd=tmp_path)
    assert result.returncode == 2
    assert "not empty" in _one_line_error(result)
    assert [p.name for p in (tmp_path / "proj").iterdir()] == ["keep.txt"]


def test_a_fresh_clone_holding_only_git_is_a_destination(tmp_path: Path) -> None:
    """Create the repository on the forge, clone it, generate into it: its .git stays."""
    clone = tmp_path / "proj"
    (clone / ".git").mkdir(parents=True)
    (clone / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    result = run_cli("new", "proj", "--defaults", "--data", "project_name=proj", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (clone / ".git" / "HEAD").read_text() == "ref: refs/heads/main\n"
    assert (clone / "pyproject.toml").is_file()
    assert _leftovers(tmp_path) == []
    (clone / ".git" / "x").write_text("")  # .git and a file of one's own: still refused
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / ".git").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    again = run_cli("new", "other", "--defaults", cwd=tmp_path)
    assert again.returncode == 2 and "not empty" in again.stderr


def test_destination_that_is_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "proj").write_text("x")
    result = run_cli("new", "proj", "--defaults", cwd=tmp_path)
    assert result.returncode == 2
    assert "not a directory" in _one_line_error(result)


def test_empty_existing_destination_is_fine(tmp_path: Path) -> None:
    (tmp_path / "proj").mkdir()
    result = run_cli("new", "proj", "--defaults", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "proj" / "pyproject.toml").is_file()


def test_complete_data_needs_no_terminal_and_data_wins_over_data_file(tmp_path: Path) -> None:
    answers = {
        "project_name": "Demand Forecast",
        "package_name": "demand",
        "description": "Forecast demand.",
        "author": "Forecast team",
        "python_version": "3.12",
        "problem_type": "regression",
        "serving": "rest",
        "tracking": "local",
        "data_versioning": "none",
        "ci": "none",
        "monitoring": True,
        "licence": "MIT",
        "_src_path": "ignored/private/key",
    }
    data_file = tmp_path / "answers.yml"
    data_file.write_text(yaml.safe_dump(answers))
    result = run_cli(
        "new", "proj", "--data-file", str(data_file), "--data", "serving=batch", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    recorded = yaml.safe_load((tmp_path / "proj" / ".copier-answers.yml").read_text())
    assert recorded["serving"] == "batch"
    assert recorded["problem_type"] == "regression"
    assert recorded["container"] is True  # `when`-dependent question took its default
    assert (tmp_path / "proj" / "src" / "demand" / "predict.py").is_file()


def _bad_copier_template(root: Path) -> Path:
    template = root / "bad-template"
    (template / "sub").mkdir(parents=True)
    (template / "copier.yml").write_text("name:\n  type: str\n  default: x\n")
    for i in range(5):
        (template / f"ok{i}.txt.jinja").write_text("{{ name }}\n")
    (template / "sub" / "zz_broken.txt.jinja").write_text("{{ name | no_such_filter }}\n")
    return template


def test_render_error_leaves_nothing_behind(tmp_path: Path) -> None:
    template = _bad_copier_template(tmp_path)
    work = tmp_path / "work"
    work.mkdir()
    result = run_cli("new", "a/b/proj", "--defaults", "--template", str(template), cwd=work)
    assert result.returncode == 2
    assert "rendering" in _one_line_error(result)
    assert list(work.iterdir()) == []  # neither DEST, nor its created parents, nor temp dirs


def test_interrupt_mid_render_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from copier._main import Worker

    original = Worker._render_file
    calls = {"n": 0}

    def interrupt_after_some_files(self: Worker, *args: object, **kwargs: object) -> None:
        calls["n"] += 1
        if calls["n"] == 10:
            raise KeyboardInterrupt
        original(self, *args, **kwargs)

    monkeypatch.setattr(Worker, "_render_file", interrupt_after_some_files)
    with pytest.raises(KeyboardInterrupt):
        new_project(tmp_path / "proj", {}, defaults=True, interactive=False)
    assert calls["n"] == 10
    assert list(tmp_path.iterdir()) == []


def test_interrupt_leaves_an_existing_empty_destination_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from copier._main import Worker

    def boom(self: Worker, *args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(Worker, "_render_file", boom)
    (tmp_path / "proj").mkdir()
    with pytest.raises(KeyboardInterrupt):
        new_project(tmp_path / "proj", {}, defaults=True, interactive=False)
    assert [p.name for p in tmp_path.iterdir()] == ["proj"]
    assert list((tmp_path / "proj").iterdir()) == []


def test_library_raises_typed_errors(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        new_project(tmp_path / "p", {"nope": 1}, defaults=True)
    with pytest.raises(UsageError):
        new_project(tmp_path / "p", {}, interactive=False)
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("")
    with pytest.raises(PathError):
        new_project(tmp_path / "full", {}, defaults=True)
    with pytest.raises(TemplateError):
        new_project(tmp_path / "p", {}, defaults=True, template=_bad_copier_template(tmp_path))
    assert not (tmp_path / "p").exists()


def test_answers_record_commit_of_a_git_template(tmp_path: Path) -> None:
    template = tmp_path / "tpl"
    template.mkdir()
    (template / "copier.yml").write_text(
        "_answers_file: .copier-answers.yml\nname:\n  type: str\n  default: demo\n"
    )
    (template / "{{ _copier_conf.answers_file }}.jinja").write_text(
        "{{ _copier_answers|to_nice_yaml }}"
    )
    (template / "README.md.jinja").write_text("# {{ name }}\n")
    git = ["git", "-C", str(template), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    for args in (["init", "-q"], ["add", "."], ["commit", "-qm", "v1"], ["tag", "v1.0.0"]):
        subprocess.run([*git, *args], check=True, capture_output=True)
    result = run_cli("new", "proj", "--defaults", "--template", str(template), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    answers = yaml.safe_load((tmp_path / "proj" / ".copier-answers.yml").read_text())
    assert answers["_commit"] == "v1.0.0"
    assert answers["_src_path"] == str(template)
    assert (tmp_path / "proj" / "README.md").read_text() == "# demo\n"


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_generation_never_imports_the_scorer() -> None:
    sources = [
        *(REPO / "src/mlscaffold/generate").rglob("*.py"),
        REPO / "src/mlscaffold/commands/new.py",
    ]
    for path in sources:
        assert not any(n.startswith("mlscaffold.score") for n in _imports(path)), path
    code = (
        "import sys, mlscaffold.commands.new, mlscaffold.generate.new, "
        "mlscaffold.generate.cookiecutter, mlscaffold.generate.options_doc;"
        "bad = [m for m in sys.modules if m.startswith('mlscaffold.score')];"
        "assert not bad, bad"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=cli_env(), capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_dest_defaults_to_the_current_empty_directory(tmp_path: Path) -> None:
    here = tmp_path / "churn-model"
    here.mkdir()
    inode = here.stat().st_ino
    result = run_cli("new", "--defaults", cwd=here)
    assert result.returncode == 0, result.stderr
    assert (here / ".copier-answers.yml").is_file() and (here / "pyproject.toml").is_file()
    assert here.stat().st_ino == inode  # filled in place: a shell sitting here is not stranded
    assert sorted(p.name for p in tmp_path.iterdir()) == ["churn-model"]  # no staging left
    answers = (here / ".copier-answers.yml").read_text(encoding="utf-8")
    assert "project_name: churn-model" in answers
    again = run_cli("new", "--defaults", cwd=here)
    assert again.returncode == 2 and "not empty" in again.stderr


WITHOUT_SIGMASK = (
    "import signal, sys\n"
    "del signal.pthread_sigmask  # as on Windows\n"
    "from mlscaffold.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


def test_new_works_where_signals_cannot_be_masked(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_SIGMASK, "new", "proj", "--defaults", "-q"],
        cwd=tmp_path,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "proj" / "pyproject.toml").is_file()
    assert result.stdout == ""  # -q after the command: no "Created", no next steps
    assert sorted(p.name for p in tmp_path.iterdir()) == ["proj"]  # no staging left


def test_a_signal_during_a_deferred_block_arrives_after_it(monkeypatch) -> None:
    import signal

    from mlscaffold.generate import staging

    monkeypatch.delattr(signal, "pthread_sigmask")
    finished = []
    with pytest.raises(KeyboardInterrupt), staging.signals_deferred():
        signal.raise_signal(signal.SIGINT)
        finished.append(True)  # the block runs to its end first
    assert finished == [True]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


@pytest.mark.parametrize("signum", ["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("masks", [True, False], ids=["signal-mask", "no-signal-mask"])
def test_a_ctrl_c_held_during_mkdtemp_still_removes_the_staging_dir(
    tmp_path: Path, monkeypatch, masks: bool, signum: str
) -> None:
    """The signal held while the staging folder is made is delivered as the mask lifts: the
    cleanup must already cover that moment, or the hidden folder is left beside DEST."""
    import signal
    import tempfile

    from mlscaffold.generate import staging

    if not masks:
        monkeypatch.delattr(signal, "pthread_sigmask")
    real_mkdtemp = tempfile.mkdtemp

    def mkdtemp_then_ctrl_c(*args, **kwargs):
        made = real_mkdtemp(*args, **kwargs)
        signal.raise_signal(getattr(signal, signum))
        return made

    monkeypatch.setattr(staging.tempfile, "mkdtemp", mkdtemp_then_ctrl_c)
    with pytest.raises(KeyboardInterrupt), staging.staged(tmp_path / "deep" / "proj"):
        pytest.fail("the block must not start")
    assert list(tmp_path.iterdir()) == []  # neither the staging folder nor deep/
