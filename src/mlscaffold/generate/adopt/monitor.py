"""Drift monitoring: a config naming the detected features and a module that checks them.

The statistics are the template's own (its ``FeatureDrift``, ``DriftReport`` and
``compute_drift``: a two-sample Kolmogorov-Smirnov test per feature with pandas and scipy),
taken from the rendered template module by ``ast``; the template's wiring to its own config and
feature modules is replaced by a small reader of ``configs/monitoring.yaml``. Written only when
the repository declares what the module imports and has tabular data with numeric columns to
use as the reference.
"""

from __future__ import annotations

import ast
import posixpath
import re

from mlscaffold.errors import TemplateError
from mlscaffold.generate.adopt.model import PieceResult, Proposal, Request, Target
from mlscaffold.repofacts import DataFile, RepoFacts

CONFIG = "configs/monitoring.yaml"
REUSED = ("FeatureDrift", "DriftReport", "compute_drift")
# Columns that name rows or answers, not inputs: monitoring them as features says nothing.
_NOT_FEATURES = re.compile(
    r"^(id|index|row_?id|uuid|key|target|label|labels|y|class|outcome)$|_id$", re.I
)

_WIRING = '''

def load_settings(path: Path) -> dict:
    with path.open(encoding="utf-8") as handle:
        settings = yaml.safe_load(handle)
    if not isinstance(settings, dict) or not settings.get("features"):
        raise SystemExit(f"{path}: no features to monitor")
    return settings


def read_table(path: Path) -> pd.DataFrame:
    if path.suffix in (".parquet", ".pq"):
        return pd.read_parquet(path)
    return pd.read_csv(path, sep="\\t" if path.suffix == ".tsv" else ",")


def check_drift(config_path: Path = CONFIG, current_path: Path | None = None) -> DriftReport:
    """Compare the current data with the reference, feature by feature; write the report."""
    settings = load_settings(config_path)
    features = [str(name) for name in settings["features"]]
    source = current_path or Path(settings["current_path"])
    reference = read_table(Path(settings["reference_path"]))[features].dropna()
    current = read_table(source)[features].dropna()
    report = compute_drift(
        reference,
        current,
        float(settings["p_value_threshold"]),
        float(settings["max_drifted_share"]),
    )
    report_path = Path(settings["report_path"])
    report_path.parent.mkdir(parents=True, exist_ok=True)
    report_path.write_text(json.dumps(report.to_dict(), indent=2) + "\\n", encoding="utf-8")
    for item in report.features:
        logger.info(
            "%-20s KS=%.3f p=%.4f %s",
            item.feature,
            item.statistic,
            item.p_value,
            "DRIFT" if item.drifted else "ok",
        )
    level = logging.ERROR if report.exceeded else logging.INFO
    logger.log(
        level,
        "%.0f%% of features drifted (limit %.0f%%) comparing %s with %s",
        100 * report.drifted_share,
        100 * report.max_drifted_share,
        source,
        settings["reference_path"],
    )
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check current data for drift.")
    parser.add_argument("--config", type=Path, default=CONFIG, help=f"default: {CONFIG}")
    parser.add_argument("--current", type=Path, help="current data (default: current_path)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    return 1 if check_drift(args.config, args.current).exceeded else 0


if __name__ == "__main__":
    sys.exit(main())
'''


def reference_file(facts: RepoFacts) -> DataFile | None:
    """The biggest tabular file with numeric columns: the data the model learnt from."""
    usable = [f for f in facts.data_files if any(c.numeric for c in f.columns)]
    return max(usable, key=lambda f: (f.size, f.path), default=None)


def features_of(file: DataFile) -> tuple[list[str], list[str]]:
    """(numeric features to monitor, other columns left out)."""
    features, others = [], []
    for column in file.columns:
        if column.numeric and not _NOT_FEATURES.search(column.name):
            features.append(column.name)
        else:
            others.append(column.name)
    return features, others


def module_location(facts: RepoFacts) -> tuple[str, str]:
    """(path of the module, how to run it)."""
    if facts.package_dir and facts.package:
        path = f"{facts.package_dir}/monitor.py"
        return path, f"python -m {facts.package}.monitor"
    folder = posixpath.dirname(facts.web_app.path) if facts.web_app else ""
    path = posixpath.join(folder, "monitor.py") if folder else "monitor.py"
    module = path.removesuffix(".py").removeprefix("src/").replace("/", ".")
    return path, f"python -m {module}"


