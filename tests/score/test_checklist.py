"""The checklist is valid data, agrees with the code both ways, and its docs are generated."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from mlscaffold.errors import ConfigError
from mlscaffold.score.judge.checklist import builtin_files, load_checklist, load_file
from mlscaffold.score.judge.detectors import KINDS
from mlscaffold.score.judge.rules import RULES
from mlscaffold.score.report.docs import render_checks_markdown
from tests.conftest import REPO_ROOT


def test_builtin_checklist_validates_against_schema() -> None:
    checklist = load_checklist(validate_builtin=True)
    assert len(checklist) >= 30
    stages = {c.stage for c in checklist}
    assert stages == {"scoping", "data", "modeling", "deployment"}


def test_ids_have_stage_prefix_and_names_are_unique() -> None:
    prefix = {"scoping": "SC", "data": "DA", "modeling": "MO", "deployment": "DE"}
    checks = list(load_checklist())
    for check in checks:
        assert check.id.startswith(prefix[check.stage]), check.id
    assert len({c.name for c in checks}) == len(checks)


def test_rules_and_checklist_agree_both_ways() -> None:
    named = set()

    def walk(spec):
        if spec["kind"] == "rule":
            named.add(spec["name"])
        for sub in spec.get("detectors", []):
            walk(sub)

    for check in load_checklist():
        walk(check.detector)
    assert named == set(RULES), "every rule is used by a check and every named rule exists"


def test_practice_ids_exist_in_docs() -> None:
    text = (REPO_ROOT / "docs" / "practices.md").read_text(encoding="utf-8")
    known = set(re.findall(r"^\| ((?:SC|DA|MO|DE)\d+) \|", text, re.M))
    assert len(known) == 37
    for check in load_checklist():
        assert set(check.why) <= known, check.id


def test_docs_checks_md_is_generated_from_the_checklist() -> None:
    on_disk = (REPO_ROOT / "docs" / "checks.md").read_text(encoding="utf-8")
    assert on_disk == render_checks_markdown(load_checklist()), (
        "docs/checks.md is stale: run `mlscaffold checks --format markdown > docs/checks.md`"
    )


def test_every_check_names_the_template_file_that_satisfies_it() -> None:
    for check in load_checklist():
        assert check.template, check.id


@pytest.mark.parametrize(
    "mutation, message",
    [
        (lambda c: c.pop("fix"), "fix"),
        (lambda c: c.update(severity="urgent"), "urgent"),
        (lambda c: c.update(id="XX1"), "XX1"),
        (lambda c: c.update(detector={"kind": "files"}), "detector"),
        (lambda c: c.update(name="Not Kebab"), "Not Kebab"),
    ],
)
def test_invalid_checklist_entries_are_rejected(tmp_path: Path, mutation, message) -> None:
    doc = yaml.safe_load(builtin_files()[0].read_text(encoding="utf-8"))
    mutation(doc["checks"][0])
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    with pytest.raises(ConfigError):
        load_file(path, validate=True)


def test_a_checklist_that_is_not_yaml_says_where_and_what(tmp_path: Path) -> None:
    path = tmp_path / "org.yaml"
    path.write_text("stage: data\nchecks:\n  - id: [DA901\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_file(path, validate=True)
    message = str(caught.value)
    assert "line 4, column 1: did not find expected ',' or ']'" in message, message
    assert "\n" not in message


def test_unknown_rule_and_duplicate_id_are_rejected(tmp_path: Path) -> None:
    extra = tmp_path / "org.yaml"
    extra.write_text(
        yaml.safe_dump(
            {
                "stage": "data",
                "checks": [
                    {
                        "id": "DA001",
                        "name": "dup",
                        "title": "Duplicate of a built-in",
                        "severity": "minor",
                        "why": ["DA1"],
                        "description": "x" * 30,
                        "fix": "y" * 30,
                        "detector": {"kind": "files", "pass": ["a"]},
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="defined twice"):
        load_checklist([extra])
    extra.write_text(
        yaml.safe_dump(
            {
                "stage": "data",
                "checks": [
                    {
                        "id": "ORG001",
                        "name": "org",
                        "title": "Organisation rule",
                        "severity": "minor",
                        "why": ["DA1"],
                        "description": "x" * 30,
                        "fix": "y" * 30,
                        "detector": {"kind": "rule", "name": "no_such_rule"},
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="unknown rule"):
        load_checklist([extra])


def test_generic_kinds_are_the_documented_few() -> None:
    assert set(KINDS) == {"files", "markdown_section", "library", "config_key", "any"}
