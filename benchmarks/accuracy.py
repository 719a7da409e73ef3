"""Accuracy benchmark: how well `mlscaffold score` agrees with a careful human reviewer.

Usage:  python benchmarks/accuracy.py REPOS_DIR [--labels docs/accuracy/labels.yaml]
                                                 [--output docs/accuracy/results.md]

REPOS_DIR holds one extracted work tree per labelled repository, named after the label's `name`
(e.g. REPOS_DIR/made-with-ml). This script never fetches anything: each label records the public
`url`, the pinned `commit` and, for templates, the `subdir` that was scored. To rebuild a tree:

    git clone --filter=blob:none https://github.com/OWNER/NAME /tmp/src/NAME
    mkdir -p REPOS_DIR/LABEL_NAME
    git -C /tmp/src/NAME archive COMMIT | tar -x -C REPOS_DIR/LABEL_NAME            # whole repo
    git -C /tmp/src/NAME archive "COMMIT:SUBDIR" | tar -x -C REPOS_DIR/LABEL_NAME   # with subdir

docs/accuracy.md lists the repositories and how they were extracted for the published figures.

For each repository it runs `python -m mlscaffold score DIR -f json` in a subprocess and compares
every finding with the reviewer's label:
  - yes/no verdict: pass = yes, partial or fail = no; measured on the checks both sides find
    applicable;
  - applicability: the checks either side calls not applicable, counted separately;
  - exact status: pass / partial / fail / not_applicable must match exactly.
It prints a Markdown report (per stage and overall, then every disagreement with the scorer's
reason) and writes it to --output. Exit status: 0 when the report was written, 2 on bad input
(missing labels, no repository found), 3 when the scorer itself failed on a repository.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
STAGES = {"SC": "scoping", "DA": "data", "MO": "modeling", "DE": "deployment"}
LABELS = ("pass", "partial", "fail", "not_applicable")
NA = "not_applicable"


@dataclass(frozen=True)
class Pair:
    """One check on one repository: what the reviewer said and what the scorer said."""

    repo: str
    check: str
    label: str
    evidence: str
    status: str
    reason: str

    @property
    def stage(self) -> str:
        return STAGES[self.check[:2]]

    @property
    def both_applicable(self) -> bool:
        return self.label != NA and self.status != NA

    @property
    def verdict_agrees(self) -> bool:
        # Verdict in three values: yes (pass), no (partial/fail), n/a.
        return _verdict(self.label) == _verdict(self.status)


def _verdict(status: str) -> str:
    if status == NA:
        return "n/a"
    return "yes" if status == "pass" else "no"


def load_labels(path: Path) -> list[dict]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise SystemExit(f"accuracy: cannot read labels {path}: {exc}") from None
    repos = data.get("repos") if isinstance(data, dict) else None
    if not isinstance(repos, list) or not repos:
        raise SystemExit(f"accuracy: {path} has no 'repos' list")
    for repo in repos:
        for check, entry in repo.get("checks", {}).items():
            if entry.get("label") not in LABELS:
                raise SystemExit(
                    f"accuracy: {repo.get('name')}: {check} has label {entry.get('label')!r}"
                )
    return repos


def score(tree: Path) -> tuple[dict[str, dict], int]:
    """Run the real CLI on one tree; its findings by check id, and its overall score."""
    cmd = [sys.executable, "-m", "mlscaffold", "score", str(tree), "-f", "json", "--no-cache"]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    # 0 = scored, 1 = scored but a policy in the repo's own config failed; both carry a report.
    if proc.returncode not in (0, 1):
        raise RuntimeError(
            f"mlscaffold score {tree} exited {proc.returncode}: {proc.stderr.strip()}"
        )
    report = json.loads(proc.stdout)
    return {f["id"]: f for f in report["findings"]}, report["score"]


def compare(repos_dir: Path, repos: list[dict]) -> tuple[list[Pair], list[str], dict[str, int]]:
    """The labelled checks beside the scorer's verdicts, the repositories not found, and the
    overall score of each one scored."""
    pairs: list[Pair] = []
    missing: list[str] = []
    scores: dict[str, int] = {}
    for repo in repos:
        tree = repos_dir / repo["name"]
        if not tree.is_dir():
            missing.append(repo["name"])
            continue
        findings, scores[repo["name"]] = score(tree)
        for check, entry in sorted(repo["checks"].items()):
            finding = findings.get(
                check, {"status": "absent", "reason": "the scorer reported no finding"}
            )
            pairs.append(
                Pair(
                    repo=repo["name"],
                    check=check,
                    label=entry["label"],
                    evidence=entry.get("evidence", ""),
                    status=finding["status"],
                    reason=finding.get("reason", ""),
                )
            )
    return pairs, missing, scores


def _pct(num: int, den: int) -> str:
    return f"{100 * num / den:.1f}% ({num}/{den})" if den else "n/a (0/0)"


def _row(name: str, pairs: list[Pair]) -> str:
    applicable = [p for p in pairs if p.both_applicable]
    yes_no = sum(p.verdict_agrees for p in applicable)
    na_any = [p for p in pairs if NA in (p.label, p.status)]
    na_agree = sum(p.label == p.status for p in na_any)
    three_way = sum(p.verdict_agrees for p in pairs)
    exact = sum(p.label == p.status for p in pairs)
    false_pass = sum(p.status == "pass" and p.label in ("partial", "fail") for p in pairs)
    false_fail = sum(p.label == "pass" and p.status in ("partial", "fail") for p in pairs)
    return (
        f"| {name} | {_pct(yes_no, len(applicable))} | {_pct(na_agree, len(na_any))} | "
        f"{_pct(three_way, len(pairs))} | {_pct(exact, len(pairs))} | {false_pass} | {false_fail} |"
    )


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(pairs: list[Pair], missing: list[str], repos_dir: Path, scores: dict[str, int]) -> str:
    repos = sorted({p.repo for p in pairs}, key=[p.repo for p in pairs].index)
    out = [
        "# Accuracy of `mlscaffold score` against reviewer labels",
        "",
        f"Command: `python benchmarks/accuracy.py {repos_dir}` "
        f"({len(repos)} repositories, {len(pairs)} labelled checks).",
        "",
        "- **yes/no**: pass = yes, partial/fail = no, on checks both sides find applicable.",
        "- **n/a**: agreement on the checks either side calls not applicable.",
        "- **3-way**: yes / no / not applicable must match (every labelled check counts).",
        "- **exact**: pass / partial / fail / not_applicable must match.",
        "- **false pass**: scorer says pass, reviewer says partial or fail;"
        " **false fail**: the reverse.",
        "",
        "## By stage",
        "",
        "| stage | yes/no | n/a | 3-way | exact | false pass | false fail |",
        "|---|---|---|---|---|---|---|",
    ]
    for stage in STAGES.values():
        out.append(_row(stage, [p for p in pairs if p.stage == stage]))
    out.append(_row("**overall**", pairs))
    out += [
        "",
        "## By repository",
        "",
        "| repository | yes/no | n/a | 3-way | exact | false pass | false fail |",
        "|---|---|---|---|---|---|---|",
    ]
    for repo in repos:
        out.append(_row(repo, [p for p in pairs if p.repo == repo]))

    by_kind: dict[str, list[Pair]] = defaultdict(list)
    for p in pairs:
        if not p.verdict_agrees:
            by_kind["verdict"].append(p)
        elif p.label != p.status:
            by_kind["status"].append(p)
    out += [
        "",
        f"## Verdict disagreements ({len(by_kind['verdict'])})",
        "",
        "| repository | check | label | scorer | scorer reason | reviewer evidence |",
        "|---|---|---|---|---|---|",
    ]
    for p in by_kind["verdict"]:
        cells = [p.repo, p.check, p.label, p.status, _cell(p.reason), _cell(p.evidence)]
        out.append("| " + " | ".join(cells) + " |")
    out += [
        "",
        f"## Same verdict, different status ({len(by_kind['status'])})",
        "",
        "| repository | check | label | scorer | scorer reason |",
        "|---|---|---|---|---|",
    ]
    for p in by_kind["status"]:
        out.append(f"| {p.repo} | {p.check} | {p.label} | {p.status} | {_cell(p.reason)} |")
    out += ["", *_ranking(pairs, repos, scores)]
    if missing:
        out += ["", f"Not scored (no directory under {repos_dir}): {', '.join(missing)}"]
    return "\n".join(out) + "\n"


def _ranking(pairs: list[Pair], repos: list[str], scores: dict[str, int]) -> list[str]:
    """Spearman's rank correlation of the scorer's overall score with the labels' yes counts,
    and with the score the labels earn by the scorer's own formula (severity weights, partial
    one half, not applicable left out)."""
    from mlscaffold.score.judge.checklist import SEVERITY_WEIGHT, load_checklist

    weight = {c.id: SEVERITY_WEIGHT[c.severity] for c in load_checklist()}
    credit = {"pass": 1.0, "partial": 0.5, "fail": 0.0}
    scored = [r for r in repos if r in scores]
    yes, own = [], []
    for repo in scored:
        mine = [p for p in pairs if p.repo == repo]
        yes.append(sum(p.label == "pass" for p in mine))
        counted = [p for p in mine if p.label in credit]
        total = sum(weight.get(p.check, 1) for p in counted)
        earned = sum(weight.get(p.check, 1) * credit[p.label] for p in counted)
        own.append(100 * earned / total if total else 100.0)
    by_scorer = [float(scores[r]) for r in scored]
    return [
        "## Ranking",
        "",
        f"Spearman's rank correlation over {len(scored)} repositories of the overall score with "
        f"the labels' yes counts: {_spearman(by_scorer, yes):.3f}; with the score the labels "
        f"earn by the same formula: {_spearman(by_scorer, own):.3f}.",
    ]


def _ranks(values: list[float]) -> list[float]:
    order = sorted(range(len(values)), key=values.__getitem__)
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):  # ties share their average rank
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def _spearman(a: list[float], b: list[float]) -> float:
    if len(a) < 2:
        return float("nan")
    ra, rb = _ranks(a), _ranks(b)
    ma, mb = sum(ra) / len(ra), sum(rb) / len(rb)
    cov = sum((x - ma) * (y - mb) for x, y in zip(ra, rb, strict=True))
    va = sum((x - ma) ** 2 for x in ra) ** 0.5
    vb = sum((y - mb) ** 2 for y in rb) ** 0.5
    return cov / (va * vb) if va and vb else float("nan")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "repos_dir", type=Path, help="directory with one extracted tree per labelled repository"
    )
    parser.add_argument(
        "--labels",
        type=Path,
        action="append",
        help="labels file (repeatable: several files are one set); default: the tuning corpus",
    )
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "accuracy" / "results.md")
    args = parser.parse_args(argv)
    if not args.repos_dir.is_dir():
        print(f"accuracy: {args.repos_dir} is not a directory", file=sys.stderr)
        return 2
    labels = args.labels or [ROOT / "docs" / "accuracy" / "labels.yaml"]
    repos = [repo for path in labels for repo in load_labels(path)]
    try:
        pairs, missing, scores = compare(args.repos_dir, repos)
    except (RuntimeError, json.JSONDecodeError) as exc:
        print(f"accuracy: {exc}", file=sys.stderr)
        return 3
    if not pairs:
        print(
            f"accuracy: none of the labelled repositories is under {args.repos_dir}",
            file=sys.stderr,
        )
        return 2
    report = render(pairs, missing, args.repos_dir, scores)
    print(report, end="")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(report, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
