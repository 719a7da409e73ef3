"""For every check, small repositories that must pass it and repositories that must not.

A meta-test (test_checks.py) fails when a check of the checklist has no passing case or no
failing case here, so a new check cannot land without both.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.score import snippets as s


@dataclass
class Case:
    check: str
    status: str  # pass | partial | fail | not_applicable
    files: dict[str, str | bytes]
    reason: str = ""  # a substring the reason must contain
    label: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.check}-{self.status}-{self.label or 'basic'}"


def readme(heading: str, body: str) -> dict[str, str]:
    return {"README.md": f"# Churn model\n\n## {heading}\n\n{body}\n"}


FILLED = "Support agents lose two hours a day triaging tickets by hand, so we route them."
TODO = "<!-- Describe the problem: who has it, what it costs. -->\nTODO: describe the problem."

CASES: list[Case] = [
    # ---------------------------------------------------------------- scoping
    Case("SC001", "pass", readme("Problem statement", FILLED)),
    Case("SC001", "pass", readme("Business objective", FILLED), label="synonym"),
    Case("SC001", "fail", readme("Problem statement", TODO), "not filled in", "placeholder"),
    Case(
        "SC001",
        "fail",
        readme("Installation", "pip install churn and run it."),
        "no document",
        "absent",
    ),
    Case("SC001", "partial", readme("Overview", FILLED), "general section", "overview"),
    Case("SC002", "pass", {"CODEOWNERS": "* @acme/ml-team\n"}, label="codeowners"),
    Case(
        "SC002",
        "pass",
        readme("Owners", "- Priya Shah owns the data pipeline and the labels."),
        label="section",
    ),
    Case(
        "SC002",
        "partial",
        {"pyproject.toml": '[project]\nname = "x"\nversion = "1"\nauthors = [{name = "Ann"}]\n'},
        "author metadata",
        "authors",
    ),
    Case("SC002", "fail", readme("Team", "TBD"), "not filled in", "placeholder"),
    Case("SC002", "fail", {"README.md": "# x\n"}, label="absent"),
    Case(
        "SC003",
        "pass",
        readme(
            "Success metrics", "Macro F1 >= 0.80 on the hold-out set, beating the rules baseline."
        ),
    ),
    Case(
        "SC003",
        "pass",
        readme("KPIs", "Reduce the median handling time by 20% within a quarter."),
        label="kpi",
    ),
    Case(
        "SC003",
        "partial",
        readme("Metrics", "We look at precision and recall for each class."),
        "no target",
        "names-only",
    ),
    Case(
        "SC003",
        "fail",
        readme("Success metrics", "<!-- what good looks like -->\n"),
        "not filled in",
        "empty",
    ),
    Case(
        "SC004",
        "pass",
        readme("Data sources", "Tickets come from the Zendesk export, refreshed daily by Ops."),
    ),
    Case("SC004", "fail", readme("Datasets", "- [ ] TODO"), "not filled in", "placeholder"),
    Case("SC004", "fail", {"README.md": "# x\n\nhello\n"}, label="absent"),
    Case(
        "SC005",
        "pass",
        readme(
            "Limitations",
            "The model was trained on English tickets only and underperforms on other languages.",
        ),
    ),
    Case(
        "SC005",
        "fail",
        readme(
            "Ethics, fairness and privacy",
            "Describe who could be harmed and how you checked for bias.",
        ),
        "not filled in",
        "prompt",
    ),
    Case("SC005", "fail", {"README.md": "# x\n"}, label="absent"),
    Case(
        "SC006",
        "pass",
        readme(
            "Deployment scenario",
            "A REST service called by the ticketing system for each new "
            "ticket, answering within 200 ms.",
        ),
    ),
    Case("SC006", "fail", readme("Serving", "TBD"), "not filled in", "placeholder"),
    Case("SC006", "fail", {"README.md": "# x\n"}, label="absent"),
    Case(
        "SC007",
        "pass",
        {
            "docs/charter.md": "# Charter\n\n## Timeline\n\n- 2026-01 baseline "
            "model in shadow\n- 2026-03 launch to all queues\n"
        },
    ),
    Case(
        "SC007",
        "fail",
        {"docs/charter.md": "# Charter\n\n## Milestones\n\nTBD\n"},
        "not filled in",
        "placeholder",
    ),
    Case("SC007", "fail", {"README.md": "# x\n"}, label="absent"),
    Case(
        "SC008",
        "pass",
        readme(
            "Retraining cadence",
            "Retrain monthly on the last year of tickets, or sooner when the drift check fails.",
        ),
    ),
    Case(
        "SC008",
        "fail",
        readme("Retraining cadence", "How often will the model be retrained?"),
        "not filled in",
        "question-prompt",
    ),
    Case("SC008", "fail", {"README.md": "# x\n"}, label="absent"),
    # ---------------------------------------------------------------- data
    Case(
        "DA001", "pass", {"dvc.yaml": "stages:\n  train:\n    cmd: python train.py\n"}, label="dvc"
    ),
    Case(
        "DA001",
        "pass",
        {"data/raw.csv.dvc": "outs:\n- md5: abc\n  path: raw.csv\n"},
        label="dvc-file",
    ),
    Case(
        "DA001",
        "pass",
        {".gitattributes": "data/** filter=lfs diff=lfs merge=lfs -text\n"},
        "git-lfs",
        "lfs",
    ),
    Case(
        "DA001",
        "pass",
        {"configs/data.yaml": "path: data/raw.csv\nversion: '2026-11-01'\nsha256: abc\n"},
        label="pinned-in-config",
    ),
    Case("DA001", "fail", {"src/load.py": "import pandas as pd\n"}),
    Case("DA002", "pass", {"data/sample.csv": "a,b\n1,2\n"}, label="small"),
    Case(
        "DA002",
        "pass",
        {".gitignore": "data/\n", "data/big.csv": b"x" * (2 << 20)},
        label="gitignored",
    ),
    Case(
        "DA002",
        "pass",
        {"data/big.csv": b"x" * (2 << 20), "data/big.csv.dvc": "outs: []\n"},
        label="dvc-tracked",
    ),
    Case(
        "DA002",
        "fail",
        {"data/big.csv": b"x" * (2 << 20), "models/m.pkl": b"\x80" * (3 << 20)},
        "2 data file(s)",
        "committed",
    ),
    Case(
        "DA003",
        "pass",
        {"src/churn/data.py": "import pandera as pa\nSCHEMA = pa.DataFrameSchema({})\n"},
        label="pandera",
    ),
    Case(
        "DA003",
        "pass",
        {
            "src/churn/data.py": "def validate(df):\n    missing = set(COLS) - set(df)\n"
            "    if missing:\n        raise ValueError(missing)\n"
        },
        label="function",
    ),
    Case(
        "DA003",
        "partial",
        {"src/churn/api.py": "from pydantic import BaseModel\n"},
        "pydantic",
        "pydantic-only",
    ),
    Case("DA003", "fail", {"src/churn/data.py": "def validate(df):\n    pass\n"}, "stub", "stub"),
    Case("DA003", "fail", {"src/churn/data.py": "import pandas\n"}, label="absent"),
    Case(
        "DA004",
        "pass",
        {
            "docs/data.md": "# Data\n\n## Data dictionary\n\n| column | type | "
            "meaning |\n|---|---|---|\n| tenure_months | int | months "
            "since signup |\n"
        },
    ),
    Case(
        "DA004",
        "fail",
        {"docs/data.md": "# Data\n\n## Columns\n\nTODO: list the columns\n"},
        "not filled in",
        "placeholder",
    ),
    Case("DA004", "fail", {"README.md": "# x\n"}, label="absent"),
    Case("DA005", "pass", {"src/churn/data.py": s.DATA}),
    Case(
        "DA005",
        "fail",
        {"notebooks/explore.ipynb": s.NOTEBOOK_TRAIN},
        "only in notebooks",
        "notebooks",
    ),
    Case("DA005", "fail", {"src/churn/data.py": "def load_data():\n    ...\n"}, "stub", "stub"),
    Case(
        "DA006",
        "pass",
        {"configs/features.yaml": "features:\n  - name: tenure_months\n    owner: data-eng\n"},
    ),
    Case("DA006", "pass", {"feature_repo/feature_store.yaml": "project: churn\n"}, label="feast"),
    Case("DA006", "fail", {"configs/train.yaml": "model:\n  C: 1.0\n"}),
    # ---------------------------------------------------------------- modeling
    Case("MO001", "pass", {"configs/train.yaml": "C: 1.0\n"}),
    Case(
        "MO001",
        "pass",
        {"train.py": "import hydra\n", "requirements.txt": "hydra-core==1.3.2\n"},
        label="hydra",
    ),
    Case("MO001", "fail", {"train.py": "C = 1.0\n"}),
    Case("MO002", "pass", {"train.py": "import mlflow\n", "requirements.txt": "mlflow==2.16.0\n"}),
    Case(
        "MO002",
        "partial",
        {"train.py": "import os\n", "requirements.txt": "wandb==0.18.0\n"},
        "declared but never imported",
        "declared-only",
    ),
    Case(
        "MO002",
        "partial",
        {"train.py": "import wandb\n", "requirements.txt": "numpy==2.0.0\n"},
        "not declared",
        "undeclared",
    ),
    Case(
        "MO002",
        "partial",
        {"train.py": "from torch.utils.tensorboard import SummaryWriter\n"},
        "only",
        "tensorboard",
    ),
    Case("MO002", "fail", {"train.py": "import sklearn\n"}),
    Case("MO003", "pass", s.PIPELINE),
    Case(
        "MO003",
        "pass",
        {
            "dvc.yaml": "stages:\n  prepare:\n    cmd: python prepare.py\n"
            "  train:\n    cmd: python train.py\n"
        },
        label="dvc",
    ),
    Case(
        "MO003",
        "fail",
        {
            "src/churn/data.py": s.STUB,
            "src/churn/train.py": s.STUB,
            "src/churn/features.py": s.STUB,
            "src/churn/evaluate.py": s.STUB,
            "requirements.txt": "scikit-learn==1.5.0\n",
            "src/churn/model.py": "from sklearn.linear_model import Ridge\n",
        },
        "stubs",
        "stubs",
    ),
    Case(
        "MO003",
        "fail",
        {"notebooks/train.ipynb": s.NOTEBOOK_TRAIN},
        "only in notebooks",
        "notebook-only",
    ),
    Case(
        "MO003",
        "partial",
        {
            "train.py": "import pandas as pd\nfrom sklearn.svm import SVC\n"
            "df = pd.read_csv('x.csv')\nSVC().fit(df, df.y)\n"
        },
        "one script",
        "script",
    ),
    Case(
        "MO003",
        "not_applicable",
        {"src/lib/strings.py": "def shout(s):\n    return s.upper()\n"},
        "trains no model",
        "library",
    ),
    Case("MO004", "pass", s.PIPELINE, label="no-notebooks"),
    Case(
        "MO004",
        "pass",
        {**s.PIPELINE, "notebooks/eda.ipynb": s.NOTEBOOK_TRAIN},
        label="exploration",
    ),
    Case(
        "MO004",
        "fail",
        {"notebooks/train.ipynb": s.NOTEBOOK_TRAIN},
        "only in notebooks",
        "notebook-only",
    ),
    Case(
        "MO004",
        "fail",
        {
            **s.PIPELINE,
            "src/churn/run.py": "import papermill as pm\n"
            "pm.execute_notebook('a.ipynb', 'b.ipynb')\n",
        },
        "executes notebooks",
        "papermill",
    ),
    Case(
        "MO004",
        "fail",
        {
            **s.PIPELINE,
            "Makefile": "train:\n\tjupyter nbconvert --to notebook --execute train.ipynb\n",
        },
        "executes notebooks",
        "nbconvert",
    ),
    Case("MO005", "pass", {"tests/test_features.py": s.TESTS}, "3 meaningful"),
    Case(
        "MO005",
        "partial",
        {"tests/test_placeholder.py": s.EMPTY_TESTS},
        "assert nothing",
        "placeholders",
    ),
    Case("MO005", "fail", {"src/x.py": "x = 1\n"}),
    Case(
        "MO006",
        "pass",
        {
            "pyproject.toml": '[project]\nname = "x"\nversion = "1"\n'
            'dependencies = ["pandas>=2"]\n',
            "uv.lock": "version = 1\n",
        },
        "lock file",
        "lock",
    ),
    Case(
        "MO006",
        "pass",
        {"requirements.txt": "pandas==2.2.3\nscikit-learn==1.5.2\n"},
        "pinned",
        "pins",
    ),
    Case(
        "MO006",
        "partial",
        {"requirements.txt": "pandas>=2\nscikit-learn==1.5.2\n"},
        "ranges",
        "ranges",
    ),
    Case(
        "MO006",
        "pass",
        {
            "environment.yml": "dependencies:\n  - python=3.11\n  - numpy=1.26.4\n"
            "  - pip:\n    - mlflow==2.16.0\n"
        },
        label="conda",
    ),
    Case(
        "MO006",
        "partial",
        {
            "setup.py": "from setuptools import setup\nsetup(install_requires="
            "['flask>=2', 'joblib==1.3'])\n"
        },
        label="setup-py",
    ),
    Case(
        "MO006", "fail", {"requirements.txt": "pandas\nscikit-learn\n"}, "none pinned", "unpinned"
    ),
    Case("MO006", "fail", {"train.py": "import pandas\n"}, "no dependencies", "absent"),
    Case("MO007", "pass", s.PIPELINE, "seed", "random-state"),
    Case(
        "MO007",
        "pass",
        {"configs/train.yaml": "seed: 7\n", "train.py": "model.fit(X, y)\n"},
        label="config",
    ),
    Case("MO007", "fail", {"train.py": "from sklearn.svm import SVC\nSVC().fit(X, y)\n"}),
    Case("MO007", "not_applicable", {"README.md": "# docs only\n"}, label="no-training"),
    Case("MO008", "pass", s.PIPELINE),
    Case(
        "MO008",
        "partial",
        {
            "src/churn/evaluate.py": "from sklearn.metrics import f1_score\n\n\n"
            "def evaluate(y, p):\n    return f1_score(y, p)\n",
            "src/churn/train.py": s.TRAIN,
        },
        "not recorded",
        "not-recorded",
    ),
    Case("MO008", "fail", {"src/churn/train.py": s.TRAIN}),
    Case(
        "MO009",
        "pass",
        {
            "src/churn/train.py": s.TRAIN.replace(
                'joblib.dump(model, cfg["model_path"])',
                "mlflow.sklearn.log_model(model, 'model', registered_model_name='churn')",
            )
        },
        label="mlflow",
    ),
    Case(
        "MO009",
        "pass",
        {
            "src/churn/train.py": s.TRAIN + "\n\ndef save_meta(path, version):\n"
            "    path.write_text(json.dumps({'version': version}))\n"
        },
        "version metadata",
        "metadata",
    ),
    Case("MO009", "partial", {"src/churn/train.py": s.TRAIN}, "without a version", "dump-only"),
    Case("MO009", "fail", {"train.py": "from sklearn.svm import SVC\nSVC().fit(X, y)\n"}),
    Case("MO010", "pass", {"pyproject.toml": "[tool.ruff]\nline-length = 100\n"}),
    Case("MO010", "pass", {".pre-commit-config.yaml": "repos: []\n"}, label="pre-commit"),
    Case(
        "MO010",
        "partial",
        {"requirements-dev.txt": "ruff==0.6.0\n"},
        "no configuration",
        "declared-only",
    ),
    Case("MO010", "fail", {"README.md": "# x\n"}),
    # ---------------------------------------------------------------- deployment
    Case(
        "DE001",
        "pass",
        {
            "Dockerfile": "FROM python:3.11-slim-bookworm\nCOPY . /app\n"
            "RUN pip install --no-cache-dir /app\nUSER 10001\n"
        },
    ),
    Case(
        "DE001",
        "partial",
        {"Dockerfile": "FROM python:latest\nRUN pip install x\n"},
        "not pinned",
        "latest",
    ),
    Case(
        "DE001",
        "partial",
        {"Dockerfile": "FROM python\nRUN pip install x\n"},
        "not pinned",
        "tagless",
    ),
    Case(
        "DE001",
        "partial",
        {"Dockerfile": 'FROM python:3.11-slim\nCMD ["python"]\n'},
        "installs nothing",
        "no-install",
    ),
    Case(
        "DE001",
        "pass",
        {
            "Dockerfile": "FROM python:3.11-slim AS build\nRUN pip wheel .\n"
            "FROM build\nRUN pip install x\n"
        },
        label="multistage",
    ),
    Case("DE001", "fail", {"README.md": "# x\n"}),
    Case(
        "DE002",
        "pass",
        {
            ".github/workflows/ci.yml": "on: push\njobs:\n  t:\n    runs-on: x\n"
            "    steps:\n      - run: pytest -q\n"
        },
    ),
    Case(
        "DE002",
        "pass",
        {".gitlab-ci.yml": "test:\n  script:\n    - ruff check .\n"},
        label="gitlab",
    ),
    Case(
        "DE002",
        "partial",
        {
            ".github/workflows/img.yml": "on: push\njobs:\n  b:\n    steps:\n"
            "      - run: docker build .\n"
        },
        "runs no tests",
        "build-only",
    ),
    Case("DE002", "fail", {"README.md": "# x\n"}),
    Case(
        "DE003",
        "pass",
        {".github/workflows/retrain.yml": "on:\n  schedule:\n    - cron: '0 3 * * 1'\njobs: {}\n"},
        label="schedule",
    ),
    Case(
        "DE003",
        "pass",
        {
            ".github/workflows/cd.yml": "on: push\njobs:\n  d:\n    steps:\n"
            "      - run: docker push acme/churn\n"
        },
        label="push",
    ),
    Case(
        "DE003",
        "fail",
        {".github/workflows/ci.yml": "on: push\njobs:\n  t:\n    steps:\n      - run: pytest\n"},
        "never",
        "ci-only",
    ),
    Case("DE003", "fail", {"README.md": "# x\n"}, "no CI", "no-ci"),
    Case("DE004", "pass", {**s.PIPELINE, "src/churn/serve.py": s.SERVE}, "web service", "fastapi"),
    Case(
        "DE004",
        "pass",
        {
            **s.PIPELINE,
            "src/churn/predict.py": "import joblib\n\n\ndef main(path):\n"
            "    model = joblib.load(path)\n    return model.predict(load(path))\n",
        },
        "batch",
        "batch",
    ),
    Case(
        "DE004",
        "fail",
        {**s.PIPELINE, "src/churn/serve.py": "def serve():\n    pass\n"},
        "stub",
        "stub",
    ),
    Case("DE004", "fail", s.PIPELINE, "no serving", "absent"),
    Case(
        "DE004",
        "not_applicable",
        {"src/lib/strings.py": "def shout(s):\n    return s.upper()\n"},
        label="no-model",
    ),
    Case("DE005", "pass", {**s.PIPELINE, "src/churn/serve.py": s.SERVE}, "both import"),
    Case(
        "DE005", "fail", {**s.PIPELINE, "src/churn/serve.py": s.SERVE_COPY}, "re-implements", "copy"
    ),
    Case(
        "DE005",
        "fail",
        {**s.PIPELINE, "src/churn/serve.py": s.SERVE_OWN},
        "imports nothing",
        "unshared",
    ),
    Case("DE005", "not_applicable", s.PIPELINE, "requires DE004", "no-serving"),
    Case(
        "DE006",
        "pass",
        {"src/churn/monitor.py": "from evidently.report import Report\n"},
        label="evidently",
    ),
    Case(
        "DE006",
        "pass",
        {
            "src/churn/drift.py": "from scipy.stats import ks_2samp\n\n\n"
            "def drift(ref, cur):\n    return ks_2samp(ref, cur).pvalue\n"
        },
        label="scipy",
    ),
    Case(
        "DE006",
        "partial",
        {"src/churn/app.py": "from prometheus_client import Counter\n"},
        "service metrics",
        "prometheus",
    ),
    Case("DE006", "fail", s.PIPELINE),
    Case("DE007", "pass", s.PIPELINE),
    Case(
        "DE007",
        "partial",
        {**s.PIPELINE, "src/churn/evaluate.py": s.EVALUATE + "\nprint('done')\n"},
        "alongside logging",
        "mixed",
    ),
    Case(
        "DE007",
        "fail",
        {"src/churn/train.py": "def train():\n    print('training')\n"},
        "no logging",
        "prints",
    ),
    Case("DE007", "not_applicable", {"README.md": "# x\n"}, label="no-code"),
    Case(
        "DE008",
        "pass",
        {
            "src/churn/db.py": "import os\nPASSWORD = os.environ['DB_PASSWORD']\n",
            "configs/db.yaml": "password: ${DB_PASSWORD}\n",
        },
    ),
    Case(
        "DE008",
        "fail",
        {"src/churn/aws.py": "KEY = '" + "AKIA" + "Q3EGRY7T2LMXAB4Z" + "'\n"},
        "AWS access key",
        "aws",
    ),
    Case("DE008", "fail", {".env": "TOKEN=abc\n"}, ".env", "dotenv"),
    Case(
        "DE008",
        "fail",
        {"configs/db.yaml": "db:\n  password: " + "hunter2" + "-s3cret\n"},
        "password",
        "config",
    ),
    Case(
        "DE008",
        "fail",
        {"deploy/key.pem": "-----BEGIN RSA " + "PRIVATE KEY-----\nabc\n"},
        "private key",
        "pem",
    ),
    Case(
        "DE008",
        "fail",
        {"settings.py": "DB = 'postgres://app:" + "Zq9xT4kLm" + "@db.internal/x'\n"},
        "password in URL",
        "url",
    ),
]