def build_module(rendered_module: str) -> str:
    tree = ast.parse(rendered_module)
    pieces = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef | ast.FunctionDef) and node.name in REUSED:
            segment = ast.get_source_segment(rendered_module, node)
            decorators = "".join(
                f"@{ast.get_source_segment(rendered_module, d)}\n" for d in node.decorator_list
            )
            pieces[node.name] = decorators + (segment or "")
    missing = [name for name in REUSED if name not in pieces]
    if missing:
        raise TemplateError(
            f"the template's monitor module has no {', '.join(missing)}; adopt cannot reuse it"
        )
    header = (
        '"""Drift check: compare each monitored feature of current data with the reference data.\n'
        "\n"
        "Practices: DE4 (monitoring with alert thresholds from config, non-zero exit when\n"
        "exceeded), MO8 (what serving sees is compared with what training saw). Added by\n"
        "`mlscaffold adopt` from mlscaffold's template: scipy's two-sample Kolmogorov-Smirnov\n"
        f"test per feature, with the features, reference data and thresholds in {CONFIG}.\n"
        '"""\n'
        "\n"
        "from __future__ import annotations\n"
        "\n"
        "import argparse\n"
        "import json\n"
        "import logging\n"
        "import sys\n"
        "from dataclasses import asdict, dataclass\n"
        "from pathlib import Path\n"
        "\n"
        "import pandas as pd\n"
        "import yaml\n"
        "from scipy.stats import ks_2samp\n"
        "\n"
        "logger = logging.getLogger(__name__)\n"
        f'CONFIG = Path("{CONFIG}")\n'
    )
    body = "\n\n\n".join(pieces[name] for name in REUSED)
    return header + "\n\n" + body + "\n" + _WIRING


def _yaml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def build_config(
    rendered_config: str, reference: DataFile, features: list[str], others: list[str]
) -> str:
    """The template's monitoring config, pointed at the reference data and its features."""
    folder = posixpath.dirname(reference.path)
    current = posixpath.join(folder, "current" + posixpath.splitext(reference.path)[1])
    out = []
    for line in rendered_config.splitlines(keepends=True):
        if line.startswith("# Current data to compare"):
            continue
        if line.startswith("current_path:"):
            out.append("# Data the model learnt from, found by `mlscaffold adopt`.\n")
            out.append(f"reference_path: {_yaml_string(reference.path)}\n")
            out.append(
                "# TODO: where the inputs the service received are saved (or run with --current).\n"
            )
            out.append(f"current_path: {_yaml_string(current)}\n")
            continue
        out.append(line)
    out.append(f"# Numeric columns of {reference.path}; remove any that are not model inputs.\n")
    if others:
        shown = ", ".join(others[:20]) + (" ..." if len(others) > 20 else "")
        out.append(f"# Not monitored (identifiers, labels or not numeric): {shown}\n")
    out.append("features:\n")
    out.extend(f"  - {_yaml_string(name)}\n" for name in features)
    return "".join(out)


def drift(
    rendered: dict[str, str], request: Request, targets: list[Target], rendered_module_path: str
) -> PieceResult:
    result = PieceResult()
    facts = request.facts
    ids = tuple(t.check_id for t in targets)

    def skip(reason: str) -> PieceResult:
        for check_id in ids:
            result.skipped[check_id] = reason
        return result

    needs = {"pandas": ("pandas",), "scipy": ("scipy", "scikit-learn"), "pyyaml": ("pyyaml",)}
    missing = [name for name, any_of in needs.items() if not facts.declares(*any_of)]
    if missing:
        return skip(
            f"the drift module needs {', '.join(missing)} among the declared dependencies; "
            "declare them, then run `mlscaffold adopt --only DE006`"
        )
    reference = reference_file(facts)
    if reference is None:
        return skip("no CSV or Parquet data with numeric columns to use as the reference")
    features, others = features_of(reference)
    if not features:
        return skip(f"{reference.path} has no numeric feature columns to monitor")
    path, command = module_location(facts)
    module = build_module(rendered[rendered_module_path])
    config = build_config(rendered[CONFIG], reference, features, others)
    result.proposals.append(Proposal(path, module, ids))
    result.proposals.append(Proposal(CONFIG, config, ids))
    for check_id in ids:
        result.done[check_id] = (
            f"{path} checks {len(features)} feature(s) of {reference.path} for drift "
            f"(`{command}`, exit 1 on drift)"
        )
    return result
