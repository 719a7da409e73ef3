"""For every check, small repositories that must pass it and repositories that must not.

A meta-test (test_checks.py) fails when a check of the checklist has no passing case or no
failing case here, so a new check cannot land without both.
"""

from __future__ import annotations

import json
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

# Four step modules that nothing chains (MO003).
STEPS = {
    "src/p/data.py": "import pandas as pd\n\n\ndef load():\n    return pd.read_csv('x.csv')\n",
    "src/p/features.py": "def build(df):\n    df['z'] = df.x * 2\n    return df\n",
    "src/p/train.py": "from sklearn.svm import SVC\n\n\ndef train(df):\n    return SVC().fit(df, df.y)\n",
    "src/p/evaluate.py": "def evaluate(m, df):\n    return m.score(df, df.y)\n",
}

BIKE_README = (
    "Bike Sharing Dataset\n====================\n\nHourly rentals of a bike-share system, "
    "2011-2012, downloaded from https://archive.ics.uci.edu/dataset/275 with the weather of "
    "each hour.\n\nBoth hour.csv and day.csv have the following fields:\n\n"
    "- dteday: date\n- season: 1 winter, 2 spring, 3 summer, 4 autumn\n"
    "- temp: normalised temperature in Celsius\n- cnt: count of rentals, the target\n"
)
DATA_KEPT = {"data/raw/.gitkeep": ""}  # data in scope for a repository that trains nothing
WHERE_DATA_GOES = "Put the CSV files here; they are not committed.\n"

# A pretrained model served as it is: no training, no dataset of its own (DA001, DA004, DA005).
PRETRAINED_SERVICE = {
    "app.py": "from fastapi import FastAPI\nfrom transformers import pipeline\n\n"
    "app = FastAPI()\nclf = pipeline('sentiment-analysis')\n\n\n@app.post('/predict')\n"
    "def predict(text: str):\n    return clf(text)\n",
    "tests/test_app.py": "def test_predict(client):\n    assert client.post('/predict').ok\n",
    "tests/data/sample.csv": "text\nhello\n",
}

# A published library: users pip install it by name; its fit/train code is its API.
VIT_LIBRARY = {
    "pyproject.toml": '[project]\nname = "vit-pytorch"\nversion = "1.0"\n',
    "README.md": "# vit-pytorch\n\nVision Transformer in PyTorch.\n\n```bash\n"
    "$ pip install vit-pytorch\n```\n",
    "vit_pytorch/__init__.py": "from vit_pytorch.vit import ViT\n",
    "vit_pytorch/vit.py": "import torch\n\n\nclass ViT(torch.nn.Module):\n"
    "    def fit(self, loader):\n        for x, y in loader:\n            self.train()\n",
}

# A competition solution: trains, then a predict script writes the submission; nothing deploys.
SUBMISSION = {
    **s.PIPELINE,
    "src/churn/predict.py": "import joblib\n\n\ndef main(path):\n"
    "    model = joblib.load(path)\n    model.predict(load(path)).to_csv('submission.csv')\n",
}
SCHEDULED_CI = {
    ".github/workflows/score.yml": "on:\n  schedule:\n    - cron: '0 6 * * 1'\njobs:\n  score:\n"
    "    runs-on: ubuntu-latest\n    steps:\n      - run: python -m churn.predict\n"
}

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
    Case(
        "SC001",
        "partial",
        readme("Overview", "This project classifies support tickets into queues with a model."),
        "general section",
        "overview",
    ),
    # A general section that says who has the problem and what the model changes for them
    # states it, whatever its heading.
    Case("SC001", "pass", readme("Overview", FILLED), "describes the problem", "overview-promoted"),
    Case("SC002", "pass", {"CODEOWNERS": "* @acme/ml-team\n"}, label="codeowners"),
    # A company credited for the repository owns nothing.
    Case(
        "SC002",
        "partial",
        {
            "README.md": "# Classifier\n\n## Contact Information\n\nRepository created by the help "
            "of Ready Tensor, Inc. (https://www.readytensor.ai/)\n"
        },
        "names no person",
        "company-credit",
    ),
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
        "pass",
        readme("Metrics", "We look at precision and recall for each class."),
        "success metrics",
        "names-only",
    ),
    Case(
        "SC003",
        "pass",
        {
            "README.md": "# Keyword spotting\n\nA small transformer for spoken commands.\n\n"
            "## Pretrained checkpoints\n\n| Model | Test accuracy | Params |\n"
            "|-------|---------------|--------|\n| KWT-1 | 95.98 | 607K |\n",
        },
        "states success metrics",
        "a-table-of-achieved-scores",
    ),
    Case(
        "SC003",
        "fail",
        {
            "README.md": "# Keyword spotting\n\n## Options\n\n| flag | meaning |\n"
            "|------|---------|\n| --lr | learning rate, e.g. 0.001 |\n",
        },
        label="a-table-naming-no-metric",
    ),
    Case(
        "SC003",
        "fail",
        {
            "README.md": "# Llama fine-tune\n\n## Hardware requirements\n\n| Precision | VRAM needed |\n"
            "|-----------|-------------|\n| fp16 | 13.5 GB |\n\n## Dataset\n\n"
            "| Breed | Mean weight (lb) | Images |\n|---|---|---|\n| Labrador | 65.5 | 1200 |\n",
        },
        label="tables-of-sizes-are-no-scores",
    ),
    Case(
        "SC003",
        "fail",
        {
            "README.md": "# Sales forecast\n\nForecasts daily sales.\n",
            "DATA_ISSUE_FIX_SUMMARY.md": "# Data issue fix\n\n## Results After Fix\n\n"
            "| metric | before | after |\n|---|---|---|\n| MAE | 0.91 | 0.42 |\n",
            "ENHANCED_DASHBOARD_SUMMARY.md": "# Dashboard\n\n## Success metrics\n\n"
            "Accuracy above 90% on the chart tooltips.\n",
        },
        label="change-reports-are-not-the-projects-scope",
    ),
    Case(
        "SC008",
        "fail",
        {
            "README.md": "# Remaining useful life\n\nPredicts engine wear from sensor data.\n",
            "V2_2_REPAIR_PLAN.md": "# V2_2_REPAIR_PLAN.md\n\nPre-registered selection policy: the "
            "champion is retrained when a candidate beats it by more than the threshold.\n",
        },
        label="a-sessions-repair-plan-is-not-the-projects-iteration-plan",
    ),
    Case(
        "SC008",
        "pass",
        {
            "README.md": "# Churn\n\n## Highlights\n\n- Automatically retrains when new production "
            "data is pushed, after a drift check.\n",
            "train.py": "from sklearn.linear_model import LogisticRegression\n"
            "LogisticRegression().fit(X, y)\n",
        },
        "retraining",
        "retrains-when-new-data",
    ),
    Case(
        "SC008",
        "fail",
        readme("Fast lint iteration", "Run ruff on the changed files only; it takes a second."),
        label="lint-iteration-is-no-retraining-plan",
    ),
    Case(
        "SC003",
        "fail",
        {
            **readme("Install", "pip install the package, then run the pipeline."),
            "docs-website/reference/haystack-api/evaluators_api.md": "# Evaluators\n\n"
            "## Metrics\n\nRecall and MRR per query, averaged over the evaluation set.\n",
            "docs/versioned_docs/version-1.0/metrics.md": "# Metrics\n\n"
            "Macro F1 >= 0.80 on the hold-out set, beating the rules baseline.\n",
        },
        label="api-reference-and-old-doc-copies-are-not-scoping-prose",
    ),
    Case(
        "SC003",
        "partial",
        readme("Metrics", "We will agree how to measure this with the business team soon."),
        "names no metric",
        "no-metric-named",
    ),
    Case(
        "SC003",
        "pass",
        readme(
            "How well it works", "The new ranking beats the model in production on every store."
        ),
        "success metrics",
        "beats-production",
    ),
    Case(
        "SC003",
        "fail",
        readme("Success metrics", "<!-- what good looks like -->\n"),
        "not filled in",
        "empty",
    ),
    # The source named by the section's heading, or linked in the document's opening lines
    # above a "Dataset description" that then describes the data.
    Case(
        "SC004",
        "pass",
        {
            "README.md": "# Toxic comments\n\nThe Kaggle dataset: "
            "[link](https://www.kaggle.com/c/jigsaw-toxic-comment-classification-challenge).\n\n"
            "## Dataset description\n\nWikipedia comments labelled by human raters; the six "
            "toxicity types are imbalanced (threat is under 1% of comments).\n",
            "train.py": "from sklearn.linear_model import LogisticRegression\n"
            "LogisticRegression().fit(X, y)\n",
        },
        "section 'Dataset description'",
        "source-in-introduction",
    ),
    Case(
        "SC004",
        "pass",
        readme(
            "Data sources",
            "Tickets come from the Zendesk export, refreshed daily by Ops. Tickets before 2022 "
            "lack the product field.",
        ),
    ),
    Case(
        "SC004",
        "partial",
        readme("Data sources", "Tickets come from the Zendesk export, refreshed daily by Ops."),
        "not their limits",
        "no-limits",
    ),
    Case("SC004", "fail", readme("Datasets", "- [ ] TODO"), "not filled in", "placeholder"),
    Case(
        "SC004",
        "partial",
        {
            "Bike-Sharing-Dataset/Readme.txt": BIKE_README.replace("2011-2012, ", ""),
            "Bike-Sharing-Dataset/hour.csv": "a\n",
        },
        "the data README Bike-Sharing-Dataset/Readme.txt names its sources but not their limits",
        "dataset-readme-names-source",
    ),
    Case(
        "SC004",
        "pass",
        {"data/README": BIKE_README + "\nKnown gaps: the 2012 storm days are missing.\n"},
        "the data README data/README describes data sources",
        "dataset-readme-source-and-limits",
    ),
    Case("SC004", "fail", {"data/README.md": WHERE_DATA_GOES}, label="data-folder-note"),
    Case(
        "SC004",
        "pass",
        readme(
            "Data", "Kaggle's chest CT-scan set: about 1000 images in four classes, split 70/20/10."
        ),
        "describes data sources",
        "source-with-its-size",
    ),
    Case(
        "SC004",
        "pass",
        {
            "docs/data_pipeline.md": "# Data pipeline\n\n## Data Acquisition\n\n### Source\n\n"
            "Expedia's hotel search logs from the Kaggle competition (https://kaggle.com/c/x): "
            "9.9 million rows; competitor prices are missing for most searches.\n"
        },
        "data sources",
        "acquisition-and-source-headings",
    ),
    Case(
        "SC004",
        "partial",
        {
            "README.md": "# FAQ chatbot\n\n## Scrape relevant documents\n\nThe FAQ question-answer "
            "pairs are scraped from https://example.org/faq with Selenium.\n"
        },
        "names its sources but not their limits",
        "scraping-section",
    ),
    Case(
        "SC004",
        "fail",
        {
            "README.md": "# Contrastive learning\n\n## Sources\n\n- [SimCLR](https://arxiv.org/abs/2002.05709)\n"
            "- [MoCo](https://arxiv.org/abs/1911.05722)\n"
        },
        label="a-bibliography-is-no-data-source",
    ),
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
    Case(
        "SC005",
        "partial",
        readme(
            "Known limitations",
            "Trained only on 2023 data from Polish stores; it does not generalise to new markets.",
        ),
        "names no harm",
        "limits-of-scope-only",
    ),
    Case(
        "SC005",
        "fail",
        readme("Position bias correction", "Clicks favour the top results; we reweight them."),
        label="ranking-position-bias-is-modelling",
    ),
    Case("SC005", "fail", {"README.md": "# x\n"}, label="absent"),
    Case(
        "SC006",
        "fail",
        {
            "README.md": "# Diploma project\n\n## Test and Deploy\n\nUse the built-in continuous "
            "integration in GitLab.\n\n- [ ] [Get started with GitLab CI/CD]"
            "(https://docs.gitlab.com/ee/ci/quick_start/index.html)\n"
            "- [ ] [Set up protected environments](https://docs.gitlab.com/ee/ci/environments/"
            "protected_environments.html)\n"
        },
        "not filled in",
        "gitlab-readme-template-left-as-is",
    ),
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
        {
            ".gitattributes": "data/** filter=lfs diff=lfs merge=lfs -text\n",
            "data/train.csv": "version https://git-lfs.github.com/spec/v1\noid sha256:ab\nsize 9\n",
        },
        "git-lfs",
        "lfs",
    ),
    # Model weights under git-lfs are not data; a template's data rules that match no file of
    # the repository version nothing.
    Case(
        "DA001",
        "fail",
        {
            ".gitattributes": "*.safetensors filter=lfs diff=lfs merge=lfs -text\n"
            "*.arrow filter=lfs diff=lfs merge=lfs -text\n",
            "outputs/lora.safetensors": "version https://git-lfs.github.com/spec/v1\n",
            "train.py": "import pandas as pd\nfrom sklearn.linear_model import LogisticRegression\n"
            "df = pd.read_csv('https://example.org/train.csv')\n"
            "LogisticRegression().fit(df[['x']], df['y'])\n",
        },
        "no git-lfs rule for data",
        "lfs-weights-only",
    ),
    Case(
        "DA001",
        "pass",
        {"configs/data.yaml": "path: data/raw.csv\nversion: '2026-11-01'\nsha256: abc\n"},
        label="pinned-in-config",
    ),
    Case("DA001", "fail", {"src/load.py": "import pandas as pd\n", **DATA_KEPT}),
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
            "    if missing:\n        raise ValueError(missing)\n",
            "src/churn/train.py": "from churn.data import validate\n\n\ndef train(df):\n"
            "    validate(df)\n    return model.fit(df)\n",
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
    Case(
        "DA003",
        "fail",
        {
            "src/churn/settings.py": "from pydantic import BaseSettings, Field\n\n\n"
            "class Settings(BaseSettings):\n    db_url: str = Field('sqlite://')\n"
        },
        label="settings-class-is-no-validation",
    ),
    Case("DA003", "fail", {"src/churn/data.py": "def validate(df):\n    pass\n"}, "stub", "stub"),
    Case("DA003", "fail", {"src/churn/data.py": "import pandas\n"}, label="absent"),
    # A drift report is monitoring; a test suite over the data is validation.
    Case(
        "DA003",
        "fail",
        {"src/churn/monitor.py": "from evidently.report import Report\nReport(metrics=[])\n"},
        label="evidently-drift-report",
    ),
    Case(
        "DA003",
        "pass",
        {"src/churn/checks.py": "from evidently.test_suite import TestSuite\n"},
        label="evidently-test-suite",
    ),
    # A table of the features with what each means counts under any heading; a product's
    # "Key features" table does not.
    Case(
        "DA004",
        "pass",
        {
            "README.md": "# Zoo\n\n## Datasets\n\nThe UCI zoo data.\n\n| Feature | Description |\n"
            "|---|---|\n| hair | Has hair |\n| legs | Number of legs |\n",
            "data/zoo.csv": "hair,legs\n1,4\n",
        },
        "states the data's meaning",
        "feature-table",
    ),
    Case(
        "DA004",
        "fail",
        {
            "README.md": "# Taxi\n\n## Key features\n\n| Feature | Description |\n|---|---|\n"
            "| Tracking | MLflow autolog |\n| Serving | FastAPI /predict |\n",
            "data/trips.csv": "a,b\n1,2\n",
        },
        label="product-features-table",
    ),
    Case(
        "DA004",
        "pass",
        {
            "docs/data-dictionary.csv": "field,dtype,description\nage,int,age in years at admission\n",
            "src/los/train.py": "import pandas as pd\nfrom sklearn.linear_model import Ridge\n\n"
            "df = pd.read_csv('data/admissions.csv')\nRidge().fit(df[['age']], df.los)\n",
        },
        "docs/data-dictionary.csv documents the data's meaning",
        "data-dictionary-kept-as-a-table",
    ),
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
        "pass",
        {
            "README.md": "# credit\n\nScores loans.\n\n## Data Overview\n\nKey fields:\n\n"
            "| Field | Description |\n|---|---|\n| `AMT_CREDIT` | credit amount of the loan |\n"
            "| `TARGET` | default indicator (1 = default) |\n",
            "train.py": "from sklearn.svm import SVC\nSVC().fit(X, y)\n",
        },
        "states the data's meaning",
        "field-table-under-any-heading",
    ),
    Case(
        "DA004",
        "fail",
        {
            "README.md": "# tool\n\nA CLI.\n\n## Options\n\n| Option | Description |\n|---|---|\n"
            "| `--fast` | go fast |\n",
            "train.py": "from sklearn.svm import SVC\nSVC().fit(X, y)\n",
        },
        label="option-table-is-no-data-dictionary",
    ),
    Case(
        "DA004",
        "fail",
        {
            "README.md": "# app\n\nPredicts rides.\n\n## Key features\n\n| Feature | Description |\n"
            "|---|---|\n| API | serves predictions |\n\n## Setup\n\n| Variable | Description |\n"
            "|---|---|\n| `AWS_REGION` | where to deploy |\n",
            "train.py": "from sklearn.svm import SVC\nSVC().fit(X, y)\n",
        },
        label="software-features-and-env-vars-are-no-data-dictionary",
    ),
    Case(
        "DA004",
        "fail",
        {"docs/data.md": "# Data\n\n## Columns\n\nTODO: list the columns\n", **DATA_KEPT},
        "not filled in",
        "placeholder",
    ),
    Case("DA004", "fail", {"README.md": "# x\n", **DATA_KEPT}, label="absent"),
    Case("DA004", "not_applicable", PRETRAINED_SERVICE, "no data of its own", "pretrained-service"),
    Case("MO002", "not_applicable", VIT_LIBRARY, "an ML library", "published-library"),
    Case("DE004", "not_applicable", VIT_LIBRARY, "an ML library", "published-library"),
    Case("DA001", "not_applicable", VIT_LIBRARY, "an ML library", "published-library"),
    Case("SC003", "not_applicable", VIT_LIBRARY, "an ML library", "published-library"),
    Case(
        "DA005",
        "pass",
        {
            "datagenerator.py": "import librosa\nimport tensorflow as tf\n\n\n"
            "class DataGenerator(tf.keras.utils.Sequence):\n    def __getitem__(self, i):\n"
            "        wave, rate = librosa.load(self.paths[i], sr=32000)\n"
            "        return librosa.feature.mfcc(y=wave, sr=rate), self.labels[i]\n",
            "train.py": "from datagenerator import DataGenerator\n\nmodel.fit(DataGenerator(paths))\n",
        },
        "dataset class DataGenerator",
        "audio-sequence-loading-wav-files",
    ),
    Case(
        "MO008",
        "pass",
        {
            "train.py": "import pytorch_lightning as pl\nfrom ner.module import Tagger\n\n"
            "trainer = pl.Trainer()\ntrainer.fit(Tagger())\ntrainer.test(Tagger())\n",
            "ner/module.py": "import pytorch_lightning as pl\n"
            "from seqeval.metrics import f1_score, precision_score\n\n\n"
            "class Tagger(pl.LightningModule):\n    def test_epoch_end(self, outputs):\n"
            "        scores = {'test_f1': f1_score(y, p), 'test_precision': precision_score(y, p)}\n"
            "        for metric, value in scores.items():\n"
            "            self.log(metric, value, prog_bar=True)\n",
        },
        "",
        "lightning-logs-metrics-named-by-a-variable",
    ),
    Case(
        "MO008",
        "partial",
        {
            "train.py": "from sklearn.metrics import accuracy_score\n\n"
            "model.fit(X, y)\nprint(accuracy_score(y_test, model.predict(X_test)))\n",
            "scraper.py": "class Scraper:\n    def fetch(self, url):\n"
            "        self.log(f'fetching {url}')\n",
        },
        "not recorded",
        "a scraper's self.log message records no metric",
    ),
    Case(
        "MO002",
        "partial",
        {
            "src/ner/module.py": "import pytorch_lightning as pl\n\n\nclass Tagger(pl.LightningModule):\n"
            "    def __init__(self, lr):\n        super().__init__()\n        self.save_hyperparameters()\n"
            "    def validation_step(self, batch, i):\n        self.log('val_f1', self.f1(batch))\n",
            "train.py": "import pytorch_lightning as pl\nfrom ner.module import Tagger\n\n"
            "trainer = pl.Trainer(max_epochs=3)\ntrainer.fit(Tagger(lr=1e-3))\n",
        },
        "Lightning's default logger",
        "lightning-default-tensorboard-only",
    ),
    Case(
        "MO002",
        "pass",
        {
            "src/ner/module.py": "import pytorch_lightning as pl\n\n\nclass Tagger(pl.LightningModule):\n"
            "    def __init__(self, lr):\n        super().__init__()\n        self.save_hyperparameters()\n"
            "    def validation_step(self, batch, i):\n        self.log('val_f1', self.f1(batch))\n",
            "train.py": "import pytorch_lightning as pl\nfrom ner.module import Tagger\n\n"
            "trainer = pl.Trainer(max_epochs=3, logger=pl.loggers.CSVLogger('logs'))\ntrainer.fit(Tagger(lr=1e-3))\n",
        },
        "",
        "lightning-csv-logger-run-log",
    ),
    Case(
        "MO002",
        "pass",
        {
            "train.py": "import pytorch_lightning as pl\n\n\nclass Net(pl.LightningModule):\n"
            "    def __init__(self, lr):\n        super().__init__()\n        self.save_hyperparameters()\n\n\n"
            "logger = pl.loggers.MLFlowLogger(tracking_uri='file:./mlruns')\n"
            "pl.Trainer(logger=logger).fit(Net(1e-3))\n",
        },
        "",
        "lightning-mlflow-logger-after-save-hyperparameters",
    ),
    Case(
        "MO002",
        "pass",
        {
            "src/net.py": "import lightning as L\n\n\nclass Net(L.LightningModule):\n"
            "    def __init__(self):\n        super().__init__()\n        self.save_hyperparameters()\n",
            "src/train.py": "import hydra\nfrom net import Net\n\n\n@hydra.main(config_path='../configs')\n"
            "def main(cfg):\n    logger = hydra.utils.instantiate(cfg.logger)\n"
            "    trainer = L.Trainer(logger=logger)\n    trainer.fit(Net())\n",
            "configs/logger/mlflow.yaml": "mlflow:\n  _target_: lightning.pytorch.loggers.MLFlowLogger\n"
            "  experiment_name: ner\n",
        },
        "",
        "lightning-logger-configured-in-hydra-yaml",
    ),
    Case(
        "MO003",
        "not_applicable",
        {
            # a RAG app: its only fits build a TF-IDF search index over the documents
            "rag/minsearch.py": "from sklearn.feature_extraction.text import TfidfVectorizer\n\n\n"
            "class Index:\n    def fit(self, docs):\n        for f in self.fields:\n"
            "            self.matrices[f] = self.vectorizers[f].fit_transform(docs)\n",
            "rag/app.py": "from openai import OpenAI\nfrom rag.minsearch import Index\n\n"
            "index = Index(fields=['question'])\nindex.fit(documents)\n",
        },
        "trains no model",
        "search-index-fit-is-no-training",
    ),
    Case(
        "DA001",
        "fail",
        {
            # cookiecutter-data-science's layout: setup.py names the code 'src' so it imports
            "setup.py": "from setuptools import find_packages, setup\n\n"
            "setup(name='src', packages=find_packages(), version='0.1.0')\n",
            "README.md": "# Dynamic pricing\n\n    setup.py <- makes project pip installable "
            "(pip install -e .) so src can be imported\n",
            "src/__init__.py": "",
            "src/features/build_features.py": "import pandas as pd\nfrom sklearn.linear_model "
            "import Ridge\n\n\ndef fit(df):\n    return Ridge().fit(df[['x']], df.y)\n",
        },
        "no DVC files",
        "ccds-src-package-is-no-library",
    ),
    Case(
        "MO002",
        "pass",
        {
            "flows/train_flow.py": "from metaflow import FlowSpec, Parameter, step\n\n\n"
            "class TrainFlow(FlowSpec):\n    epochs = Parameter('epochs', default=10)\n\n"
            "    @step\n    def start(self):\n        self.model = fit(self.epochs)\n"
            "        self.auc = score(self.model)\n        self.next(self.end)\n\n"
            "    @step\n    def end(self):\n        pass\n",
            "requirements.txt": "metaflow==2.12.0\n",
        },
        "metaflow",
        "metaflow-keeps-each-run",
    ),
    Case(
        "MO002",
        "fail",
        {
            **VIT_LIBRARY,
            "scripts/train_imagenet.py": "from vit_pytorch import ViT\n\nViT().fit(loader)\n",
            "scripts/train_cifar.py": "from vit_pytorch import ViT\n\nViT().fit(loader)\n",
        },
        "",
        "a-published-package-with-training-scripts-is-an-ml-system",
    ),
    Case(
        "MO002",
        "fail",
        {**VIT_LIBRARY, "README.md": "# vit\n\n    pip install -r requirements.txt\n"},
        "",
        "installed-from-requirements-is-no-library",
    ),
    Case("DA001", "not_applicable", PRETRAINED_SERVICE, "no data of its own", "pretrained-service"),
    Case("DA005", "not_applicable", PRETRAINED_SERVICE, "no data of its own", "pretrained-service"),
    Case(
        "DA001",
        "fail",
        {**PRETRAINED_SERVICE, "data/raw/.gitkeep": ""},
        "no DVC files",
        "a-data-folder-brings-data-into-scope",
    ),
    Case(
        "DA005",
        "fail",
        {**PRETRAINED_SERVICE, "reviews.parquet": b"PAR1"},
        "",
        "a-committed-dataset-brings-data-into-scope",
    ),
    Case(
        "DA004",
        "pass",
        {"Bike-Sharing-Dataset/Readme.txt": BIKE_README, "Bike-Sharing-Dataset/hour.csv": "a\n"},
        "data README",
        "dataset-readme-lists-fields",
    ),
    Case(
        "DA004",
        "partial",
        {
            "data/raw/README.md": "# data/raw\n\nRaw sets from the Hugging Face Hub, not in git: "
            "the files are large and the extraction script rebuilds them.\n\n"
            "| Dataset | Hub id | Licence |\n|---|---|---|\n| MedMCQA | openlife/medmcqa | MIT |\n"
            "| MedQA | bak/medqa | MIT |\n\nRun `python -m src.data.extract` from the root; it "
            "does nothing when the files are already there unless --force is given. The test "
            "split of MedQA is held out of every training run.\n",
        },
        "describes the data but not",
        "data-readme-without-fields",
    ),
    Case("DA004", "fail", {"data/README.md": WHERE_DATA_GOES}, label="data-folder-note"),
    Case(
        "DA004",
        "fail",
        {"docs/README.md": BIKE_README, **DATA_KEPT},
        label="readme-outside-a-data-folder-is-read-by-heading",
    ),
    Case("DA005", "pass", {"src/churn/data.py": s.DATA}),
    Case(
        "DA005",
        "fail",
        {"notebooks/explore.ipynb": s.NOTEBOOK_TRAIN},
        "only in notebooks",
        "notebooks",
    ),
    Case(
        "DA005",
        "fail",
        {"src/churn/data.py": "def load_data():\n    ...\n", **DATA_KEPT},
        "stub",
        "stub",
    ),
    Case(
        "DA006",
        "pass",
        {"configs/features.yaml": "features:\n  - name: tenure_months\n    owner: data-eng\n"},
    ),
    Case("DA006", "pass", {"feature_repo/feature_store.yaml": "project: churn\n"}, label="feast"),
    Case("DA006", "fail", {"configs/train.yaml": "model:\n  C: 1.0\n"}),
    Case(
        "DA006",
        "not_applicable",
        {"train.py": "import torch\nfrom torchvision import datasets\n\nmodel.fit(loader)\n"},
        "raw inputs",
        "deep-learning-on-raw-inputs",
    ),
    Case(
        "DA006",
        "not_applicable",
        {
            "train.py": "import torch\nfrom unet import UNet\n\nmodel = UNet()\nmodel.fit(loader)\n",
            # a two-sample test scoring generated images, not a model on columns
            "metrics/two_sample.py": "from sklearn.linear_model import LogisticRegression\n\n"
            "def c2st(real, fake):\n    return LogisticRegression().fit(real, fake)\n",
            # an SVM baseline on word vectors the module builds from raw text itself
            "baselines/svm.py": "import gensim\nfrom sklearn.svm import SVC\n\nSVC().fit(X, y)\n",
        },
        "raw inputs",
        "sklearn-on-derived-features-and-in-metrics",
    ),
    Case(
        "DA006",
        "not_applicable",
        {
            "train.py": "from statsmodels.tsa.arima.model import ARIMA\n\n"
            "model = ARIMA(series, order=(5, 1, 0)).fit()\n",
        },
        "raw inputs",
        "univariate-arima",
    ),
    Case(
        "DA006",
        "not_applicable",
        {
            "train.py": "import pandas as pd\nfrom sklearn.feature_extraction.text import "
            "TfidfVectorizer\nfrom sklearn.linear_model import LogisticRegression\n"
            "from sklearn.pipeline import make_pipeline\n\ndf = pd.read_csv('sms.csv')\n"
            "model = make_pipeline(TfidfVectorizer(), LogisticRegression())\n"
            "model.fit(df.text, df.label)\n",
        },
        "raw inputs",
        "tf-idf-text-classifier",
    ),
    Case(
        "DA006",
        "not_applicable",
        {
            "app/rag.py": "from langchain_openai import ChatOpenAI\n"
            "from langchain_core.prompts import ChatPromptTemplate\n\n"
            "llm = ChatOpenAI(model='gpt-4o-mini')\n",
            "app/finetune.py": "from openai import OpenAI\n\n"
            "OpenAI().fine_tuning.jobs.create(training_file='f', model='gpt-4o-mini')\n",
        },
        "raw inputs",
        "language-model-application",
    ),
    Case(
        "DA006",
        "fail",
        {
            "train.py": "import pandas as pd\nimport xgboost as xgb\n"
            "from sklearn.feature_extraction.text import TfidfVectorizer\n\n"
            "df = pd.read_csv('tickets.csv')\nX = TfidfVectorizer().fit_transform(df.text)\n"
            "xgb.XGBClassifier().fit(X, df.queue)\n",
        },
        label="text-features-beside-a-tabular-library",
    ),
    Case(
        "DA006",
        "fail",
        {
            "train.py": "import pandas as pd\nfrom sklearn.ensemble import RandomForestRegressor\n\n"
            "df = pd.read_csv('houses.csv')\n"
            "RandomForestRegressor().fit(df[['rooms', 'area', 'age', 'lat', 'lon']], df.price)\n",
            "eda/listing_words.py": "from sklearn.feature_extraction.text import CountVectorizer\n\n"
            "words = CountVectorizer().fit(open('listings.txt')).get_feature_names_out()\n",
        },
        label="a-word-count-beside-a-model-on-columns",
    ),
    Case(
        "DA006",
        "fail",
        {"train.py": "import torch\nfrom sklearn.preprocessing import StandardScaler\n"},
        "no feature list",
        "deep-learning-on-columns",
    ),
    Case(
        "DA006",
        "not_applicable",
        {
            "train.py": "from transformers import Trainer\nfrom sklearn.metrics import f1_score\n"
            "from sklearn import model_selection\n\nTrainer(model=m).train()\n"
        },
        "raw inputs",
        "text-model-scored-with-sklearn-metrics",
    ),
    Case(
        "DA006",
        "fail",
        {"train.py": "import torch\nfrom sklearn import ensemble\n\nmodel.fit(x, y)\n"},
        "no feature list",
        "deep-learning-beside-sklearn-models",
    ),
    Case(
        "DA006",
        "pass",
        {
            "train.py": "import torch\n\nmodel.fit(loader)\n",
            "configs/features.yaml": "features:\n  - mean_intensity\n  - kurtosis\n",
        },
        "",
        "declared-features-beat-the-raw-input-guess",
    ),
    # ---------------------------------------------------------------- modeling
    Case("MO001", "pass", {"configs/train.yaml": "C: 1.0\n"}),
    # A conda environment kept in the config folder lists packages, not parameters.
    # A config folder named for what it configures (nn_configs/, model_config/), not a
    # cluster's manifests (kube_config/).
    # An environment file that says where the model is configures a service of a model made
    # elsewhere; beside training whose settings are literals, it configures nothing of it.
    Case(
        "MO001",
        "pass",
        {
            ".env.example": "DEFAULT_MODEL_PATH=./models/model.joblib\nAPI_KEY=changeme\n",
            "app/main.py": "import joblib\nmodel = joblib.load('models/model.joblib')\n",
        },
        "configures the model",
        "env-model-path-serving-only",
    ),
    Case(
        "MO001",
        "partial",
        {
            ".env.example": "MODEL_PATH=/app/model_output\nMODEL_VERSION=1\nPORT=8000\n",
            "scripts/train.py": "from transformers import Trainer, TrainingArguments\n"
            "args = TrainingArguments('out', num_train_epochs=3, per_device_train_batch_size=16)\n"
            "Trainer(model=model, args=args).train()\n",
        },
        "settings only in code or environment files",
        "env-model-path-beside-training",
    ),
    Case(
        "MO001",
        "pass",
        {"src/nn_configs/fccnn.yml": "lr: 0.001\nfilters: [64, 64, 2]\nlead_time: 72\n"},
        label="prefixed-config-folder",
    ),
    Case(
        "MO001",
        "fail",
        {
            "kube_config/deployment.yaml": "kind: Deployment\nspec:\n  replicas: 3\n",
            "train.py": "from sklearn.linear_model import LogisticRegression\n"
            "LogisticRegression(C=0.5).fit(X, y)\n",
        },
        label="kube-config-folder",
    ),
    Case(
        "MO001",
        "fail",
        {
            "config/training_env.yml": "name: env\ndependencies:\n  - python=3.10\n  - numpy=1.26.4\n",
            "jobs/train.py": "import torch\n\ndef train(model, opt, batches, epochs=10):\n"
            "    for _ in range(epochs):\n        for x, y in batches:\n"
            "            model(x, y).backward()\n            opt.step()\n",
        },
        label="conda-env-in-config",
    ),
    Case(
        "MO001",
        "pass",
        {
            "config.example.ini": "[data]\npath = data/sales.csv\n\n[arima]\norder = 1,1,1\n",
            "src/forecast/train.py": "import configparser\n\ncfg = configparser.ConfigParser()\n"
            "cfg.read('config.ini')\n",
        },
        label="an-ini-config-read-by-configparser",
    ),
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
        "fail",
        {"train.py": "from google.cloud import aiplatform\naiplatform.init(project='p')\nfit()\n"},
        label="vertex-sdk-setup-only",
    ),
    Case(
        "MO002",
        "pass",
        {
            "train.py": "from google.cloud import aiplatform\n"
            "aiplatform.init(project='p', experiment='churn')\nfit()\n"
        },
        label="vertex-experiment",
    ),
    Case(
        "MO002",
        "pass",
        {
            "scripts/sft.py": "from trl import SFTTrainer\nSFTTrainer(model=m).train()\n",
            "recipes/sft/config.yaml": "learning_rate: 2.0e-5\nreport_to:\n- tensorboard\n- wandb\n",
        },
        "wandb",
        "report-to-yaml-list",
    ),
    Case(
        "MO002",
        "partial",
        {"train.py": "import os\n", "requirements.txt": "wandb==0.18.0\n"},
        "declared but never imported",
        "declared-only",
    ),
    Case(
        "MO002",
        "pass",
        {"train.py": "import wandb\n", "requirements.txt": "numpy==2.0.0\n"},
        "wandb used",
        "undeclared",
    ),
    Case(
        "MO002",
        "partial",
        {"train.py": "from torch.utils.tensorboard import SummaryWriter\n"},
        "only",
        "tensorboard",
    ),
    Case(
        "MO002",
        "fail",
        {"train.py": "import sklearn\nmodel.fit(X, y)\n"},
        "no experiment tracker: no tracking library",
    ),
    Case("MO003", "pass", s.PIPELINE),
    # run.py reaches the steps through the experiment module it drives.
    Case(
        "MO003",
        "pass",
        {
            "data_provider/data_factory.py": "import pandas as pd\nfrom sklearn.model_selection import train_test_split\n\n"
            "def data_provider(path):\n    df = pd.read_csv(path)\n    return train_test_split(df, test_size=0.2)\n",
            "utils/metrics.py": "import numpy as np\n\ndef evaluate(pred, true):\n    return float(np.mean((pred - true) ** 2))\n",
            "exp/exp_main.py": "from data_provider.data_factory import data_provider\nfrom utils.metrics import evaluate\n\n"
            "class Exp:\n    def train(self, model, opt, path):\n        train, test = data_provider(path)\n"
            "        for x, y in train:\n            model(x, y).backward()\n            opt.step()\n"
            "        return evaluate(model(test), test)\n",
            "run.py": "from exp.exp_main import Exp\n\nif __name__ == '__main__':\n    Exp().train(None, None, 'd.csv')\n",
        },
        "run.py runs them in order",
        "runner-through-experiment-module",
    ),
    Case(
        "MO003",
        "pass",
        {
            "dvc.yaml": "stages:\n  prepare:\n    cmd: python prepare.py\n"
            "  train:\n    cmd: python train.py\n",
            "prepare.py": "import pandas as pd\n\npd.read_csv('raw.csv').to_csv('clean.csv')\n",
            "train.py": "model.fit(X, y)\n",
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
        "fail",
        {
            "train.py": "import pandas as pd\nfrom sklearn.svm import SVC\n"
            "df = pd.read_csv('x.csv')\nSVC().fit(df, df.y)\n"
        },
        "one script",
        "script",
    ),
    Case(
        "MO003",
        "partial",
        {
            **STEPS,
        },
        "nothing runs them as a pipeline",
        "unchained-steps",
    ),
    Case(
        "MO003",
        "partial",
        {
            **STEPS,
            # the inference pipeline reuses data and features, and chains no training
            "src/p/infer.py": "from p.data import load\nfrom p.features import build\n\n\n"
            "def predict(m):\n    return m.predict(build(load()))\n",
        },
        "nothing runs them as a pipeline",
        "inference-chain-is-not-training",
    ),
    Case(
        "MO003",
        "pass",
        {
            **STEPS,
            "run_pipeline.sh": "python src/p/data.py\npython src/p/features.py\npython src/p/train.py\n"
            "python src/p/evaluate.py\n",
        },
        "runs them in order",
        "script-chained",
    ),
    Case(
        "MO003",
        "pass",
        {
            **STEPS,
            # a script run as it is: arguments parsed at module level, no __main__ block
            "main.py": "import argparse\nfrom p.data import load\nfrom p.features import build\n"
            "from p.train import train\nfrom p.evaluate import evaluate\n\n"
            "parser = argparse.ArgumentParser()\nargs = parser.parse_args()\n"
            "df = build(load())\nprint(evaluate(train(df), df))\n",
        },
        "main.py runs them in order",
        "top-level-script-runner",
    ),
    Case(
        "MO003",
        "pass",
        {
            **STEPS,
            # the script reaches the steps through modules of its own, not importing them
            "src/p/prepare.py": "from p.data import load\nfrom p.features import build\n\n\n"
            "def prepare():\n    return build(load())\n",
            "src/p/fit.py": "from p.train import train\nfrom p.evaluate import evaluate\n\n\n"
            "def fit(df):\n    return evaluate(train(df), df)\n",
            "src/p/main.py": "import argparse\nfrom p.prepare import prepare\nfrom p.fit import fit\n\n"
            "args = argparse.ArgumentParser().parse_args()\nprint(fit(prepare()))\n",
        },
        "src/p/main.py runs them in order",
        "top-level-script-reaches-steps-through-its-imports",
    ),
    Case(
        "MO003",
        "pass",
        {
            **STEPS,
            "Main.py": "from p.data import load\nfrom p.features import build\nfrom p.train import train\n"
            "from p.evaluate import evaluate\n\nif __name__ == '__main__':\n"
            "    df = build(load())\n    evaluate(train(df), df)\n",
        },
        "runs them in order",
        "capitalised-runner-name",
    ),
    Case(
        "MO003",
        "fail",
        {
            # export_hf_checkpoint.py only switches the model to evaluation mode
            "export_hf_checkpoint.py": "import torch\n\nlora_model.train(False)\n"
            "torch.save(lora_model.state_dict(), 'out.bin')\n",
            "finetune.py": "import transformers\n\n\ndef train(data):\n"
            "    trainer = transformers.Trainer(model=model, train_dataset=data)\n    trainer.train()\n",
        },
        "one script (finetune.py)",
        "evaluation-mode-switch-is-no-training",
    ),
    Case(
        "MO003",
        "pass",
        {
            "src/lit/data.py": "from torch.utils.data import Dataset\n\n\n"
            "class Digits(Dataset):\n    def __len__(self):\n        return 10\n",
            "src/lit/module.py": "import lightning as L\nfrom torchmetrics import Accuracy\n\n\n"
            "class Classifier(L.LightningModule):\n    def test_step(self, batch, i):\n"
            "        self.log('test_acc', Accuracy()(self(batch[0]), batch[1]))\n",
            "src/lit/train.py": "import hydra\nimport lightning as L\nfrom lit.module import Classifier\n\n\n"
            "@hydra.main(config_path='../../configs')\ndef main(cfg):\n"
            "    data = hydra.utils.instantiate(cfg.data)\n    model = Classifier()\n"
            "    trainer = L.Trainer(max_epochs=cfg.epochs)\n    trainer.fit(model, data)\n"
            "    trainer.test(model, datamodule=data)\n\n\nif __name__ == '__main__':\n    main()\n",
            "configs/config.yaml": "epochs: 3\ndata:\n  _target_: lit.data.Digits\n",
        },
        "src/lit/train.py runs steps kept in modules of their own",
        "lightning-entry-fits-and-tests-hydra-data",
    ),
    Case(
        "MO003",
        "partial",
        {
            **STEPS,
            # the chain trains, and the evaluation step is left to be run by hand
            "run_pipeline.sh": "python src/p/data.py\npython src/p/features.py\npython src/p/train.py\n",
        },
        "runs the training but not the evaluation",
        "chain-without-its-evaluation",
    ),
    Case(
        "MO003",
        "pass",
        {
            **STEPS,
            ".github/workflows/daily.yml": "on:\n  schedule:\n    - cron: '0 5 * * *'\njobs:\n"
            "  loop:\n    runs-on: ubuntu-latest\n    steps:\n      - run: python -m p.data\n"
            "      - run: python -m p.train\n      - run: python -m p.evaluate\n",
        },
        ".github/workflows/daily.yml runs them in order",
        "scheduled-workflow-chains-the-steps",
    ),
    Case(
        "MO003",
        "pass",
        {
            **STEPS,
            "Makefile": "PYTHON := uv run python\n\ndata:\n\t$(PYTHON) -m p.data\n"
            "train: data\n\t$(PYTHON) -m p.features && $(PYTHON) -m p.train && $(PYTHON) -m p.evaluate\n",
        },
        "Makefile runs them in order",
        "makefile-chains-through-a-python-variable",
    ),
    Case(
        "MO003",
        "pass",
        {
            **STEPS,
            "tasks.py": "from invoke import task\n\n\n@task\ndef pipeline(c):\n"
            "    c.run('python -m p.data')\n    c.run('python -m p.train')\n"
            "    c.run('python -m p.evaluate')\n",
        },
        "tasks.py runs them in order",
        "invoke-tasks-chain",
    ),
    Case(
        "MO003",
        "pass",
        {
            **STEPS,
            # build.py runs the loading and feature steps it imports; the package is a variable
            "src/p/build.py": "from p.data import load\nfrom p.features import build\n\n"
            "if __name__ == '__main__':\n    build(load()).to_csv('features.csv')\n",
            "tasks/pipeline.py": "from invoke import task\n\nPKG = 'p'\n\n\n@task\n"
            "def pipeline(c):\n    c.run(f'python -m {PKG}.build')\n"
            "    c.run(f'python -m {PKG}.train')\n    c.run(f'python -m {PKG}.evaluate')\n",
        },
        "tasks/pipeline.py runs them in order",
        "runner-runs-a-module-that-imports-the-steps",
    ),
    Case(
        "MO003",
        "partial",
        {
            **STEPS,
            "src/p/serve.py": "from p.data import load\nfrom p.features import build\n\n"
            "if __name__ == '__main__':\n    print(build(load()))\n",
            "Makefile": "train:\n\tpython -m p.train\nserve:\n\tpython -m p.serve\n",
        },
        "nothing runs them as a pipeline",
        "runner-running-training-and-a-server-chains-nothing",
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
        {**VIT_LIBRARY, "examples/cats_and_dogs.ipynb": s.NOTEBOOK_TRAIN},
        "an ML library: its notebooks",
        "a-librarys-example-notebooks",
    ),
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
            "notebooks/05-trees.ipynb": s.NOTEBOOK_TRAIN,
            "notebooks/helpers_05.py": "def plot_fit(estimator, X, y):\n"
            "    estimator.fit(X, y)\n    return estimator\n",
        },
        "only in notebooks",
        "notebook-helper-module",
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
        "MO005",
        "partial",
        {
            "tests/test_data.py": "import unittest\nimport pytest\n\n\ndef test_todo():\n"
            "    pytest.fail('write me')\n\n\nclass T(unittest.TestCase):\n"
            "    def test_x(self):\n        self.assertTrue(False)\n"
            "    def test_y(self):\n        self.assertEqual(1, 1)\n"
        },
        "assert nothing",
        "constant-assertions",
    ),
    Case(
        "MO005",
        "partial",
        {
            "tests/test_training.py": "from src.train import load, train\n\n\n"
            "def test_load():\n    df = load()\n    assert len(df) > 0\n    assert not df.empty\n\n\n"
            "def test_train(tmp_path):\n    model = train(tmp_path)\n    assert model is not None\n"
            "    assert isinstance(model, object)\n"
        },
        "only check that something came out (not None, not empty, a type",
        "smoke-tests-only",
    ),
    Case(
        "MO005",
        "pass",
        {
            "tests/test_smoke.py": "from src.train import load\n\n\ndef test_load():\n"
            "    assert load() is not None\n",
            "tests/test_features.py": "from src.features import scale\n\n\n"
            "def test_scale():\n    assert scale([2, 4]) == [0.0, 1.0]\n",
        },
        "1 meaningful",
        "smoke-test-beside-a-real-one",
    ),
    Case(
        "MO005",
        "pass",
        {"tests/test_mock.py": "def test_called(m):\n    run(m)\n    m.assert_called_once()\n"},
        label="argument-free-assertion",
    ),
    Case(
        "MO005",
        "partial",
        {
            "tests/test_api.py": "import requests\n\n\ndef test_predict():\n"
            "    r = requests.post('http://localhost:8000/predict', json={'x': 1})\n"
            "    assert r.status_code == 200\n",
            "tests/test_model.py": "import pandas as pd\n\n\ndef test_features():\n"
            "    df = pd.read_csv('/home/alice/project/data/sample.csv')\n"
            "    assert len(df) > 0\n",
        },
        "2 meaningful test(s) of 2 in 2 test file(s), but they run only against a live service",
        "tests-need-a-live-service-or-the-authors-disk",
    ),
    Case(
        "MO005",
        "pass",
        {
            "tests/test_api.py": "import requests\nimport responses\n\n\n@responses.activate\n"
            "def test_predict():\n"
            "    responses.post('http://localhost:8000/predict', json={'y': 1})\n"
            "    r = requests.post('http://localhost:8000/predict', json={'x': 1})\n"
            "    assert r.json() == {'y': 1}\n",
        },
        "1 meaningful test(s) of 1",
        "mocked-requests-are-not-live",
    ),
    Case(
        "MO005",
        "partial",
        {
            "tests/integration/test_service.py": "import os\nimport requests\n\n\n"
            "def test_predict():\n    url = os.getenv('PREDICT_ENDPOINT_URL')\n"
            "    r = requests.post(url, json={'hour': 8})\n    assert r.json()['trips'] > 0\n",
        },
        "run only against a live service",
        "tests-call-an-endpoint-the-environment-names",
    ),
    Case(
        "MO005",
        "pass",
        {
            "tests/api/conftest.py": "import subprocess\nimport pytest\n\n\n"
            "@pytest.fixture(scope='session', autouse=True)\ndef server():\n"
            "    p = subprocess.Popen(['uvicorn', 'app.main:app'])\n    yield\n    p.kill()\n",
            "tests/api/test_api.py": "import os\nimport requests\n\n"
            "BASE = os.getenv('API_URL', 'http://127.0.0.1:8000')\n\n\n"
            "def test_ask():\n    r = requests.post(f'{BASE}/ask', json={'q': 'hi'})\n"
            "    assert r.json()['answer'] == 'hello'\n",
        },
        "1 meaningful test(s) of 1",
        "tests-start-the-server-themselves",
    ),
    Case(
        "MO005",
        "partial",
        {
            "tests/test_api.py": "import requests\n\n\ndef test_update():\n"
            "    r = requests.patch('http://localhost:8000/items/1', json={'x': 1})\n"
            "    assert r.status_code == 200\n",
        },
        "run only against a live service",
        "requests-patch-is-a-live-call-not-a-mock",
    ),
    Case(
        "MO005",
        "pass",
        {
            "tests/test_model.py": "import requests\nfrom clf.model import cache_dir, predict\n\n\n"
            "def test_predict():\n    assert predict([1, 2]) in (0, 1)\n\n\n"
            "def test_cache_dir():\n"
            "    assert cache_dir('/home/alice') == '/home/alice/.cache/clf'\n\n\n"
            "def test_dataset_online():\n"
            "    assert requests.get('https://archive.ics.uci.edu/x').ok\n",
        },
        "3 meaningful test(s) of 3",
        "offline-tests-beside-one-network-test",
    ),
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
    # A stray range among many pins is a nit, unless it is a library the model's numbers
    # come from (torch unpinned beside 12 pins), pinned nowhere else and with no upper bound.
    Case(
        "MO006",
        "pass",
        {
            "requirements.txt": "lib0==1.0\nlib1==1.1\nlib2==1.2\nlib3==1.3\nlib4==1.4\nlib5==1.5\nlib6==1.6\nlib7==1.7\nlib8==1.8\nlib9==1.9\nlib10==1.10\nlib11==1.11\ntqdm>=4\n"
        },
        "12 of 13 dependencies pinned exactly",
        "stray-range-is-a-nit",
    ),
    Case(
        "MO006",
        "partial",
        {
            "requirements.txt": "lib0==1.0\nlib1==1.1\nlib2==1.2\nlib3==1.3\nlib4==1.4\nlib5==1.5\nlib6==1.6\nlib7==1.7\nlib8==1.8\nlib9==1.9\nlib10==1.10\nlib11==1.11\ntorch\n"
        },
        "1 of 13 dependencies use ranges or no version (torch)",
        "core-library-unpinned",
    ),
    Case(
        "MO006",
        "pass",
        {
            "requirements.txt": "lib0==1.0\nlib1==1.1\nlib2==1.2\nlib3==1.3\nlib4==1.4\nlib5==1.5\nlib6==1.6\nlib7==1.7\nlib8==1.8\nlib9==1.9\nlib10==1.10\nlib11==1.11\nlib12==1.12\nlib13==1.13\nlib14==1.14\nlib15==1.15\nlib16==1.16\nlib17==1.17\nlib18==1.18\nlib19==1.19\npandas>=1.1,<1.2\n",
            "Pipfile": '[packages]\nscipy = "*"\n',
            "requirements-freeze.txt": "scipy==1.11.4\n",
        },
        "pinned exactly",
        "core-library-bounded-or-pinned-elsewhere",
    ),
    # Exact pins of what is declared, but the code imports a library no file declares: it
    # installs at whatever version is current.
    Case(
        "MO006",
        "partial",
        {
            "requirements.txt": "torch==2.3.1\ntqdm==4.66.4\n",
            "src/model/train.py": "import numpy as np\nimport torch\n",
        },
        "no requirement declares: numpy (src/model/train.py)",
        "undeclared import",
    ),
    # ... not when a pinned dependency brings it (pandas requires numpy), when the import is
    # the repository's own package, or when the image installs it.
    Case(
        "MO006",
        "pass",
        {
            "requirements.txt": "pandas==2.2.3\n",
            "src/train.py": "import numpy as np\nimport pandas as pd\nfrom datasets import load\n",
            "src/datasets/__init__.py": "def load():\n    return 1\n",
        },
        "all 1 dependencies pinned exactly",
        "brought by a pinned dependency; a local package",
    ),
    Case(
        "MO006",
        "pass",
        {
            "requirements.txt": "pandas==2.2.3\n",
            "Dockerfile": "FROM python:3.11\nRUN pip install torch==2.3.1\n",
            "serve.py": "import torch\n",
            "tests/test_x.py": "import sklearn\n",
        },
        "pinned exactly",
        "installed by the image; a test's import",
    ),
    # A lock file pins the development environment, but the serving image installs a
    # requirements file of bare names: the image runs with whatever is newest.
    Case(
        "MO006",
        "partial",
        {
            "pyproject.toml": '[project]\nname = "x"\nversion = "1"\ndependencies = ["fastapi>=0.110"]\n',
            "uv.lock": "version = 1\n",
            "deployment/requirements.txt": "fastapi\nuvicorn\nlightgbm==4.3.0\n",
            "deployment/Dockerfile": "FROM python:3.11\nCOPY requirements.txt .\n"
            "RUN pip install --no-cache-dir -r requirements.txt\nCMD uvicorn app:app\n",
        },
        "deployment/Dockerfile installs deployment/requirements.txt, where 2 of 3",
        "image installs a loose requirements file",
    ),
    Case(
        "MO006",
        "partial",
        {
            "uv.lock": "version = 1\n",
            "requirements-minimal.txt": "bentoml>=1.2\nscikit-learn>=1.4\n",
            "bentofile.yaml": "service: service:Svc\npython:\n  requirements_txt: ./requirements-minimal.txt\n",
        },
        "bentofile.yaml installs requirements-minimal.txt",
        "a Bento built from a loose requirements file",
    ),
    Case(
        "MO006",
        "pass",
        {
            "uv.lock": "version = 1\n",
            "requirements.txt": "fastapi==0.110.0\nuvicorn==0.29.0\n",
            "Dockerfile": "FROM python:3.11\nRUN pip install -r requirements.txt\n",
        },
        "lock file",
        "the image installs a pinned requirements file",
    ),
    # Where the model is trained only in notebooks, their imports count too.
    Case(
        "MO006",
        "partial",
        {
            "requirements.txt": "flask==3.0.3\ntensorflow==2.16.1\n",
            "app.py": "import flask\nimport tensorflow as tf\n",
            "train.ipynb": '{"cells": [{"cell_type": "code", "source": ["import gensim\\n", '
            '"from sklearn.linear_model import LogisticRegression\\n", '
            '"model = LogisticRegression().fit(X, y)\\n"]}], "metadata": {}, "nbformat": 4, '
            '"nbformat_minor": 5}',
        },
        "scikit-learn (train.ipynb)",
        "notebook-trained model's imports",
    ),
    # Azure ML's job environment is a conda file named for its job.
    Case(
        "MO006",
        "pass",
        {
            "config/training_env.yml": "name: env\ndependencies:\n  - python=3.10\n"
            "  - pip:\n    - torch==1.13.1\n    - mlflow==2.9.2\n",
            "jobs/train.py": "import mlflow\nimport torch\n",
        },
        "all 2 dependencies pinned exactly",
        "an Azure ML environment file",
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
    Case(
        "MO007",
        "pass",
        {
            "src/p/config.py": "RANDOM_SEED = 42\n",
            "src/p/train.py": "from lightgbm import LGBMRanker\nfrom p.config import RANDOM_SEED\n"
            "PARAMS = {'n_estimators': 100, 'random_state': RANDOM_SEED}\n"
            "LGBMRanker(**PARAMS).fit(X, y)\n",
        },
        "seed",
        "seed-in-parameter-dict",
    ),
    Case(
        "MO007",
        "pass",
        {
            "train.py": "import numpy as np\nfrom sklearn.svm import SVC\n"
            "rng = np.random.RandomState(SEED)\nSVC().fit(X, y)\n"
        },
        "seed",
        "seeded-random-state-generator",
    ),
    Case("MO007", "fail", {"train.py": "from sklearn.svm import SVC\nSVC().fit(X, y)\n"}),
    Case(
        "MO007",
        "pass",
        {
            "src/clf/data.py": "from datasets import load_dataset\n\n\ndef splits():\n"
            "    raw = load_dataset('imdb')\n"
            "    return raw['train'].train_test_split(test_size=0.1, seed=42)\n",
            "src/clf/train.py": "from transformers import Trainer\nfrom clf.data import splits\n\n"
            "if __name__ == '__main__':\n    Trainer(train_dataset=splits()['train']).train()\n",
        },
        label="a-seed-handed-to-a-split",
    ),
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
    Case(
        "MO008",
        "pass",
        {
            "src/churn/log.py": "import logging\n\n\ndef create_logger(out):\n"
            "    logger = logging.getLogger('churn')\n"
            "    logger.addHandler(logging.FileHandler(out + '/train.log'))\n    return logger\n",
            "src/churn/evaluate.py": "from sklearn.metrics import f1_score\n"
            "from churn.log import create_logger\n\nlogger = create_logger('runs')\n\n\n"
            "def evaluate(y, p):\n    f1 = f1_score(y, p)\n    logger.info(f'val f1 {f1:.3f}')\n"
            "    logger.info('Evaluation done')\n    return f1\n",
            "src/churn/train.py": s.TRAIN,
        },
        "logs its metrics to a file",
        "metrics-logged-to-a-file",
    ),
    Case(
        "MO008",
        "partial",
        {
            "src/churn/evaluate.py": "import logging\nfrom sklearn.metrics import f1_score\n\n"
            "logging.basicConfig(filename='run.log')\nlogger = logging.getLogger(__name__)\n\n\n"
            "def evaluate(y, p):\n    logger.info('Evaluation')\n    return f1_score(y, p)\n",
            "src/churn/train.py": s.TRAIN,
        },
        "not recorded",
        "a-log-file-naming-no-score",
    ),
    Case(
        "MO008",
        "partial",
        {
            "src/churn/log.py": "import logging\n\nlogger = logging.getLogger('c')\n"
            "logger.addHandler(logging.FileHandler('logs/app.log'))\n",
            "src/churn/evaluate.py": "import json\nfrom sklearn.metrics import f1_score\n"
            "from churn.log import logger\n\n\ndef evaluate(y, p, test_path):\n"
            "    metadata = json.load(open('data/metadata.json'))\n"
            "    logger.info('Loading the test set for evaluation from %s', test_path)\n"
            "    print(f1_score(y, p), metadata)\n",
            "src/churn/train.py": s.TRAIN,
        },
        "not recorded",
        "metadata-read-and-a-path-logged-record-no-score",
    ),
    Case(
        "MO008",
        "pass",
        {
            "src/churn/train.py": "import bentoml\nfrom sklearn.metrics import accuracy_score\n"
            "from sklearn.svm import SVC\n\n\ndef main(X, y, Xt, yt):\n"
            "    model = SVC().fit(X, y)\n    acc = accuracy_score(yt, model.predict(Xt))\n"
            "    bentoml.sklearn.save_model('churn', model, metadata={'accuracy': acc})\n",
        },
        "computes and records metrics",
        "metrics-in-the-model-store-metadata",
    ),
    Case("MO008", "fail", {"src/churn/train.py": s.TRAIN}),
    # A commented-out push registers nothing; a hand-set version label names no version of
    # the saved file.
    Case(
        "MO009",
        "partial",
        {
            "src/train.py": "import torch\n\ndef train(model, opt, batches):\n"
            "    for x, y in batches:\n        loss = model(x, y)\n        loss.backward()\n"
            "        opt.step()\n    torch.save(model.state_dict(), 'output/model.bin')\n"
            "    # model.push_to_hub('me/model')\n"
            "    model_version = 'churn_v1'\n    return model_version\n",
        },
        "without a version or registry",
        "commented-out push, label",
    ),
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
    Case(
        "MO009",
        "pass",
        {
            "src/churn/train.py": s.TRAIN,
            "dvcfiles/trained_model.dvc": "wdir: ../models\nouts:\n- md5: c2f5c0a1\n"
            "  size: 17567709\n  path: best-checkpoint.ckpt\n",
        },
        "DVC outputs",
        "dvc-pointer-to-a-checkpoint-anywhere",
    ),
    Case(
        "MO009",
        "partial",
        {
            "src/churn/train.py": s.TRAIN,
            "data/raw.dvc": "outs:\n- md5: c2f5c0a1\n  path: customers.csv\n",
        },
        "without a version",
        "dvc-pointer-to-data-is-no-model-version",
    ),
    Case(
        "MO003",
        "partial",
        {"src/churn/train.py": s.TRAIN, "src/churn/training.py": "def run():\n    pass\n"},
        "stubs: src/churn/training.py",
        "a-stub-beside-the-real-step-is-noted",
    ),
    Case(
        "MO009",
        "partial",
        {
            "src/churn/train.py": s.TRAIN,
            "data/model_inputs.csv.dvc": "outs:\n- md5: c2f5c0a1\n  path: model_inputs.csv\n",
            "data/train.h5.dvc": "outs:\n- md5: c2f5c0a1\n  path: train.h5\n",
        },
        "without a version",
        "dvc-pointers-to-data-named-for-models",
    ),
    Case(
        "MO009",
        "pass",
        {
            "src/churn/train.py": s.TRAIN,
            "models/bert-base.dvc": "outs:\n- md5: c2f5c0a1.dir\n  path: bert-base\n",
        },
        "DVC outputs",
        "dvc-add-of-a-models-folder",
    ),
    Case(
        "MO009",
        "pass",
        {
            "pipelines/pipeline.py": "from sagemaker.workflow.step_collections import "
            "RegisterModel\nfrom sagemaker.estimator import Estimator\n\n\n"
            "def get_pipeline(image, role):\n    est = Estimator(image, role)\n"
            "    est.fit({'train': 's3://b/train'})\n"
            "    return RegisterModel(name='Register', estimator=est, "
            "model_package_group_name='scam')\n",
        },
        "registered",
        "sagemaker-register-step",
    ),
    Case("MO009", "fail", {"train.py": "from sklearn.svm import SVC\nSVC().fit(X, y)\n"}),
    Case("MO010", "pass", {"pyproject.toml": "[tool.ruff]\nline-length = 100\n"}),
    Case("MO010", "pass", {".pre-commit-config.yaml": "repos: []\n"}, label="pre-commit"),
    Case("MO010", "pass", {"black.toml": "[tool.black]\nline-length = 100\n"}, label="black.toml"),
    Case(
        "MO010",
        "pass",
        {
            "azure-pipelines.yml": "steps:\n- template: .pipelines/code-quality.yml\n",
            ".pipelines/code-quality.yml": "steps:\n- script: flake8 --output-file=lint.xml\n",
        },
        "runs flake8",
        "linter-run-by-ci-template",
    ),
    Case(
        "MO010",
        "fail",
        {".github/workflows/ci.yml": "jobs:\n  t:\n    steps:\n      - run: echo 'flake8 later'\n"},
        label="linter-only-echoed",
    ),
    Case(
        "MO010",
        "partial",
        {
            ".github/workflows/python-app.yml": "jobs:\n  b:\n    steps:\n    - run: |\n"
            "        flake8 . --count --select=E9,F63,F7,F82 --show-source --statistics\n"
            "        flake8 . --count --exit-zero --max-complexity=10 --statistics\n"
        },
        "cannot fail the build",
        "starter-workflow-flake8",
    ),
    Case(
        "MO010",
        "partial",
        {
            ".github/workflows/python-app.yml": "jobs:\n  b:\n    steps:\n"
            "    - name: Install dependencies\n      run: pip install flake8 pytest\n"
            "    - name: Lint with flake8\n      run: |\n"
            "        flake8 . --count --select=E9,F63,F7,F82 --show-source --statistics\n"
            "        flake8 . --count --exit-zero --max-complexity=10 --statistics\n"
        },
        "cannot fail the build",
        "starter-workflow-with-install-step",
    ),
    Case(
        "MO010",
        "partial",
        {"requirements-dev.txt": "ruff==0.6.0\n"},
        "no configuration",
        "declared-only",
    ),
    Case("MO010", "fail", {"README.md": "# x\n"}),
    # ---------------------------------------------------------------- deployment
    # The exec form of RUN installs too.
    Case(
        "DE001",
        "pass",
        {
            "Dockerfile": "FROM python:3.8-slim-buster\nCOPY requirements.txt .\n"
            'RUN ["pip", "install", "-r", "requirements.txt"]\nCOPY app app\n'
            'ENTRYPOINT ["gunicorn", "app.main:api"]\n',
            "requirements.txt": "falcon==3.1.3\n",
            "app/main.py": "import falcon\napi = falcon.App()\n",
        },
        "builds on a pinned base",
        "exec-form-run",
    ),
    # A tag without a version moves like latest; a release codename does not.
    Case(
        "DE001",
        "partial",
        {
            "Dockerfile": "FROM openjdk:slim\nCOPY load_models.py .\nRUN pip install mlflow==2.9.2\n"
            'CMD ["python", "load_models.py"]\n',
            "load_models.py": "import mlflow\nmodel = mlflow.pyfunc.load_model('m')\n",
        },
        "base image 'openjdk:slim' is not pinned",
        "floating tag",
    ),
    Case(
        "DE001",
        "pass",
        {
            "Dockerfile": "FROM ubuntu:jammy\nCOPY serve.py .\nRUN apt-get install -y python3\n"
            'CMD ["python3", "serve.py"]\n',
            "serve.py": "print(1)\n",
        },
        "pinned base",
        "codename tag",
    ),
    # An image copying what the repository does not have does not build as written; a model
    # or data a run writes first, a glob or a template placeholder is not judged.
    Case(
        "DE001",
        "partial",
        {
            "Dockerfile": "FROM python:3.11-slim\nCOPY requirements.txt .\n"
            "RUN pip install -r requirements.txt\nCOPY packagename ./packagename\n"
            'CMD ["uvicorn", "api.app:app"]\n',
            "requirements.txt": "fastapi==0.110.0\n",
            "api/app.py": "from fastapi import FastAPI\napp = FastAPI()\n\n"
            "@app.post('/predict')\ndef predict(x: dict):\n    return model.predict(x)\n",
        },
        "copies packagename, which the repository does not have",
        "COPY of an absent folder",
    ),
    Case(
        "DE001",
        "pass",
        {
            "deploy/Dockerfile": "FROM python:3.11-slim\nCOPY requirements.txt .\n"
            "RUN pip install -r requirements.txt\nCOPY src ./src\nCOPY models/churn.pkl .\n"
            "COPY *.py ./\nCOPY model.tflite .\n"
            'CMD ["uvicorn", "src.app:app"]\n',
            "requirements.txt": "fastapi==0.110.0\n",
            "src/app.py": "from fastapi import FastAPI\napp = FastAPI()\n\n"
            "@app.post('/predict')\ndef predict(x: dict):\n    return model.predict(x)\n",
        },
        "builds on a pinned base",
        "context at the root; a model the training writes; a glob",
    ),
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
            "Dockerfile": "FROM python:3.11-slim AS build\nCOPY . .\nRUN pip wheel .\n"
            "FROM build\nRUN pip install x\n"
        },
        label="multistage",
    ),
    Case(
        "DE001",
        "partial",
        {"Dockerfile": 'FROM python:3.11-slim\nRUN pip install jupyter\nCMD ["/bin/bash"]\n'},
        "development environment",
        "dev-shell",
    ),
    Case(
        "DE001",
        "pass",
        {
            "Dockerfile": "FROM python:3.11-slim\nCOPY requirements.txt .\n"
            "RUN pip install -r requirements.txt\nCOPY app app\n"
            'CMD ["sh", "-c", "alembic upgrade head && uvicorn app.main:app --host 0.0.0.0"]\n',
            "requirements.txt": "fastapi==0.110.0\n",
            "app/main.py": "from fastapi import FastAPI\napp = FastAPI()\n",
        },
        "pinned base",
        "shell-starting-the-service",
    ),
    Case(
        "DE001",
        "partial",
        {
            "Dockerfile": "FROM python:3.11-slim\nCOPY . .\nRUN pip install -r requirements.txt\n"
            'CMD ["bash", "-c", "jupyter lab --ip 0.0.0.0"]\n',
            "requirements.txt": "jupyterlab==4.1.0\n",
        },
        "development environment",
        "shell-starting-a-notebook-server",
    ),
    Case(
        "DE001",
        "partial",
        {
            "docker/Dockerfile": "FROM python:3.11-slim\nADD requirements.txt /tmp/\n"
            "RUN pip install -r /tmp/requirements.txt\n",
            "setup.py": "from setuptools import setup\n",
        },
        "does not have",
        "stale-copy",
    ),
    Case(
        "DE001",
        "pass",
        {
            "docker/Dockerfile": "FROM python:3.11-slim AS b\nCOPY requirements.txt .\n"
            "RUN pip install -r requirements.txt\nFROM b\nCOPY --from=b requirements.lock .\n",
            "docker/requirements.txt": "x==1\n",
        },
        label="copy-beside-dockerfile",
    ),
    Case(
        "DE001",
        "partial",
        {
            "docker/Dockerfile": "FROM python:latest\nRUN pip install x\n",
            "docker/Dockerfile.gpu": "FROM python:3.11-slim\nRUN pip install x\n",
        },
        "not pinned",
        "primary-judged",
    ),
    Case(
        "DE001",
        "pass",
        {
            "Dockerfile": "FROM ubuntu:22.04\nCOPY requirements.txt .\nRUN apt-get update \\\n"
            "    && pip3 install -r requirements.txt\n",
            "requirements.txt": "x==1\n",
        },
        label="install-on-a-continuation-line",
    ),
    Case("DE001", "fail", {"src/churn/serve.py": s.SERVE}, "no Dockerfile", "service-without-one"),
    Case(
        "DA003",
        "fail",
        {
            "src/churn/settings.py": "from pydantic import Field, SecretStr\n"
            "from pydantic_settings import BaseSettings\n\n\nclass Settings(BaseSettings):\n"
            "    token: SecretStr = Field(default='')\n",
            "src/churn/train.py": s.TRAIN,
        },
        label="pydantic-2-settings-are-no-validation",
    ),
    Case(
        "DE001",
        "not_applicable",
        {**s.PIPELINE, "README.md": "# x\n"},
        "nothing is served",
        "training-only-project",
    ),
    # A commented-out job runs nothing; a workflow whose every trigger is commented out never
    # runs at all.
    Case(
        "DE002",
        "partial",
        {
            ".github/workflows/ci.yml": "on: [push]\njobs:\n  notify:\n    runs-on: ubuntu-latest\n"
            "    steps:\n      - run: ls -lart\n      # - run: flake8 .\n      # - run: pytest\n",
        },
        "runs no tests or checks",
        "commented-out steps",
    ),
    Case(
        "DE002",
        "partial",
        {
            ".github/workflows/train.yml": "name: train\non:\n  # push:\n  #   branches: [main]\n\n"
            "jobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest\n",
        },
        "runs no tests or checks",
        "no live trigger",
    ),
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
    # CI that retrains on every push and keeps the model it trained releases it; CI that
    # only trains (a smoke test) does not.
    Case(
        "DE003",
        "pass",
        {
            ".github/workflows/ci.yml": "on: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n"
            "    steps:\n      - run: python src/train.py\n      - run: pytest -q\n"
            "      - uses: actions/upload-artifact@v4\n        with:\n          name: model\n"
            "          path: models/car_price_model.pkl\n",
        },
        "trains and keeps the model",
        "ci-retrains-and-uploads",
    ),
    Case(
        "DE003",
        "fail",
        {
            ".github/workflows/ci.yml": "on: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n"
            "    steps:\n      - run: python src/train.py --smoke\n      - run: pytest -q\n",
        },
        label="ci-smoke-training",
    ),
    Case(
        "DE003",
        "pass",
        {
            ".github/workflows/retrain.yml": "on:\n  schedule:\n    - cron: '0 3 * * 1'\njobs:\n"
            "  retrain:\n    runs-on: ubuntu-latest\n    steps:\n      - run: python train.py\n"
        },
        label="schedule",
    ),
    Case(
        "DE003",
        "pass",
        {
            ".github/workflows/sync.yml": "on:\n  push:\n    branches: [main]\njobs:\n"
            "  sync-to-hub:\n    runs-on: ubuntu-latest\n    steps:\n"
            "      - uses: actions/checkout@v4\n      - run: |\n"
            "          git push https://user:$HF_TOKEN@huggingface.co/spaces/user/app main\n",
        },
        label="app-pushed-to-hugging-face-spaces",
    ),
    Case(
        "DE003",
        "fail",
        {
            ".github/workflows/nightly.yml": "on:\n  schedule:\n    - cron: '0 3 * * *'\njobs:\n"
            "  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: python -m pytest tests\n"
        },
        "never deploys",
        "scheduled-tests",
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
    Case(
        "DE004",
        "pass",
        {
            **s.PIPELINE,
            "handler.py": "from ts.torch_handler.base_handler import BaseHandler\n\n\n"
            "class TextHandler(BaseHandler):\n    def preprocess(self, data):\n"
            "        return [d['body'] for d in data]\n",
        },
        "web service",
        "torchserve-handler",
    ),
    Case(
        "DE004",
        "pass",
        {
            **s.PIPELINE,
            "jobs/deployment.py": "import joblib\n\n\ndef init():\n    global model\n"
            "    model = joblib.load('model.pkl')\n\n\ndef run(raw):\n"
            "    return model.predict(raw).tolist()\n",
        },
        "web service",
        "azure-ml-scoring-script",
    ),
    Case(
        "DE004",
        "pass",
        {
            **s.PIPELINE,
            "pipelines/deploy.py": "def deploy(estimator):\n    return estimator.deploy(\n"
            "        initial_instance_count=1,\n        instance_type='ml.m5.large',\n    )\n",
        },
        "web service",
        "managed-endpoint-deploy",
    ),
    Case(
        "DE004",
        "pass",
        {
            **s.PIPELINE,
            "load_models.py": "import joblib\nimport pandas as pd\n\n"
            "if __name__ == '__main__':\n    pipeline = joblib.load('models/pipeline.joblib')\n"
            "    df = pd.read_csv('fresh.csv')\n"
            "    df['delay'] = pipeline.transform(df)\n    df.to_csv('preds.csv', index=False)\n",
        },
        "batch prediction in load_models.py",
        "batch-script-of-any-name",
    ),
    Case(
        "DE004",
        "pass",
        {
            **s.PIPELINE,
            "predict.py": "import torch\nfrom PIL import Image\n\n"
            "if __name__ == '__main__':\n    net = torch.load('model.pth')\n"
            "    mask = net(load_image('in.png'))\n"
            "    out_filename = 'in_OUT.png'\n    Image.fromarray(mask).save(out_filename)\n",
        },
        "batch prediction in predict.py",
        "predict-script-saving-images",
    ),
    Case(
        "DE004",
        "fail",
        {
            **s.PIPELINE,
            "tools/convert_weights.py": "import sys\nimport pickle as pkl\nimport torch\n\n"
            "if __name__ == '__main__':\n    obj = torch.load(sys.argv[1])\n"
            "    with open(sys.argv[2], 'wb') as f:\n        pkl.dump(obj, f)\n",
            "scripts/evaluate_all.py": "import json\nimport joblib\n\n"
            "if __name__ == '__main__':\n    model = joblib.load('model.joblib')\n"
            "    json.dump({'n': len(model.classes_)}, open('scores.json', 'w'))\n",
        },
        "no batch prediction",
        "weights-converted-or-evaluated-predict-nothing",
    ),
    Case(
        "DE004",
        "fail",
        {
            **s.PIPELINE,
            "src/features/build_features.py": "import pickle\nimport pandas as pd\n\n"
            "if __name__ == '__main__':\n    raw = pickle.load(open('data/raw.pkl', 'rb'))\n"
            "    pd.DataFrame(raw).to_csv('data/features.csv')\n",
        },
        "no batch prediction",
        "a-data-script-that-calls-no-model",
    ),
    Case(
        "DE004",
        "fail",
        {**s.PIPELINE, "src/churn/setup.py": "def init():\n    return 1\n"},
        "no serving app",
        "init-without-run-is-no-scoring-script",
    ),
    Case("DE001", "not_applicable", SUBMISSION, "nothing deploys", "competition-submission"),
    Case("DE006", "not_applicable", SUBMISSION, "nothing deploys", "competition-submission"),
    Case("DE001", "fail", {**SUBMISSION, **SCHEDULED_CI}, "no Dockerfile", "scheduled-batch-job"),
    Case("DE006", "fail", {**SUBMISSION, **SCHEDULED_CI}, "no drift", "scheduled-batch-job"),
    Case(
        "DE001",
        "fail",
        {**SUBMISSION, "deploy/k8s/cronjob.yaml": "kind: CronJob\n"},
        "no Dockerfile",
        "batch-job-on-a-cluster",
    ),
    Case("SC005", "not_applicable", VIT_LIBRARY, "an ML library", "published-library"),
    Case(
        "MO002",
        "not_applicable",
        {
            "setup.py": "from setuptools import setup\n\nsetup(name='grad-cam', version='1.5')\n",
            "README.md": "# Grad-CAM\n\n    pip install grad-cam\n\n```python\n"
            "from pytorch_grad_cam import GradCAM\n```\n",
            "pytorch_grad_cam/__init__.py": "from pytorch_grad_cam.grad_cam import GradCAM\n",
            "pytorch_grad_cam/grad_cam.py": "import torch\n\n\nclass GradCAM:\n"
            "    def __call__(self, x):\n        return self.model(x)\n",
        },
        "an ML library",
        "a-library-imported-under-another-name",
    ),
    Case(
        "MO005",
        "pass",
        {
            "tests/test_a.py": "".join(
                f"def test_{i}():\n    assert build({i}) == {i}\n\n\n" for i in range(5)
            ),
            "tests/test_b.py": "def test_b():\n    assert build(1) == 1\n",
            "tests/test_c.py": "def test_c():\n    assert build(2) == 2\n",
        },
        "3 test files; the first file read holds 5 meaningful test(s) of 5",
        "stops-after-the-first-file",
    ),
    Case(
        "MO006",
        "pass",
        {"requirements.txt": "pandas==2.2.0\r\nscikit-learn==1.5.2\r\n".encode("utf-16")},
        "pinned exactly",
        "utf16-pip-freeze-from-powershell",
    ),
    Case(
        "MO002",
        "fail",
        {
            **VIT_LIBRARY,
            "vit_pytorch/serve.py": "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
            "@app.post('/predict')\ndef predict(x: list[float]):\n    return model(x)\n",
        },
        "",
        "a-published-package-that-serves-is-an-ml-system",
    ),
    Case(
        "MO002",
        "not_applicable",
        {
            **{k: v for k, v in VIT_LIBRARY.items() if k != "pyproject.toml"},
            "setup.cfg": "[metadata]\nname = vit-pytorch\nversion = 1.0\n",
        },
        "an ML library",
        "library-named-in-setup-cfg",
    ),
    Case(
        "DE004",
        "fail",
        {
            **s.PIPELINE,
            "src/churn/cli.py": "import click\n\n\n@click.command()\ndef init():\n"
            "    click.echo('set up')\n\n\n@click.command()\ndef run():\n"
            "    click.echo('run')\n",
        },
        "no serving app",
        "a-cli-with-init-and-run-commands-is-no-scoring-script",
    ),
    Case(
        "DE004",
        "pass",
        {
            **s.PIPELINE,
            "code/inference.py": "import joblib\n\n\ndef model_fn(model_dir):\n"
            "    return joblib.load(model_dir + '/model.joblib')\n\n\n"
            "def predict_fn(data, model):\n    return model.predict(data)\n",
        },
        "web service",
        "sagemaker-inference-handler",
    ),
    Case(
        "DE004",
        "pass",
        {
            **s.PIPELINE,
            "handler.py": "def handle(data, context):\n    return [len(d) for d in data]\n",
        },
        "web service",
        "torchserve-module-handler",
    ),
    Case(
        "DE004",
        "pass",
        {
            **s.PIPELINE,
            "deploy.py": "import boto3\n\n\ndef init():\n    return 1\n\n\n"
            "def go(sm):\n    sm.create_endpoint(EndpointName='churn', EndpointConfigName='c')\n",
        },
        "web service",
        "endpoint-created-after-an-unpaired-init",
    ),
    Case(
        "DE001",
        "fail",
        {**SUBMISSION, "dags/score_dag.py": "from airflow import DAG\n\nDAG('score')\n"},
        "no Dockerfile",
        "batch-job-an-orchestrator-runs",
    ),
    Case(
        "DA004",
        "pass",
        {"survey/README.md": BIKE_README, "survey/answers.csv": "a,b\n1,2\n"},
        "data README",
        "readme-beside-data-files",
    ),
    Case(
        "DA004",
        "fail",
        {"src/data_utils/README.md": BIKE_README, **DATA_KEPT},
        "no document",
        "a-package-of-data-code-is-no-data-folder",
    ),
    Case(
        "MO009",
        "not_applicable",
        {
            "app/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
            "app/models/user.py": "from pydantic import BaseModel\n\n\nclass User(BaseModel):\n"
            "    name: str\n",
        },
        "loads no model",
        "an-apps-models-package-holds-classes",
    ),
    Case(
        "MO006",
        "partial",
        {
            "requirements.txt": "fastapi==0.115.0\n",
            "Dockerfile": "FROM python:3.11-slim\r\n# RUN pip install torch (not any more)\r\n"
            "RUN pip install -r requirements.txt \\\r\n    && pip install "
            + "x" * 5000
            + '\r\nCMD ["uvicorn", "app:app"]\r\n',
            "examples/demo/Dockerfile": "FROM python:3.11\nRUN pip install gradio\n",
        },
        "Dockerfile installs " + "x" * 40 + " without a version",
        "crlf-dockerfile-comments-and-examples",
    ),
    Case(
        "MO006",
        "fail",
        {"pyproject.toml": '[project]\nname = "x"\ndependencies = ["pandas==2.2.0",\n'},
        "could not be read (TOMLDecodeError",
        "malformed-pyproject-is-not-empty",
    ),
    Case(
        "DA002",
        "fail",
        {"data/ifrs-17/standard.pdf": b"%PDF-1.7\n" + b"0" * (2 << 20)},
        "over 1 MiB committed",
        "a-rag-corpus-of-pdfs-in-a-data-folder",
    ),
    Case(
        "DA002",
        "pass",
        {"docs/slides.pdf": b"%PDF-1.7\n" + b"0" * (2 << 20)},
        "no data file over",
        "a-large-pdf-outside-data-folders-is-a-document",
    ),
    Case(
        "MO006",
        "partial",
        {
            "requirements.txt": "fastapi==0.115.0\ntransformers==4.46.0\n",
            "Dockerfile": "FROM python:3.11-slim\nCOPY requirements.txt .\n"
            "RUN pip install -r requirements.txt && \\\n    pip install --no-cache-dir torch\n"
            'CMD ["uvicorn", "app:app"]\n',
        },
        "Dockerfile installs torch without a version",
        "image-installs-unpinned-beside-pins",
    ),
    Case(
        "MO006",
        "pass",
        {
            "requirements.txt": "fastapi==0.115.0\n",
            "Dockerfile": "FROM python:3.11-slim\nRUN pip install --upgrade pip && "
            'pip install -r requirements.txt torch==2.5.1 .\nCMD ["uvicorn", "app:app"]\n',
            "dev.Dockerfile": "FROM python:3.11\nRUN pip install jupyter pandas\n"
            'CMD ["jupyter", "lab"]\n',
        },
        "pinned exactly",
        "image-installs-pinned-and-dev-image-ignored",
    ),
    Case(
        "MO009",
        "fail",
        {
            "app.py": "import joblib\nfrom fastapi import FastAPI\n\napp = FastAPI()\n"
            "model = joblib.load('model.joblib')\n",
        },
        "the model it uses is named by no version",
        "a-service-loading-an-unversioned-model",
    ),
    Case(
        "MO009",
        "fail",
        {"models/.gitkeep": "", "src/app/main.py": "from fastapi import FastAPI\n"},
        "",
        "a-template-with-a-models-folder",
    ),
    Case(
        "DA006",
        "not_applicable",
        {
            "train.py": "import torch\nfrom sklearn.feature_extraction.text import TfidfVectorizer\n"
            "\nmodel.fit(loader)\n"
        },
        "raw inputs",
        "text-model-with-tfidf",
    ),
    Case(
        "DA006",
        "not_applicable",
        {"forecast.py": "from prophet import Prophet\n\nProphet().fit(df)\n"},
        "raw inputs",
        "univariate-forecaster",
    ),
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
    Case(
        "DE004",
        "pass",
        {
            **s.PIPELINE,
            # Python 2, which ast cannot read: still a predict script that loads the weights
            # and writes the submission.
            "predict.py": "import csv\nimport numpy as np\n\n\ndef predict_model(expid):\n"
            "    print 'loading'\n    params = np.load(MODEL_PATH + expid)\n"
            "    fn = theano.function([idx], outputs)\n"
            "    with open(SUBMISSION, 'w') as f:\n        csv.writer(f).writerows(fn(0))\n",
        },
        "batch",
        "batch-python2-loads-and-writes",
    ),
    Case(
        "DE004",
        "fail",
        {
            **s.PIPELINE,
            "src/churn/predict.py": "import numpy as np\n\n\ndef summarise(a):\n"
            "    return np.mean(a)\n",
        },
        "no serving",
        "predict-named-but-predicts-nothing",
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
        "pass",
        {
            "app/train.py": "import joblib\nfrom sklearn.preprocessing import StandardScaler\n"
            "from sklearn.svm import SVC\n\n\ndef train(X, y):\n"
            "    scaler = StandardScaler()\n    Xs = scaler.fit_transform(X)\n"
            "    joblib.dump(scaler, 'scaler.joblib')\n"
            "    joblib.dump(SVC().fit(Xs, y), 'model.joblib')\n",
            "app/serve.py": "import joblib\nfrom fastapi import FastAPI\n\napp = FastAPI()\n"
            "scaler = joblib.load('scaler.joblib')\nmodel = joblib.load('model.joblib')\n\n\n"
            "@app.post('/p')\ndef p(x: list[float]):\n"
            "    return model.predict(scaler.transform([x])).tolist()\n",
        },
        "applies the preprocessor training fitted",
        "fitted-scaler-artefact",
    ),
    Case(
        "DE005",
        "partial",
        {
            "app/preprocessing.py": "def add_pairs(df):\n    df['pair'] = df.a + '_' + df.b\n"
            "    return df\n",
            "app/train.py": "from sklearn.feature_extraction import DictVectorizer\n"
            "from sklearn.svm import SVR\nfrom app.preprocessing import add_pairs\n\n\n"
            "def train(df):\n    vectorizer = DictVectorizer()\n"
            "    X = vectorizer.fit_transform(add_pairs(df).to_dict('records'))\n"
            "    return vectorizer, SVR().fit(X, df.y)\n",
            "app/serve.py": "import pickle\nfrom fastapi import FastAPI\n\napp = FastAPI()\n"
            "vectorizer, model = pickle.load(open('m.bin', 'rb'))\n\n\n@app.post('/p')\n"
            "def p(ride: dict):\n    return model.predict(vectorizer.transform([ride])).tolist()\n",
        },
        "does not import",
        "fitted-vectoriser-but-a-skipped-step",
    ),
    Case(
        "DE005",
        "pass",
        {
            "src/train.py": "from transformers import AutoModelForSequenceClassification, AutoTokenizer, Trainer\n\n\ndef main(ds):\n    tokenizer = AutoTokenizer.from_pretrained('bert-base-uncased')\n    model = AutoModelForSequenceClassification.from_pretrained('bert-base-uncased')\n    trainer = Trainer(model=model, train_dataset=ds, tokenizer=tokenizer)\n    trainer.train()\n    trainer.save_model('out')\n    tokenizer.save_pretrained('out')\n",
            "src/server.py": "from fastapi import FastAPI\nfrom transformers import AutoModelForSequenceClassification, AutoTokenizer\n\napp = FastAPI()\ntokenizer = AutoTokenizer.from_pretrained('out')\nmodel = AutoModelForSequenceClassification.from_pretrained('out')\n\n\n@app.post('/p')\ndef p(text: str):\n    return model(**tokenizer(text, return_tensors='pt')).logits.tolist()\n",
        },
        "loads the tokenizer or processor training saved",
        "tokenizer-saved-with-the-model",
    ),
    Case(
        "DE005",
        "partial",
        {
            "src/train.py": "from transformers import AutoModelForSequenceClassification, AutoTokenizer, Trainer\n\n\ndef main(ds):\n    tokenizer = AutoTokenizer.from_pretrained('bert-base-uncased')\n    model = AutoModelForSequenceClassification.from_pretrained('bert-base-uncased')\n    trainer = Trainer(model=model, train_dataset=ds, tokenizer=tokenizer)\n    trainer.train()\n    trainer.save_model('out')\n    tokenizer.save_pretrained('out')\n",
            "src/server.py": "from fastapi import FastAPI\nfrom transformers import AutoModelForSequenceClassification, AutoTokenizer\n\napp = FastAPI()\ntokenizer = AutoTokenizer.from_pretrained('out')\nmodel = AutoModelForSequenceClassification.from_pretrained('out')\n\n\n@app.post('/p')\ndef p(text: str):\n    return model(**tokenizer(text, return_tensors='pt')).logits.tolist()\n",
            "src/preprocess.py": "import re\n\n\ndef clean_text(text):\n"
            "    return re.sub(r'http\\S+', '', text).lower()\n\n\n"
            "if __name__ == '__main__':\n    print(clean_text('x'))\n",
        },
        "but not training's transformations in src/preprocess.py",
        "tokenizer-saved-but-text-cleaned-before-training",
    ),
    Case(
        "DE005",
        "partial",
        {
            "src/train.py": "from transformers import AutoModelForSequenceClassification, AutoTokenizer, Trainer\n\n\ndef main(ds):\n    tokenizer = AutoTokenizer.from_pretrained('bert-base-uncased')\n    model = AutoModelForSequenceClassification.from_pretrained('bert-base-uncased')\n    trainer = Trainer(model=model, train_dataset=ds, tokenizer=tokenizer)\n    trainer.train()\n    trainer.save_model('out')\n    tokenizer.save_pretrained('out')\n",
            "src/server.py": "from fastapi import FastAPI\nfrom transformers import AutoTokenizer\n\n"
            "app = FastAPI()\ntokenizer = AutoTokenizer.from_pretrained('out')\n\n\n"
            "def preprocess(text):\n    words = text.split()\n"
            "    return tokenizer.convert_tokens_to_ids(['[CLS]', *words, '[SEP]'])\n",
        },
        "but prepares the model's input itself",
        "tokenizer-saved-but-serving-prepares-inputs-itself",
    ),
    Case(
        "DE005",
        "pass",
        {
            "scripts/train.py": "from ultralytics import YOLO\n\nmodel = YOLO('yolov8n.pt')\n"
            "model.train(data='data.yaml', epochs=50, imgsz=640)\n",
            "app/streamlit_app.py": "import streamlit as st\nfrom ultralytics import YOLO\n\n"
            "model = YOLO('runs/detect/train/weights/best.pt')\n"
            "image = st.file_uploader('image')\nif image:\n    st.image(model.predict(image)[0].plot())\n",
        },
        "both go through Ultralytics YOLO",
        "ultralytics-on-both-sides",
    ),
    Case(
        "DE005",
        "pass",
        {
            "train_net.py": "from detectron2.engine import DefaultTrainer\n"
            "from detectron2.config import get_cfg\n\n"
            "if __name__ == '__main__':\n    cfg = get_cfg()\n"
            "    cfg.merge_from_file('configs/mask_rcnn.yaml')\n"
            "    trainer = DefaultTrainer(cfg)\n    trainer.train()\n",
            "label_images.py": "import glob\nimport json\nimport cv2\n"
            "from detectron2.config import get_cfg\nfrom detectron2.engine import DefaultPredictor\n\n"
            "if __name__ == '__main__':\n    cfg = get_cfg()\n"
            "    cfg.merge_from_file('configs/mask_rcnn.yaml')\n"
            "    cfg.MODEL.WEIGHTS = 'output/model_final.pth'\n    predictor = DefaultPredictor(cfg)\n"
            "    for name in glob.glob('images/*.jpg'):\n"
            "        out = predictor(cv2.imread(name))\n"
            "        with open(name + '.json', 'w') as f:\n"
            "            json.dump(len(out['instances']), f)\n",
        },
        "both go through Detectron2",
        "detectron2-predictor",
    ),
    Case(
        "DE005",
        "fail",
        {
            "app/train.py": "from sklearn.svm import SVC\n\n\ndef parse_rows(lines):\n"
            "    out = []\n    for line in lines:\n        out.append(line.split(','))\n"
            "    return out\n\n\ndef train(X, y):\n    return SVC().fit(X, y)\n",
            "app/serve.py": "import joblib\nfrom fastapi import FastAPI\n\napp = FastAPI()\n"
            "model = joblib.load('m')\n\n\ndef parse_rows(lines):\n"
            "    out = []\n    for line in lines:\n        out.append(line.split(','))\n"
            "    return out\n\n\n@app.post('/p')\ndef p(x: list[float]):\n"
            "    return model.predict([x]).tolist()\n",
        },
        "imports nothing",
        "copied-helper-is-not-a-transformation",
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
        {**s.SERVING, "src/churn/monitor.py": "from evidently.report import Report\n"},
        label="evidently",
    ),
    Case(
        "DE006",
        "pass",
        {
            **s.SERVING,
            "src/churn/drift.py": "from scipy.stats import ks_2samp\n\n\n"
            "def drift(ref, cur):\n    return ks_2samp(ref, cur).pvalue\n",
        },
        label="scipy",
    ),
    Case(
        "DE006",
        "partial",
        {**s.SERVING, "src/churn/metrics.py": "from prometheus_client import Counter\n"},
        "service metrics",
        "prometheus",
    ),
    Case("DE006", "fail", s.SERVING),
    Case("DE007", "pass", s.PIPELINE),
    Case(
        "DE007",
        "partial",
        {
            **s.PIPELINE,
            "src/churn/evaluate.py": s.EVALUATE + "\nprint('done')\n",
            "src/churn/data.py": s.DATA + "\nprint('loaded')\n",
        },
        "print() as much as logging",
        "mixed",
    ),
    Case(
        "DE007",
        "fail",
        {
            **s.PIPELINE,
            "src/churn/evaluate.py": s.EVALUATE + "\n" + "print('done')\n" * 5,
        },
        "print() outweighs logging",
        "mostly-prints",
    ),
    Case(
        "DE007",
        "pass",
        {
            **s.PIPELINE,
            "src/churn/evaluate.py": s.EVALUATE
            + "\nif __name__ == '__main__':\n"
            + "    print('a command-line summary')\n" * 20,
        },
        label="main-block",
    ),
    Case(
        "DE007",
        "fail",
        {
            "src/churn/train.py": "def train(m, X, y):\n    print 'training'\n    return m.fit(X, y)\n"
        },
        "no logging",
        "python2",
    ),
    Case(
        "DE007",
        "partial",
        {"src/churn/train.py": "def train(m, X, y):\n    return m.fit(X, y)\n"},
        "nothing logs",
        "silent",
    ),
    Case(
        "DE007",
        "fail",
        {
            "src/churn/train.py": "def train(m, X, y):\n    print('training')\n    return m.fit(X, y)\n"
        },
        "no logging",
        "prints",
    ),
    Case("DE007", "not_applicable", {"README.md": "# x\n"}, label="no-code"),
    Case(
        "MO007",
        "fail",
        {
            "src/churn/train.py": 'def train(m, X, y):\n    """Fit.\n\n    Example::\n\n'
            '        np.random.seed(0)\n        train(m, X, y)\n    """\n'
            "    return m.fit(X, y)\n"
        },
        "no seed",
        "a-seed-in-a-docstring-sets-nothing",
    ),
    Case(
        "DE007",
        "pass",
        {
            "src/churn/train.py": "import logging\n\nlog = logging.getLogger(__name__)\n\n\n"
            'def train(m, X, y):\n    """Fit the model.\n\n    Example::\n\n'
            '        print(train(m, X, y))\n        print(m.score(X, y))\n    """\n'
            "    log.info('training on %d rows', len(X))\n    return m.fit(X, y)\n"
        },
        "1 logging call(s)",
        "prints-in-a-docstring-are-documentation",
    ),
    Case(
        "DE007",
        "pass",
        {"src/churn/serve.py": s.SERVE},
        "is logged by its framework",
        "a-silent-web-service",
    ),
    Case(
        "DE007",
        "pass",
        {
            "src/proj/utils/log.py": "import logging\n\n\ndef get_logger(name):\n"
            "    return logging.getLogger(name)\n",
            "src/proj/modeling/train.py": "def main():\n    ...\n",
        },
        "a logging library is set up",
        "a-template-with-logging-set-up",
    ),
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
    Case("DE008", "fail", {".env": "API_TOKEN=9f8e7d6c5b4a\n"}, ".env", "dotenv"),
    Case(
        "DE008",
        "fail",
        {
            "app/settings.py": "import os\n\n\ndef db_password():\n"
            "    return os.getenv('DATABASE_PASSWORD', 'postgres')\n",
        },
        "DATABASE_PASSWORD falls back to a literal",
        "password-env-fallback",
    ),
    Case(
        "DE008",
        "pass",
        {
            "app/settings.py": "import os\nSECRET_NAME = os.getenv('PROJECT_SECRET_NAME', 'llm-app')\n"
            "KEY = os.environ.get('STORE_API_KEY', 'YOUR_API_KEY_HERE')\n"
            "PASSWORD = os.getenv('DB_PASSWORD', '')\n",
            "benchmarks/bench_db.py": "import os\nPW = os.environ.get('BENCH_PG_PASSWORD', 'postgres')\n",
            "tests/test_db.py": "import os\nPW = os.environ.get('DB_PASSWORD', 'postgres')\n",
        },
        label="env-fallbacks-that-hold-no-password",
    ),
    Case(
        "DE008",
        "partial",
        {".env": "MLFLOW_TRACKING_URI=http://mlflow:5000\nAWS_SECRET_ACCESS_KEY=\n"},
        "the committed .env is where AWS_SECRET_ACCESS_KEY goes",
        "committed-env-with-empty-credential",
    ),
    Case(
        "DE008",
        "pass",
        {
            ".env.production": "# Copy this file and replace the placeholders\n"
            "OPENAI_API_KEY=your_openai_api_key\nNEXT_PUBLIC_SUPABASE_ANON_KEY=x\n",
            "k8s/secret.example.yaml": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n"
            "stringData:\n  AWS_ACCESS_KEY_ID: ''\n",
        },
        label="env-template-and-example-manifest",
    ),
    Case(
        "DE008",
        "partial",
        {
            "k8s/secrets.yml": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: aws\n"
            "type: Opaque\ndata:\n  AWS_ACCESS_KEY_ID: ''\n  AWS_SECRET_ACCESS_KEY: ''\n",
        },
        "a Kubernetes Secret manifest is committed",
        "kubernetes-secret-manifest",
    ),
    Case(
        "DE008",
        "fail",
        {
            "README.md": "mlflow server --backend-store-uri postgresql://admin:admin@10.74.208.3:5432/db\n"
        },
        "password in URL",
        "service-default-password-on-a-remote-host",
    ),
    Case(
        "DE008",
        "pass",
        {
            "docker-compose.yml": "services:\n  mlflow:\n    command: mlflow server "
            "--backend-store-uri postgresql://postgres:postgres@db:5432/mlflow\n",
        },
        label="service-default-password-of-a-compose-service",
    ),
    Case(
        "DE008",
        "fail",
        {
            "k8s/secret.yaml": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n"
            "stringData:\n  DB_PASSWORD: " + "Kx9vQ2mP7wLz" + "\n",
        },
        "possible secret",
        "kubernetes-secret-manifest-holding-a-secret",
    ),
    Case(
        "DE008",
        "pass",
        {
            "chart/templates/secret.yaml": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n"
            "data:\n  password: {{ .Values.db.password | b64enc }}\n",
            ".env": "TOKENIZERS_PARALLELISM=false\nMAX_TOKENS=512\nHF_TOKEN=\n"
            "# Copy this file to .env.local\n",
            "src/app/settings.py": "import os\nWORKDIR = os.environ.get('PWD', '/app')\n"
            "KEY_FILE = os.getenv('SSH_PRIVATE_KEY', '~/.ssh/id_rsa')\n"
            "# never write os.getenv('DB_PASSWORD', 'postgres'): it falls back to a literal\n",
        },
        label="helm-templates-settings-and-paths-hold-no-secret",
    ),
    Case(
        "DE008",
        "pass",
        {".env": "TOKENIZERS_PARALLELISM=false\nMAX_TOKENS=512\nMODEL_NAME=distilbert\n"},
        label="env-without-credential-names",
    ),
    Case(
        "DE008",
        "fail",
        {
            "src/db.py": "import psycopg2\n"
            "conn = psycopg2.connect(host='db.prod.example.net', user='admin', password='admin')\n",
        },
        "password hard-coded in source ad…(5 chars)",
        "short-service-default-in-source",
    ),
    Case(
        "DE008",
        "fail",
        {"app/db.py": "import psycopg2\nconn = psycopg2.connect(host='db', password='postgres')\n"},
        "password hard-coded in source",
        "service-default-password-in-source",
    ),
    Case(
        "DE008",
        "pass",
        {
            "docs/aws.md": "Run `mlflow server --backend-store-uri "
            "postgresql://DB_USER:DB_PASSWORD@DB_ENDPOINT:5432/DB_NAME`\n",
            "configs/db.yaml": "db:\n  password: MY_DB_PASSWORD\n",
        },
        label="named-placeholders",
    ),
    Case(
        "DE008",
        "fail",
        {"docs/aws.md": "postgresql://admin:" + "Hunter2_Prod" + "@db.example.org:5432/x\n"},
        "password in URL",
        "mixed-case-password-in-url",
    ),
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
        {
            "deploy/key.pem": "-----BEGIN RSA "
            + "PRIVATE KEY-----\n"
            + "MIIEpAIBAAKCAQEA" * 4
            + "\n"
        },
        "private key",
        "pem",
    ),
    Case(
        "DE008",
        "fail",
        {
            "gcp/sa.json": '{"private_key": "-----BEGIN '
            + "PRIVATE KEY-----\\n"
            + "MIIEvQIBADANBgkq" * 4
            + '"}\n'
        },
        "private key",
        "service account key in JSON (a written-out line break)",
    ),
    Case(
        "DE008",
        "pass",
        {
            "docs/security.md": "We reject files holding `-----BEGIN "
            + "PRIVATE KEY-----` or `AKIA...`.\n",
            "src/guard.py": "PATTERNS = [re.compile(r'-----BEGIN (?:RSA )?"
            + "PRIVATE KEY-----')]\n",
        },
        "no secrets",
        "a key's header named in prose or a pattern is no key",
    ),
    Case(
        "DE008",
        "pass",
        {
            "tests/test_scan.py": "def test_key():\n    check(\"key = 'AKIA"
            + "1234567890ABCDEF'\")\n"
        },
        "no secrets",
        "a made-up key in a test fixture",
    ),
    Case(
        "DE008",
        "fail",
        {
            "terraform/terraform.tfstate": '{"version": 4, "resources": [{"type": "aws_db_instance", '
            '"instances": [{"attributes": {"password": "' + "q" * 24 + '"}}]}' + " " * 500 + "]}\n"
        },
        "Terraform state",
        "terraform state committed",
    ),
    Case(
        "DE008",
        "pass",
        {"terraform/terraform.tfstate": '{"version": 4, "serial": 1, "resources": []}\n'},
        "no secrets",
        "empty terraform state",
    ),
    Case(
        "DE008",
        "fail",
        {
            "deploy/keys.py": 'PRIVATE_KEY = (\n    "-----BEGIN RSA '
            + 'PRIVATE KEY-----\\n"\n    "'
            + "MIIEpAIBAAKCAQEA" * 4
            + '\\n"\n)\n'
        },
        "private key",
        "private key in adjacent string literals",
    ),
    Case(
        "DE008",
        "fail",
        {
            "deploy/id_ed25519": "-----BEGIN OPENSSH " + "PRIVATE KEY-----\n"
            "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
            "-----END OPENSSH PRIVATE KEY-----\n",
        },
        "private key",
        "openssh key whose body has runs of A",
    ),
    Case(
        "DE008",
        "pass",
        {
            "storage.py": "def client(endpoint, access_key=None, secret_key: str = 'changeme'):\n"
            "    return Minio(endpoint, access_key=access_key, secret_key='YOUR_SECRET_KEY_HERE')\n"
        },
        "no secrets",
        "placeholder secret_key arguments are no framework key",
    ),
    Case(
        "DE008",
        "fail",
        {
            "app.py": "from flask import Flask\n\napp = Flask(__name__)\n"
            "app.config['SECRET_KEY'] = 'CHANGE_ME_LATER'\n"
        },
        "secret_key hard-coded",
        "flask config secret key literal",
    ),
    Case(
        "DE008",
        "fail",
        {"web/settings.py": 'DEBUG = True\nSECRET_KEY = "PLEASE_CHANGE_ME_IN_PRODUCTION"\n'},
        "secret_key hard-coded",
        "django secret key literal, even a placeholder",
    ),
    Case(
        "DE008",
        "fail",
        {"settings.py": "DB = 'postgres://app:" + "Zq9xT4kLm" + "@db.internal/x'\n"},
        "password in URL",
        "url",
    ),
    Case(
        "DE008",
        "fail",
        {
            ".dvc/config": "[core]\n    remote = hub\n['remote \"hub\"']\n"
            "    url = https://dagshub.com/someone/churn.dvc\n    auth = basic\n"
            "    user = someone\n    password = "
            + "3f9a1c0b7d2e"
            + "48a6b5c9d0e1f2a3b4c5d6e7f8a9\n"
        },
        ".dvc/config",
        "dvc-remote-password",
    ),
    Case(
        "DE008",
        "pass",
        {
            ".dvc/config": "[core]\n    remote = storage\n['remote \"storage\"']\n    url = s3://b/x\n"
        },
        label="dvc-remote-without-credentials",
    ),
    Case(
        "DE008",
        "fail",
        {".npmrc": "//registry.npmjs.org/:_authToken=" + "npm_4f9a1c0b7d2e48a6b5c9" + "\n"},
        ".npmrc",
        "npm-token",
    ),
    Case(
        "DE008",
        "fail",
        {".s3cfg": "[default]\nsecret_key = " + "wJalrXUtnFEMI9K7MDENGbPxRfiCY" + "\n"},
        "secret_key",
        "s3cmd-secret-key",
    ),
]

# ------------------------------------------------------------------------------------------
# Traps found by labelling real repositories (docs/accuracy.md): each case failed before its fix.
TRAPS: list[Case] = [
    # Heading synonyms must match words, not parts of words.
    Case(
        "SC008",
        "fail",
        readme(
            "Pretrained models",
            "Download the weights from the release page and put them in models/.",
        ),
        label="pretrained",
    ),
    Case(
        "SC006",
        "fail",
        readme("Continuous Integration", "Every pull request runs the unit tests and the linters."),
        label="ci-heading",
    ),
    Case(
        "SC006",
        "partial",
        readme("Usage", "Run python -m churn predict data.csv to score a file of customers."),
        "general",
        "usage-is-weak",
    ),
    Case(
        "SC004",
        "fail",
        readme("Data leakage", "We removed the post-cancellation columns before training."),
        label="data-leakage",
    ),
    Case(
        "DA004",
        "fail",
        {
            **readme("New features", "Version 2 adds the tenure buckets to the command line."),
            **DATA_KEPT,
        },
        label="new-features",
    ),
    Case(
        "SC008",
        "fail",
        {
            "doc/whats_new/v0.2.rst": "Version 0.2\n===========\n\nMaintenance\n"
            "-----------\n\nDropped Python 3.8 and "
            "updated the test matrix.\n"
        },
        label="changelog-maintenance",
    ),
    # A validation function is found on its own line, and evaluation loops are not validation.
    Case(
        "DA003",
        "pass",
        {
            "pkg/checks.py": "import pandas as pd\n\n\ndef validate_frame(df):\n"
            "    if df.isna().any().any():\n"
            "        raise ValueError('nulls')\n    return df\n",
            "pkg/train.py": "from pkg.checks import validate_frame\n",
        },
        label="after-blank-lines",
    ),
    Case(
        "DA003",
        "fail",
        {
            "eval_knn.py": "import torch\n\n\ndef validate_network(loader, model):\n"
            "    model.eval()\n    for x, y in loader:\n"
            "        model(x)\n    return 0\n"
        },
        label="eval-loop-named-validate",
    ),
    # Tooling files are not ML configuration.
    Case(
        "MO001",
        "fail",
        {
            ".github/ISSUE_TEMPLATE/config.yml": "blank_issues_enabled: false\n",
            ".circleci/config.yml": "version: 2.1\n",
        },
        label="tooling-config",
    ),
    Case(
        "DA006",
        "fail",
        {".devcontainer.json": '{"features": {"ghcr.io/x/y:1": {}}}'},
        label="devcontainer-features",
    ),
    Case(
        "MO001",
        "pass",
        {"config/train_shakespeare.py": "batch_size = 64\nlearning_rate = 1e-3\n"},
        label="python-config",
    ),
    # Branch filters and CLI flags are not releases.
    Case(
        "DE003",
        "fail",
        {
            ".github/workflows/ci.yml": "on:\n  push:\n    branches: [main, 'release/*']\njobs:\n  t:\n"
            "    steps:\n      - run: pytest\n"
            "      - run: cml comment create --publish report.md\n"
        },
        label="branch-filter-and-flag",
    ),
    Case(
        "DE003",
        "partial",
        {
            ".circleci/config.yml": "version: 2\njobs:\n  deploy:\n    docker:\n"
            "      - image: cimg/python:3.13\n    steps:\n      - checkout\n"
            "      - run: bash build_tools/push_doc.sh doc/_build/html\n"
        },
        "only publishes documentation",
        "docs-deploy-on-a-docker-executor",
    ),
    # Training checks do not apply to repositories that train nothing.
    Case(
        "MO002",
        "not_applicable",
        {
            "service.py": "import bentoml\nfrom transformers import "
            "AutoModel\nmodel = AutoModel.from_pretrained"
            "('vit')\n"
        },
        label="serving-only",
    ),
    Case(
        "MO003",
        "not_applicable",
        {
            "save_model.py": "import bentoml\nfrom transformers import "
            "AutoModel\nm = AutoModel.from_pretrained('v')"
            "\nbentoml.transformers.save_model('v', m)\n"
        },
        label="pretrained-only",
    ),
    Case(
        "DE006",
        "not_applicable",
        {"train.py": "from sklearn.svm import SVC\nSVC().fit(X, y)\n"},
        "requires DE004",
        "nothing-deployed",
    ),
    Case(
        "DE006",
        "fail",
        {
            "app/main.py": "import joblib\nfrom fastapi import FastAPI\napp = "
            "FastAPI()\nmodel = joblib.load('m.joblib')\n\n\n"
            "@app.post('/p')\ndef p(x: list[float]):\n"
            "    return model.predict([x]).tolist()\n"
        },
        label="serves-a-model",
    ),
    # A library's estimators are not a training pipeline.
    Case(
        "MO003",
        "not_applicable",
        {
            "src/imblearn/__init__.py": "from ._version import __version__\n",
            "src/imblearn/_version.py": "__version__ = '1.0'\n",
            "src/imblearn/over_sampling/_smote.py": "class SMOTE:\n    def fit(self, X, y):\n        self.n_ = len(X)\n        return self\n",
            "src/imblearn/under_sampling/_random.py": "class RandomUnderSampler:\n    def fit(self, X, y):\n        return self\n\n"
            "    def fit_resample(self, X, y):\n        return self.fit(X, y)\n",
            "src/imblearn/ensemble/_bagging.py": "class BalancedBagging:\n    def fit(self, X, y):\n        self.est_.fit(X, y)\n"
            "        return self\n",
        },
        "library",
        "estimator-library",
    ),
    # CI through a task runner or a script counts.
    Case(
        "DE002",
        "pass",
        {
            ".github/workflows/ci.yml": "on: push\njobs:\n  t:\n    steps:\n"
            "      - run: pixi run -e dev tests\n"
        },
        label="pixi",
    ),
    Case(
        "DE002",
        "pass",
        {
            ".github/workflows/ci.yml": "on: push\njobs:\n  t:\n    steps:\n"
            "      - run: bash deploy/workloads.sh\n",
            "deploy/workloads.sh": "#!/bin/bash\npython -m pytest tests\n",
        },
        label="via-script",
    ),
    Case(
        "DE002",
        "partial",
        {
            ".github/workflows/ci.yml": "on: push\njobs:\n  t:\n    steps:\n"
            "      - run: echo 'Running unit tests'"
            "\n"
        },
        label="echo-only",
    ),
    # Recording through the project's own tracking module counts.
    Case(
        "MO008",
        "pass",
        {
            "pkg/__init__.py": "",
            "pkg/evaluate.py": "from sklearn.metrics import f1_score\n\nfrom pkg.track import record\n\n"
            "\ndef evaluate(y, p):\n    record('f1', f1_score(y, p))\n",
            "pkg/track.py": "import mlflow\n\n\ndef record(name, value):\n"
            "    mlflow.log_metric(name, value)\n",
            "pkg/train.py": "def train(m, X, y):\n    return m.fit(X, y)\n",
        },
        label="recorded-elsewhere",
    ),
    # DVC initialised but tracking nothing is not data versioning.
    Case(
        "DA001",
        "partial",
        {".dvc/config": "[core]\n    remote = s3\n"},
        "tracks nothing",
        "dvc-init-only",
    ),
    # A .env without secrets is not a secret.
    Case("DE008", "pass", {"docker/.env": "COMPOSE_PROJECT_NAME=demo\n"}, label="harmless-env"),
    # Stubs and placeholders.
    Case(
        "MO003",
        "fail",
        {
            "src/pkg/data/make_dataset.py": "def main():\n    print('making')\n    print('data')\n",
            "src/pkg/models/train_model.py": "def main():\n    print('a')\n"
            "    print('b')\n    print('c')\n",
            "src/pkg/models/predict_model.py": "def main():\n    pass\n",
            "src/pkg/features/build_features.py": "def main():\n    ...\n",
            "requirements.txt": "scikit-learn\n",
            "src/pkg/models/model.py": "from sklearn.svm import SVC\n",
        },
        "stubs",
        "print-only-scaffold",
    ),
    Case("MO005", "fail", {"tests/test_nothing.py": "import pytest\n"}, label="no-test-functions"),
    Case(
        "SC001",
        "fail",
        readme(
            "Overview", "This is your new Kedro project, which was generated using kedro 0.19.0."
        ),
        "template",
        "kedro-boilerplate",
    ),
    Case(
        "DE004",
        "fail",
        {
            "app/models/prediction.py": "from pydantic import BaseModel\n\n\n"
            "class Prediction(BaseModel):\n"
            "    label: str\n    score: float\n",
            "train.py": "from sklearn.svm import SVC\nSVC().fit(X, y)\n",
        },
        "no serving",
        "pydantic-schema-is-not-a-stub",
    ),
    # Logging: tooling scripts are not production code; a few prints beside logging pass.
    Case(
        "DE007",
        "pass",
        {
            **{
                f"src/churn/m{i}.py": "import logging\nlog = logging.getLogger()\n"
                "\n\ndef f():\n    log.info('x')\n"
                for i in range(12)
            },
            "src/churn/report.py": "def show(x):\n    print(x)\n",
            "src/churn/train.py": "import logging\n\n\ndef train(m, X, y):\n"
            "    logging.info('fit')\n    return m.fit(X, y)\n",
            ".github/workflows/json_to_md.py": "print('x')\n",
        },
        label="few-prints",
    ),
    Case(
        "DE007",
        "not_applicable",
        {"docker/jupyter_notebook_config.py": "c = 1\n", "README.md": "# notebooks\n"},
        label="no-pipeline",
    ),
    # Framework coverage.
    Case(
        "DE004",
        "pass",
        {
            "sample.py": "import torch\nmodel = torch.load('ckpt.pt')\n"
            "y = model.generate(x, 100)\nprint(y)\n"
        },
        label="sample",
    ),
    Case(
        "DE001",
        "pass",
        {"bentofile.yaml": "service: 'service:svc'\ndocker:\n  python_version: '3.11'\n"},
        "BentoML",
        "bentofile",
    ),
    Case(
        "DA006",
        "pass",
        {
            "src/titanic/features.py": "FEATURE_MAP = {'Sex': 'sex', 'Age': 'age'}\n"
            "\n\ndef select(df):\n"
            "    return df[list(FEATURE_MAP)]\n"
        },
        label="features-module",
    ),
    Case(
        "MO009",
        "pass",
        {
            "conf/base/catalog.yml": "regressor:\n  type: pickle.PickleDataset\n"
            "  filepath: data/06_models/regressor.pickle\n"
            "  versioned: true\n",
            "src/sp/nodes.py": "def train(X, y, m):\n    return m.fit(X, y)\n",
        },
        "versions its datasets",
        "kedro-catalog",
    ),
    Case(
        "DA005",
        "pass",
        {
            "conf/base/catalog.yml": "companies:\n  type: pandas.CSVDataset\n"
            "  filepath: data/01_raw/companies.csv\n"
        },
        "catalog",
        "kedro-catalog",
    ),
]
CASES += TRAPS

LIBRARY = {
    "pyproject.toml": '[project]\nname = "imblearn"\nversion = "1"\n',
    "src/imblearn/datasets/_zenodo.py": "def fetch_datasets():\n    return fetch_openml('x')\n",
    **{
        f"src/imblearn/m{i}.py": f"class Est{i}:\n    def fit(self, X, y):\n        self.n_ = len(X)\n"
        "        return self\n"
        for i in range(3)
    },
    "README.md": "# imblearn\n\n## Metrics\n\nBalanced accuracy and geometric mean scorers.\n",
}
TRAPS2: list[Case] = [
    Case("DA005", "not_applicable", LIBRARY, "ML library", "library"),
    Case("SC003", "not_applicable", LIBRARY, "ML library", "library"),
    Case(
        "MO007",
        "not_applicable",
        {
            **LIBRARY,
            "src/imblearn/m0.py": "class E:\n    def fit(self, X, y, random_state=0):\n        return self\n",
        },
        "library",
        "library",
    ),
    Case(
        "MO006",
        "pass",
        {"requirements.txt": "".join(f"pkg{i}==1.0\n" for i in range(20)) + "requests>=2\n"},
        "20 of 21",
        "nearly-all-pinned",
    ),
    Case(
        "DA005",
        "partial",
        {"train.py": "import pandas as pd\ndf = pd.read_csv('wine.csv')\nmodel.fit(df, df.y)\n"},
        "loaded inline",
        "inline-script",
    ),
    Case(
        "DA003",
        "partial",
        {
            "tests/data/test_dataset.py": "import great_expectations as ge\n",
            "src/p/data.py": "def load(p):\n    return p\n",
        },
        "only in tests",
        "tests-only",
    ),
    Case(
        "SC002",
        "pass",
        readme(
            "Collaborators", "Jane Doe and the CD4ML team at ThoughtWorks maintain this workshop."
        ),
        label="collaborators",
    ),
    Case(
        "SC002",
        "fail",
        {
            "docs/charter.md": "# Charter\n\n## Owners and stakeholders\n\n<!-- Who owns what? -->\nTODO: name the owners.\n",
            "pyproject.toml": '[project]\nname = "x"\nversion = "1"\nauthors = [{name = "Ann"}]\n',
        },
        "not filled in",
        "unfilled-section-beats-authors",
    ),
    Case(
        "DE007",
        "pass",
        {**s.PIPELINE, "client.py": "import requests\nprint(requests.post('http://x').json())\n"},
        label="demo-client",
    ),
    Case(
        "DE005",
        "pass",
        {
            "src/mw/__init__.py": "",
            "src/mw/data.py": "class CustomPreprocessor:\n    def transform(self, df):\n        df = df.copy()\n        df['x'] = df['a'] * 2\n        return df\n",
            "src/mw/predict.py": "from mw import data\n\n\nclass Predictor:\n    def predict(self, df):\n        return self.model.predict(data.CustomPreprocessor().transform(df))\n",
            "src/mw/serve.py": "from fastapi import FastAPI\n\nfrom mw import predict\n\napp = FastAPI()\n\n\n@app.post('/p')\ndef p(rows: list[dict]):\n    return predict.Predictor().predict(rows)\n",
            "src/mw/train.py": "from mw import data\n\n\ndef train(m, df):\n    return m.fit(data.CustomPreprocessor().transform(df), df.y)\n",
        },
        "both import",
        "transitive-from-import",
    ),
]
TRAPS2.append(
    Case(
        "MO002",
        "pass",
        {
            "src/p/train.py": "def train(m, X, y):\n    return m.fit(X, y)\n",
            "src/p/tracking.py": "import json\n\n\ndef log_run(path, params, metrics):\n    with open(path, 'a') as fh:\n        fh.write(json.dumps({'params': params, 'metrics': metrics}))\n",
        },
        "run log",
        "local-run-log",
    )
)
CASES += TRAPS2

TRAPS3: list[Case] = [
    Case("DA001", "not_applicable", LIBRARY, "ML library", "library"),
    Case("SC006", "not_applicable", LIBRARY, "ML library", "library"),
    Case("MO001", "not_applicable", LIBRARY, "ML library", "library"),
    Case(
        "MO009",
        "pass",
        {
            "save_model.py": "import bentoml\nfrom transformers import AutoModel\nm = AutoModel.from_pretrained('vit')\nbentoml.transformers.save_model('vit', m)\n"
        },
        "registered or logged",
        "saves-without-training",
    ),
    Case(
        "MO009",
        "not_applicable",
        {"service.py": "import bentoml\nmodel = bentoml.models.get('vit:latest')\n"},
        "loads no model",
        "serves-only",
    ),
    Case(
        "MO003",
        "pass",
        {
            "src/lht/__init__.py": "",
            "src/lht/data/mnist_datamodule.py": "import torch\n\n\nclass MNISTDataModule:\n    def setup(self):\n        self.data = torch.load('mnist.pt')\n",
            "src/lht/models/mnist_module.py": "class MNISTLitModule:\n    def training_step(self, batch):\n        return self.net(batch).sum()\n",
            "src/lht/train.py": "def train(cfg, trainer, model, dm):\n    trainer.fit(model=model, datamodule=dm)\n",
            "src/lht/eval.py": "def evaluate(trainer, model, dm):\n    return trainer.test(model=model, datamodule=dm)\n",
        },
        "steps in modules",
        "datamodule",
    ),
    Case(
        "MO003",
        "pass",
        {
            "src/splitter.py": "import pandas as pd\n\n\ndef split(df):\n    return df.sample(frac=0.8), df\n",
            "src/features.py": "def encode(df):\n    return df.fillna(0)\n",
            "src/decision_tree.py": "from sklearn.tree import DecisionTreeRegressor\n\n\ndef run(X, y):\n    model = DecisionTreeRegressor()\n    model.fit(X, y)\n    return model\n",
            "src/evaluation.py": "from sklearn.metrics import r2_score\n\n\ndef report(y, p):\n    return r2_score(y, p)\n",
            "run_decisiontree_pipeline.sh": "python src/splitter.py\npython src/decision_tree.py\n"
            "python src/evaluation.py\n",
        },
        "train (src/decision_tree.py)",
        "fit-by-deed",
    ),
    Case(
        "DE001",
        "partial",
        {"bentofile.yaml": "service: 'service:svc'\npython:\n  packages: [torch]\n"},
        "no docker/build section",
        "bentofile-without-docker",
    ),
    Case(
        "MO008",
        "pass",
        {
            "train.py": "model.fit(X, y)\n",
            "eval_linear.py": "import json\n\n\ndef validate(model, loader, log):\n    acc1 = accuracy(model(loader.x), loader.y)\n    log.write(json.dumps({'acc1': acc1}))\n",
        },
        "records metrics",
        "own-accuracy",
    ),
    Case(
        "DA005",
        "pass",
        {
            "train.py": "import numpy as np\nmodel.fit(X)\n\n\ndef get_batch(split):\n    data = np.memmap('train.bin', dtype=np.uint16, mode='r')\n    return data[:10]\n"
        },
        "loaded by",
        "memmap",
    ),
]
CASES += TRAPS3

CASES.append(
    Case(
        "SC001",
        "fail",
        {
            "ml-project-checklist.md": "# Frame the problem and look at the big picture\n\n1. Define the objective in business terms.\n2. How will your solution be used?\n3. What are the current solutions (if any)?\n4. How should you frame this problem (supervised, online, etc.)\n5. How should performance be measured?\n"
        },
        "questions and prompts",
        "copied-checklist",
    )
)

CASES.append(
    Case(
        "SC003",
        "fail",
        {
            "docs/checks.md": "<!-- Generated from checklist/*.yaml; do not edit. -->\n# Checks\n\n### SC003 success-metrics\n\nLooks for success metrics with a target or KPI, e.g. F1 >= 0.8.\n"
        },
        "no document",
        "generated-reference-page",
    )
)

CASES += [
    Case(
        "MO001",
        "partial",
        {
            "config/main.yaml": "defaults:\n  - model: model1\ndata:\n  raw: data/raw/sample.csv\n",
            "config/model/model1.yaml": "name: model1\n",
            "src/p.py": "import hydra\n",
            "requirements.txt": "hydra-core==1.3.2\n",
        },
        "no parameter values",
        "placeholder-config",
    ),
    Case(
        "MO001",
        "pass",
        {
            "MLproject": "name: wine\nentry_points:\n  main:\n    parameters:\n      alpha: {type: float, default: 0.5}\n"
        },
        label="mlproject-inline",
    ),
]

# Data loading is reusable when a loading function or a data module holds it, not a driver
# (found labelling held-out repositories: load_iris in train.main(), ImageFolder in main_worker,
# loaders nested in run_the_app are partial; a data/ module or a dataset function passes).
_FIT = "from sklearn.svm import SVC\n\n\ndef fit(X, y):\n    return SVC().fit(X, y)\n"
CASES += [
    Case(
        "DA005",
        "partial",
        {
            "train.py": "import pandas as pd\n\n\ndef main():\n    df = pd.read_csv('x.csv')\n"
            "    model.fit(df, df.y)\n",
            "model.py": _FIT,
        },
        "driver function",
        "in-main",
    ),
    Case(
        "DA005",
        "partial",
        {
            "app.py": "import pandas as pd\n\n\ndef run_the_app():\n    def load_metadata(url):\n"
            "        return pd.read_csv(url)\n    return load_metadata('x')\n",
            "model.py": _FIT,
        },
        "driver function",
        "nested-in-driver",
    ),
    Case(
        "DA005",
        "pass",
        {
            "src/data/prepare.py": "import pandas as pd\ndf = pd.read_csv('raw.csv')\n"
            "df.dropna().to_csv('clean.csv')\n",
            "model.py": _FIT,
        },
        "src/data/prepare.py",
        "data-module",
    ),
    Case(
        "DA005",
        "pass",
        {
            "tune.py": "import pandas as pd\n\n\ndef local_dataset(name):\n"
            "    return pd.read_csv(name)\n",
            "model.py": _FIT,
        },
        "local_dataset",
        "dataset-function",
    ),
    Case(
        "DA005",
        "pass",
        {
            "tune.py": "from datasets import load_dataset\n\n\ndef make_data_module(name):\n"
            "    def load_data(n):\n        return load_dataset(n)\n"
            "    return load_data(name)\n",
            "model.py": _FIT,
        },
        "make_data_module",
        "helper-in-loader",
    ),
    Case(
        "DA005",
        "pass",
        {
            "images.py": "import numpy as np\n\n\nclass ImagesDataset:\n"
            "    def __getitem__(self, i):\n        return np.load(self.paths[i])\n",
            "model.py": _FIT,
        },
        "ImagesDataset",
        "dataset-class",
    ),
    Case(
        "DA005",
        "pass",
        {
            "tune.py": "import pandas as pd\n\n\ndef main():\n    df = pd.read_csv('x.csv')\n\n\n"
            "def read_features(path):\n    return pd.read_parquet(path)\n",
            "model.py": _FIT,
        },
        "read_features",
        "later-loader",
    ),
]

# Owners are named people, handles or addresses (found labelling held-out repositories: a
# Contact section pointing to GitHub Issues and Discord, a roles table with no names, a code of
# conduct's "Enforcement Responsibilities" name no owner).
CASES += [
    Case(
        "SC002",
        "partial",
        readme(
            "Contact",
            "For bug reports please visit [GitHub Issues](https://github.com/x/y/issues) or "
            "join our [Discord Server](https://discord.gg/x).",
        ),
        "names no person",
        "contact-points-to-issues",
    ),
    Case(
        "SC002",
        "partial",
        readme(
            "Roles & Responsibilities",
            "| Role | Duties |\n|---|---|\n| **AI Compliance Officer** | approves releases |\n"
            "| **ML Engineer** | maintains the pipelines |\n",
        ),
        "names no person",
        "roles-without-names",
    ),
    Case(
        "SC002",
        "fail",
        readme("Enforcement Responsibilities", "Community leaders will enforce this code."),
        "no document",
        "code-of-conduct",
    ),
    Case(
        "SC002",
        "pass",
        readme("Maintainers", "The model is maintained by @acme/churn-ml (on call weekly)."),
        label="handle",
    ),
]

# READMEs written in HTML: headings are <h2> tags (found labelling held-out repositories).
CASES += [
    Case(
        "SC001",
        "pass",
        {
            "README.md": '<h1 align="center">Churn</h1>\n\n<p>Intro.</p>\n\n'
            "<h2>🎯 Problem statement</h2>\n\n<p>" + FILLED + "</p>\n\n<h2>Setup</h2>\n\n"
            "<p>pip install churn</p>\n"
        },
        "Problem statement",
        "html-headings",
    ),
    Case(
        "SC001",
        "partial",
        {
            "README.md": "<h1>Prophet forecasting service</h1>\n\n<p>\nThis project builds a "
            "forecasting service with Prophet, served via FastAPI.\n</p>\n\n<h2>Stack</h2>\n\n"
            "<ul><li>Ray for distributed training, which helps scale</li></ul>\n"
        },
        "touches on",
        "html-intro-without-users",
    ),
]

# A problem statement says who has the problem or why it matters; a task alone is partial
# (found labelling held-out repositories: "Goal of the tutorial: train a classifier").
CASES += [
    Case(
        "SC001",
        "partial",
        readme("Goal of the tutorial", "Train a binary classifier on the IMDB movie reviews."),
        "not who has the problem",
        "task-only",
    ),
]

# A deployment scenario said in so many words, under any heading or in a list (found
# labelling held-out repositories: "make run-server starts the API server", "the workflow
# trains and deploys a model on Azure Machine Learning", a curl to /predict).
CASES += [
    Case(
        "SC006",
        "pass",
        {
            "README.md": "# Recommender\n\n## About\n\n- Recommends movies to users.\n- To start "
            "the API server, run make run-server; send a POST request with {user_id}.\n",
            "src/app.py": "import fastapi\n",
        },
        "states the deployment scenario",
        "statement-in-list",
    ),
    Case(
        "SC006",
        "fail",
        {
            "README.md": "# Accidents\n\n## Steps\n\nRun `python ./src/models/predict_model.py "
            "./src/models/test_features.json` to try a prediction.\n",
        },
        "no document",
        "predict-script-is-not-a-route",
    ),
]

# A retraining plan is this project's plan, not a possibility (found labelling held-out
# repositories: "Next Steps (Optional): scheduled retraining", "it is easy to connect to
# scheduled runs (cron)").
CASES += [
    Case(
        "SC008",
        "partial",
        readme(
            "Next Steps (Optional)", "- Data drift detection\n- Scheduled retraining every week"
        ),
        "could or should be done",
        "optional-next-steps",
    ),
    Case(
        "SC008",
        "partial",
        readme(
            "Continual learning",
            "It becomes really easy to connect this to scheduled runs (cron), "
            "[pipelines](https://example.com/courses/pipelines), drift detected through "
            "[monitoring](https://example.com/monitoring), etc.",
        ),
        "could or should be done",
        "easy-to-add",
    ),
    Case(
        "SC008",
        "pass",
        readme(
            "Retraining",
            "We retrain weekly on the last year of tickets; a drift alert triggers a retrain.",
        ),
        label="weekly-plan",
    ),
]

# A seed that sets nothing: commented out, drawn at random, or applied only when --seed is
# given and it defaults to None (found labelling held-out repositories).
_TRAIN = "from sklearn.svm import SVC\n\n\ndef train(X, y):\n    return SVC().fit(X, y)\n"
CASES += [
    Case(
        "MO007",
        "fail",
        {"src/train.py": _TRAIN + "# torch.manual_seed(42)\n# seed_everything(42)\n"},
        "no seed",
        "commented-out",
    ),
    Case(
        "MO007",
        "partial",
        {
            "src/train.py": _TRAIN + "import argparse, random\np = argparse.ArgumentParser()\n"
            "p.add_argument('--seed', default=None, type=int)\nargs = p.parse_args()\n"
            "if args.seed is not None:\n    random.seed(args.seed)\n"
        },
        "only when one is given",
        "optional-seed",
    ),
    Case(
        "MO007",
        "pass",
        {
            "src/train.py": _TRAIN + "import argparse, random\np = argparse.ArgumentParser()\n"
            "p.add_argument('--seed', default=42, type=int)\nargs = p.parse_args()\n"
            "random.seed(args.seed)\n"
        },
        label="seed-option-with-default",
    ),
    Case(
        "MO007",
        "fail",
        {
            "src/split.py": _TRAIN
            + "import random\ndf.sample(10, random_state=random.randint(0, 9))\n"
        },
        "no seed",
        "random-seed",
    ),
]

# Continuous delivery by cloud commands (found labelling held-out repositories: an image pushed
# to ECR and a Lambda function updated on every push).
CASES += [
    Case(
        "DE003",
        "pass",
        {
            ".github/workflows/deploy.yml": "on: [push]\njobs:\n  d:\n    steps:\n"
            "    - uses: jwalton/gh-ecr-push@v1\n"
            "    - run: aws lambda update-function-code --function-name x --image-uri y\n"
        },
        "ecr-push",
        "aws-lambda",
    ),
]


def _notebook(*lines: str) -> str:
    import json

    cell = {"cell_type": "code", "source": [line + "\n" for line in lines]}
    return json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


_NOTEBOOK_SAVES_MODEL = _notebook(
    "import pickle, lightgbm as lgb",
    "model = lgb.train(params, train_set)",
    "with open('/home/me/project/models/lgb_tuned.pkl', 'wb') as f:",
    "    pickle.dump(model, f)",
)
# Served models trained in notebooks (held-out set E: the modules beside them are helpers, or a
# training script exists but the file the API loads is the one a notebook wrote).
CASES += [
    Case(
        "MO004",
        "fail",
        {
            "notebooks/Final_Project.ipynb": s.NOTEBOOK_TRAIN,
            "src/data_prep.py": "def prepare(train, test, oh_encoder, imputer, scaler):\n"
            "    oh_encoder.fit(train)\n    imputer.fit(train)\n    scaler.fit(train)\n"
            "    return scaler.fit_transform(test)\n",
        },
        "only fit preprocessors",
        "preprocessor-modules",
    ),
    Case(
        "MO004",
        "pass",
        {
            "notebooks/eda.ipynb": s.NOTEBOOK_TRAIN,
            "src/data_prep.py": "def prepare(train, scaler):\n    return scaler.fit_transform(train)\n",
            "src/train.py": "def train(model, scaler, X, y):\n    scaler.fit(X)\n"
            "    model.fit(scaler.transform(X), y)\n    return model\n",
        },
        label="model-fit-after-scaler",
    ),
    Case(
        "MO004",
        "pass",
        {
            "notebooks/autopilot.ipynb": s.NOTEBOOK_TRAIN,
            "pipelines/preprocess.py": "X = preprocess.fit_transform(df)\n",
            "pipelines/pipeline.py": "from sagemaker.estimator import Estimator\n"
            "from sagemaker.workflow.steps import TrainingStep\n"
            "xgb = Estimator(image_uri=uri, role=role)\n"
            "step = TrainingStep(name='train', estimator=xgb)\n",
        },
        label="platform-training-job",
    ),
    Case(
        "MO004",
        "fail",
        {
            "notebooks/3-tune.ipynb": _NOTEBOOK_SAVES_MODEL,
            "src/config.py": 'MODEL_PATH = "models/lgb_tuned.pkl"\n',
            "src/inference.py": "import pickle\nfrom src.config import MODEL_PATH\n\n"
            "model = pickle.load(open(MODEL_PATH, 'rb'))\n",
            "src/train.py": "import pickle, lightgbm as lgb\n\n\ndef train(params, ds, path):\n"
            "    model = lgb.train(params, ds)\n    pickle.dump(model, open(path, 'wb'))\n",
        },
        "lgb_tuned.pkl, named in src/config.py) is written only by a notebook (notebooks/3-tune",
        "served-model-from-notebook",
    ),
    Case(
        "MO004",
        "pass",
        {
            "notebooks/3-tune.ipynb": _NOTEBOOK_SAVES_MODEL,
            "src/config.py": 'MODEL_PATH = "models/lgb_tuned.pkl"\n',
            "src/inference.py": "import pickle\nfrom src.config import MODEL_PATH\n\n"
            "model = pickle.load(open(MODEL_PATH, 'rb'))\n",
            "src/train.py": "import pickle, lightgbm as lgb\nfrom src.config import MODEL_PATH\n\n\n"
            "def train(params, ds):\n    model = lgb.train(params, ds)\n"
            "    pickle.dump(model, open(MODEL_PATH, 'wb'))\n",
        },
        label="served-model-also-from-module",
    ),
    Case(
        "MO004",
        "pass",
        {
            "notebooks/3-tune.ipynb": _NOTEBOOK_SAVES_MODEL,
            "params.yaml": "train:\n  out: models/lgb_tuned.pkl\n",
            "src/inference.py": "import pickle\n\nmodel = pickle.load(open('models/lgb_tuned.pkl', 'rb'))\n",
            "src/train.py": "import pickle, sys, lightgbm as lgb\n\n\ndef train(params, ds):\n"
            "    model = lgb.train(params, ds)\n    pickle.dump(model, open(sys.argv[1], 'wb'))\n",
        },
        label="served-model-path-in-config",
    ),
]

# Settings in code or the environment are a start, not configuration apart from code (held-out
# set E: config/settings.py constants, a credentials-only .env.example, a tuning script).
_TRAINS = {"src/train.py": "from sklearn.svm import SVC\n\nmodel = SVC(C=1.0).fit(X, y)\n"}
CASES += [
    Case(
        "MO001",
        "partial",
        {
            **_TRAINS,
            "config/settings.py": "from pathlib import Path\n\nROOT = Path(__file__).parent\n"
            "SEED = 42\nTEST_SIZE = 0.2\n",
        },
        "settings only in code or environment files (config/settings.py)",
        "python-constants",
    ),
    Case(
        "MO001",
        "partial",
        {**_TRAINS, ".env.example": "OPENAI_API_KEY=\nKESTRA_PORT=8080\nGCP_REGION=eu\n"},
        "no config file of parameters",
        "plumbing-env-file",
    ),
    Case(
        "MO001",
        "fail",
        {**_TRAINS, "src/hyperparameter_tuning.py": "grid = {'C': [0.1, 1, 10]}\n"},
        label="tuning-script-is-no-config",
    ),
    Case(
        "MO001",
        "pass",
        {**_TRAINS, "app.env": "REDIS_HOST=redis\nIMAGE_WIDTH=224\nBATCH_SIZE=32\n"},
        "app.env configures the model (IMAGE_WIDTH=224)",
        "model-env-file",
    ),
    Case(
        "MO001",
        "pass",
        {
            **_TRAINS,
            "config/train_small.py": "batch_size = 12\n",
            "config/train_large.py": "batch_size = 64\n",
            "config/eval.py": "eval_only = True\n",
        },
        "config/eval.py holds parameter values only",
        "config-module-folder",
    ),
]

# Metrics recorded, not only printed (held-out set E: a score printed beside the pickled model
# or the saved out-of-fold predictions records nothing).
_CV_SCORE = (
    "import pickle\nfrom sklearn.metrics import accuracy_score\n\n"
    "model.fit(X, y)\nprint('accuracy', accuracy_score(y_val, model.predict(X_val)))\n"
)
CASES += [
    Case(
        "MO008",
        "partial",
        {"train.py": _CV_SCORE + "pickle.dump(model, open('model.pkl', 'wb'))\n"},
        "computed in train.py but not recorded",
        "printed-beside-saved-model",
    ),
    Case(
        "MO008",
        "partial",
        {
            "code/train.py": "model.fit(X, y)\n",
            "code/postprocess.py": "import numpy as np\nfrom sklearn.metrics import matthews_corrcoef\n\n"
            "print('MCC', matthews_corrcoef(y, p > 0.5))\noof.to_csv('oof_predictions.csv')\n"
            "np.save('oof.npy', p)\n",
        },
        "not recorded",
        "oof-predictions-saved",
    ),
    Case(
        "MO008",
        "pass",
        {
            "src/train.py": "model.fit(X, y)\n",
            "src/summary.py": "from sklearn.metrics import accuracy_score\n\n\n"
            "def log_results(rows, path):\n    row = {'accuracy': accuracy_score(*rows)}\n"
            "    df = pd.concat([df, pd.DataFrame([row])])\n    df.to_csv(path, index=False)\n",
        },
        "computes and records metrics",
        "writer-in-log-results",
    ),
    Case(
        "MO008",
        "pass",
        {
            "train.py": _CV_SCORE,
            "train.sh": "#!/bin/bash\npython ./train.py > ./logs/train.log\n",
        },
        "train.sh keeps what it prints",
        "printed-into-log",
    ),
]
CASES.append(
    Case(
        "MO008",
        "pass",
        {
            "train.py": "model.fit(X, y)\n",
            "val.py": "from sklearn.metrics import precision_score\n\n"
            "p = precision_score(y, model.predict(X))\ncallbacks.run('on_val_end', p)\n",
            "utils/loggers.py": "class Loggers:\n    def on_val_end(self, p):\n"
            "        self.tb.add_scalar('val/precision', p)\n",
        },
        "utils/loggers.py logs metrics to a tracker",
        "framework-logger-module",
    )
)

# DA005: torch.load in load_model() reads a model, not data; a Dataset class is loading code
# other steps reuse (held-out sets D and E).
CASES += [
    Case(
        "DA005",
        "partial",
        {
            "train.py": "from torchvision import datasets\nfrom torch.utils.data import DataLoader\n\n"
            "ds = datasets.ImageFolder('data/train')\nloader = DataLoader(ds, batch_size=32)\n"
            "model.fit(loader)\n",
            "predict.py": "import torch\n\n\ndef load_model(path):\n    return torch.load(path)\n",
        },
        "data is loaded inline",
        "load-model-is-no-data-loader",
    ),
    Case(
        "DA005",
        "pass",
        {
            "eval_copy.py": "import torch\nfrom PIL import Image\n\n\n"
            "class ImgListDataset(torch.utils.data.Dataset):\n"
            "    def __getitem__(self, i):\n        return Image.open(self.paths[i])\n\n\n"
            "def main():\n    loader = torch.utils.data.DataLoader(ImgListDataset(), 8)\n"
            "    model.fit(loader)\n",
        },
        "ImgListDataset",  # its __getitem__ reads the images: a loader other steps can call
        "dataset-class-beside-inline-loader",
    ),
]

# SC002: a CODEOWNERS file of comments owns nothing; an Author section is authorship (held-out
# sets D and E).
CASES += [
    Case(
        "SC002",
        "fail",
        {"CODEOWNERS": "# Comment line immediately above ownership line is reserved\n#\n"},
        label="codeowners-comments-only",
    ),
    Case(
        "SC002",
        "pass",
        {".github/CODEOWNERS": "# the ML team owns everything\n* @acme/ml-team\n"},
        ".github/CODEOWNERS names owners",
        "codeowners-rule",
    ),
    Case(
        "SC002",
        "partial",
        {
            "README.md": "# Claims assistant\n\n## 👨‍💻 Author\n\nRobin Ochieng, actuarial data scientist "
            "(GitHub: @robinochieng), built this assistant as a portfolio project.\n"
        },
        "names the authors",
        "author-section",
    ),
]

# SC006: "train/predict" in prose is no /predict endpoint, and a dated news item about a hosted
# demo does not describe where the model lives (held-out sets D and E).
_PREDICT_TRAIN = "from sklearn.svm import SVC\n\nSVC().fit(X, y).predict(X)\n"
CASES += [
    Case(
        "SC006",
        "fail",
        {
            "train.py": _PREDICT_TRAIN,
            "README.md": "# Kaggle solution\n\n## Data processing\n\nThe train/predict code will "
            "also call this script if it has not already been run on the relevant data.\n",
        },
        label="train-slash-predict-prose",
    ),
    Case(
        "SC006",
        "fail",
        {
            "train.py": _PREDICT_TRAIN,
            "README.md": "# Latent models\n\n## News\n\n### April 2022\n\nOur model was integrated "
            "into Hugging Face Spaces using Gradio. Try out the web demo.\n",
        },
        label="news-item",
    ),
    Case(
        "SC006",
        "pass",
        {
            "train.py": _PREDICT_TRAIN,
            "README.md": "# Sales forecasts\n\n## Endpoints\n\n| Method | Path |\n|---|---|\n"
            "| GET | `/sales/forecast/{id}` |\n",
        },
        label="endpoint-path-in-table",
    ),
]

# DE008: credentials hard-coded in application source (held-out sets D and E), not example
# values in tests or placeholders named for what goes there.
CASES += [
    Case(
        "DE008",
        "fail",
        {
            "app/app.py": 'from flask import Flask\n\napp = Flask(__name__)\napp.secret_key = "test123"\n'
        },
        "secret_key hard-coded in source",
        "flask-secret-key",
    ),
    Case(
        "DE008",
        "fail",
        {
            "src/auth.py": "import hashlib\n\nUSERS = {'admin': {\n"
            '    "hashed_password": hashlib.sha256("admin123".encode()).hexdigest(),\n}}\n'
        },
        "password hard-coded in source",
        "demo-user-password",
    ),
    Case(
        "DE008",
        "pass",
        {
            "tests/test_auth.py": 'def test_login(client):\n    assert client.login(password="hunter22")\n',
            "website/fabfile.py": "env.cloudfiles_api_key = 'my_rackspace_api_key'\n",
            "blocks.py": 'creds = AwsCredentials(aws_access_key_id="123abc", aws_secret_access_key="abc123")\n',
        },
        label="test-and-placeholder-credentials",
    ),
]

# DE003: publishing documentation is no release (held-out sets D and E: the action named on the
# step before publish_dir, and a job called deploy whose one command is mkdocs gh-deploy).
CASES += [
    Case(
        "DE003",
        "partial",
        {
            ".github/workflows/docs.yaml": "on:\n  push:\n    branches: [main]\njobs:\n  build:\n"
            "    runs-on: ubuntu-latest\n    steps:\n      - run: mkdocs build\n"
            "      - name: Deploy to GitHub Pages\n        uses: peaceiris/actions-gh-pages@v4\n"
            "        with:\n          github_token: ${{ secrets.GITHUB_TOKEN }}\n"
            "          publish_dir: ./site\n"
        },
        "only publishes documentation",
        "gh-pages-action",
    ),
    Case(
        "DE003",
        "partial",
        {
            ".github/workflows/make_docs.yml": "on:\n  push:\n    branches: [main]\njobs:\n"
            "  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n"
            "      - run: pip install -r requirements.txt\n      - run: cp extras/a.ipynb site/\n"
            "      - run: cp extras/b.ipynb site/\n      - run: cp extras/c.ipynb site/\n"
            "      - run: cp extras/d.ipynb site/\n      - run: cp extras/e.ipynb site/\n"
            "      - run: cp extras/f.ipynb site/\n      - run: cp extras/g.ipynb site/\n"
            "      - run: cp extras/h.ipynb site/\n      - run: cp extras/i.ipynb site/\n"
            "      - run: mkdocs gh-deploy --force\n"
        },
        "only publishes documentation",
        "deploy-job-of-docs",
    ),
]

# DE004: a web app counts when a model is behind it (held-out set D: an ML template's API of
# authentication routes only; a Streamlit app charting the dataset).
_TRAINS_MODEL = {
    "train.py": "import joblib\nfrom sklearn.svm import SVC\n\n"
    "joblib.dump(SVC().fit(X, y), 'models/model.pkl')\n"
}
CASES += [
    Case(
        "DE004",
        "fail",
        {
            **_TRAINS_MODEL,
            "app/main.py": "from fastapi import FastAPI\nfrom app.api.main import api_router\n\n"
            "app = FastAPI()\napp.include_router(api_router)\n",
            "app/api/main.py": "from fastapi import APIRouter\n\napi_router = APIRouter()\n\n\n"
            "@api_router.post('/login')\ndef login(user: str, password_hash: str):\n"
            "    return {'token': user}\n",
        },
        "serves no model",
        "auth-only-app",
    ),
    Case(
        "DE004",
        "pass",
        {
            **_TRAINS_MODEL,
            "app.py": "import cv2\nimport streamlit as st\n\n"
            "net = cv2.dnn.readNetFromDarknet('yolov3.cfg', 'yolov3.weights')\n"
            "st.image(net.forward())\n",
        },
        "web service in app.py",
        "opencv-dnn-app",
    ),
    Case(
        "DE004",
        "pass",
        {
            **_TRAINS_MODEL,
            "frontend/app.py": "import requests\nimport streamlit as st\n\n"
            "st.write(requests.post('http://api:8000/predict', json={}).json())\n",
        },
        "web service in frontend/app.py",
        "front-end-of-a-prediction-api",
    ),
]

# MO009: a version written with the model, not the word "version" in a module that checks a
# library's version (held-out sets B and E: run-folder checkpoints with configs beside them).
CASES += [
    Case(
        "MO009",
        "partial",
        {
            "main.py": "import torch, yaml\nfrom packaging import version\n\n"
            "if version.parse(torch.__version__) < version.parse('2.0'):\n    raise SystemExit\n"
            "model.fit(X, y)\ntorch.save(model.state_dict(), f'logs/{now}/last.ckpt')\n"
            "yaml.safe_dump(cfg, open(f'logs/{now}/project.yaml', 'w'))\n"
        },
        "without a version or registry",
        "library-version-check",
    ),
    Case(
        "MO009",
        "pass",
        {
            "train.py": "import json, torch\n\nmodel.fit(X, y)\n"
            "torch.save(model, f'output/run-{n}/model.pt')\n"
            "info = {}\ninfo['torch_version'] = torch.__version__\n"
            "json.dump(info, open(f'output/run-{n}/training_info.json', 'w'))\n"
        },
        "saves models with version metadata",
        "metadata-json",
    ),
]

# False fails of held-out set E: a DictVectorizer called dv, a model's own inference script, a
# ZenML MLflow deployer step, metrics computed by RMSE().evaluate(...), spaCy .cfg configs.
CASES += [
    Case(
        "DE005",
        "pass",
        {
            "train.py": "import pickle\nfrom sklearn.feature_extraction import DictVectorizer\n"
            "dv = DictVectorizer()\nX = dv.fit_transform(rows)\nmodel.fit(X, y)\n"
            "pickle.dump((dv, model), open('model.bin', 'wb'))\n",
            "predict.py": "import pickle\nfrom flask import Flask\n\napp = Flask('x')\n"
            "dv, model = pickle.load(open('model.bin', 'rb'))\n\n\n@app.route('/predict')\n"
            "def predict():\n    return model.predict(dv.transform([{}]))\n",
        },
        "serving applies the preprocessor training fitted",
        "short-named-vectorizer",
    ),
    Case(
        "DE004",
        "pass",
        {
            "train.py": "model.fit(X, y)\n",
            "Inference/2heads-resnest-inference.py": "import torch\n\nmodel.load_state_dict("
            "torch.load('w.pt'))\npreds = model(x)\npreds.to_csv('submission.csv')\n",
        },
        "batch prediction in Inference/2heads-resnest-inference.py",
        "named-inference-script",
    ),
    Case(
        "DE004",
        "pass",
        {
            "steps/train.py": "model.fit(X, y)\n",
            "pipelines/deployment_pipeline.py": "from zenml import pipeline\n"
            "from zenml.integrations.mlflow.steps import mlflow_model_deployer_step\n\n\n"
            "@pipeline\ndef deploy():\n    mlflow_model_deployer_step(model=train(), deploy_decision=True)\n",
        },
        "web service in pipelines/deployment_pipeline.py",
        "zenml-model-deployer",
    ),
    Case(
        "MO008",
        "pass",
        {
            "steps/train.py": "model.fit(X, y)\n",
            "steps/evaluate.py": "import mlflow\nfrom src.evaluation import RMSE\n\n\n"
            "def evaluate_model(model, X, y):\n    rmse = RMSE().evaluate(y, model.predict(X))\n"
            "    mlflow.log_metric('rmse', rmse)\n",
        },
        "steps/evaluate.py computes and records metrics",
        "metric-object-evaluate",
    ),
    Case(
        "MO001",
        "pass",
        {
            "train.py": "model.fit(X, y)\n",
            "config/ner/base.cfg": "[training]\ndropout = 0.1\npatience = 1600\nseed = 42\n",
        },
        "config/ner/base.cfg",
        "spacy-cfg",
    ),
]
CASES.append(
    Case(
        "DA006",
        "pass",
        {
            "model/scripts/train.py": "import json\ncfg = json.load(open('config.json'))\n"
            "model.fit(df[cfg['features']], df[cfg['label']])\n",
            "model/scripts/config.json": '{"features": ["temp", "humidity", "hour"], "label": "demand"}',
        },
        label="config-json-beside-script",
    )
)
CASES += [
    Case(
        "SC002",
        "pass",
        {
            "README.md": "# DomainBed\n\n## Core Contributors\n\n* David Lopez-Paz\n* Ishaan Gulrajani\n"
        },
        "Core Contributors",
        "core-contributors",
    ),
    Case(
        "SC002",
        "pass",
        {
            "README.md": "# SimCSE\n\n## Bugs or questions?\n\nIf you have any questions related to "
            "the code or the paper, email Tianyu (tianyug@example.edu). Please open an issue "
            "for bugs.\n"
        },
        "Bugs or questions",
        "questions-with-contacts",
    ),
]
CASES.append(
    Case(
        "DA004",
        "pass",
        {
            "src/ingest.py": "import pandas as pd\n\ndf = pd.read_csv('data/x.csv')\nmodel.fit(df)\n",
            "docs/INGESTION.md": "# Ingestion\n\n## What is stored\n\n| Table | Data type | Contents |\n"
            "|---|---|---|\n| `weather_stations` | metadata | station catalogue from Euskalmet |\n",
        },
        "states the data's meaning",
        "table-contents",
    )
)

# Platform-mediated practices (sets C and E): an Airflow DAG retraining weekly, a Cloud Build
# that runs a Vertex pipeline (docker is no docs), a trainer pushing to the Hub, feature lists
# under *_features keys (not max_features, a model parameter).
CASES += [
    Case(
        "DE003",
        "pass",
        {
            ".github/workflows/ci.yml": "on: [push]\njobs:\n  t:\n    steps:\n    - run: pytest\n",
            "dags/train.py": "from airflow import DAG\n\nwith DAG('train', schedule_interval='@weekly'):\n"
            "    train_model = PythonOperator(task_id='train', python_callable=train)\n",
        },
        "scheduled: schedule_interval='@weekly'",
        "airflow-weekly-dag",
    ),
    Case(
        "DE003",
        "pass",
        {
            "build/cloudbuild.yaml": "steps:\n- name: gcr.io/cloud-builders/docker\n"
            "  args: ['build', '-t', 'gcr.io/p/trainer', '.']\n- name: python\n"
            "  entrypoint: python\n  args: ['-m', 'pipelines.run', '--deploy']\n"
            "- name: gcr.io/cloud-builders/gcloud\n  args: ['ai', 'models', 'upload']\n"
            "  # aiplatform pipeline deploy\n"
        },
        label="cloudbuild-not-docs",
    ),
    Case(
        "MO009",
        "pass",
        {
            "train.py": "from transformers import Trainer, TrainingArguments\n\n"
            "args = TrainingArguments('out', push_to_hub=True)\nTrainer(model, args).train()\n"
        },
        "(train.py: push_to_hub",
        "trainer-pushes-to-hub",
    ),
    Case(
        "DA006",
        "pass",
        {
            "pipelines/feature_engineering.py": "import pandas as pd\n\ndf = pd.read_csv('x.csv')\n"
            "model.fit(df)\n",
            "configs/development/config.yaml": "features:\n  static_features: [store, item]\n"
            "  date_features: [dow, month]\n",
        },
        label="static-features-key",
    ),
    Case(
        "DA006",
        "fail",
        {
            "train.py": "import pandas as pd\n\ndf = pd.read_csv('x.csv')\nmodel.fit(df)\n",
            "params.yaml": "featurize:\n  max_features: 200\n  ngrams: 2\n",
        },
        label="max-features-is-a-parameter",
    ),
]

# SC003: a metric in an example request, a software test report and a task completed
# "successfully" state no success metric (held-out sets D and E).
CASES += [
    Case(
        "SC003",
        "fail",
        {
            "README.md": "# Demo\n\n## Full training (logs metrics & model to MLflow)\n\nRun "
            "`make train`; it logs accuracy/AUC.\n\n## API\n\nPost a row:\n\n    ```json\n"
            '    { "f1": 0.5, "f2": -1.2 }\n    ```\n\n## Opening a pull request\n\nOpen a pull '
            "request against the remote Git repo containing the current project.\n"
        },
        label="metrics-in-passing",
    ),
    Case(
        "SC003",
        "fail",
        {
            "README.md": "# Exam\n\n## ✅ TASK COMPLETED SUCCESSFULLY\n\nAll 12 tests pass (200 OK).\n\n"
            "## 🧪 Test Results\n\nCoverage 0% (the tests call the container).\n"
        },
        label="software-test-results",
    ),
]
CASES.append(
    Case(
        "DE005",
        "partial",
        {
            "models/blip.py": "import torch\n\n\nclass Blip(torch.nn.Module):\n    pass\n",
            "data/__init__.py": "from torchvision import transforms\n\n\ndef create_dataset():\n"
            "    return transforms.Compose([transforms.Resize(384), transforms.ToTensor(),\n"
            "        transforms.Normalize((0.48, 0.45, 0.40), (0.26, 0.26, 0.27))])\n",
            "train.py": "from data import create_dataset\nfrom models.blip import Blip\n\n"
            "ds = create_dataset()\nBlip().train()\ntrainer.fit(ds)\n",
            "predict.py": "from torchvision import transforms\nfrom models.blip import Blip\n\n"
            "model = Blip()\n\n\ndef predict(image):\n    t = transforms.Compose([transforms.Resize(384),"
            " transforms.ToTensor(),\n        transforms.Normalize((0.48, 0.45, 0.40), "
            "(0.26, 0.26, 0.27))])\n    return model(t(image))\n",
        },
        "serving builds its own image transform (predict.py",
        "own-image-transform",
    )
)


# Train scripts several of these repositories share.
_PRINTS_ACCURACY = 'import pandas as pd\nfrom sklearn.ensemble import RandomForestClassifier\nfrom sklearn.metrics import accuracy_score\n\n\ndef main():\n    df = pd.read_csv("data/matches.csv")\n    model = RandomForestClassifier(n_estimators=100)\n    model.fit(df[["a"]], df.b)\n    pred = model.predict(df[["a"]])\n    print("accuracy", accuracy_score(df.b, pred))\n    return model\n'
# A training script reading a CSV, for the cases about the settings beside it.
_CSV_SVC_TRAIN = (
    "import pandas as pd\n"
    "from sklearn.svm import SVC\n"
    "\n"
    "def train():\n"
    '    df = pd.read_csv("data/x.csv")\n'
    "    m = SVC(C=1.0)\n"
    '    m.fit(df[["a"]], df.b)\n'
    "    return m\n"
)
_SVC_TRAIN = "from sklearn.svm import SVC\n\ndef train(X, y):\n    m = SVC()\n    m.fit(X, y)\n    return m\n"


# From a code review of the fifth round's detectors: each a repository that was judged
# wrong (see CHANGELOG, fifth round).
CASES += [
    Case(
        "MO004",
        "fail",
        {
            "app.py": "import joblib\n"
            "from fastapi import FastAPI\n"
            "app = FastAPI()\n"
            'model = joblib.load("models/churn.pkl")\n'
            "\n"
            '@app.post("/predict")\n'
            "def predict(x: float):\n"
            '    return {"y": int(model.predict([[x]])[0])}\n',
            "environment.yml": "name: churn-model\ndependencies:\n  - python=3.11\n",
            "notebooks/train.ipynb": '{"cells": [{"cell_type": "code", "source": "import pandas '
            "as pd, joblib\\nfrom sklearn.ensemble import "
            "RandomForestClassifier\\ndf = "
            'pd.read_csv(\\"data.csv\\")\\nmodel = '
            'RandomForestClassifier().fit(df[[\\"a\\"]], '
            'df.b)\\njoblib.dump(model, \\"models/churn.pkl\\")", '
            '"metadata": {}, "outputs": [], "execution_count": null}], '
            '"metadata": {}, "nbformat": 4, "nbformat_minor": 5}',
            "src/train_model.py": "from sklearn.linear_model import LogisticRegression\n"
            "\n"
            "def train(X, y):\n"
            "    clf = LogisticRegression()\n"
            "    clf.fit(X, y)\n"
            "    return clf\n",
        },
        "written only by a notebook",
        "model-named-in-passing-elsewhere",
    ),
    Case(
        "MO004",
        "pass",
        {
            "notebooks/explore.ipynb": '{"cells": [{"cell_type": "code", "source": "import pandas '
            "as pd\\ndf = "
            'pd.read_csv(\\"x.csv\\")\\ndf.describe()\\nfrom '
            "sklearn.preprocessing import StandardScaler\\ns = "
            'StandardScaler().fit(df)", "metadata": {}, "outputs": [], '
            '"execution_count": null}], "metadata": {}, "nbformat": 4, '
            '"nbformat_minor": 5}',
            "src/model.py": "from tensorflow import keras\n"
            "\n"
            "def build_autoencoder(n):\n"
            "    inp = keras.Input((n,))\n"
            "    return keras.Model(inp, "
            "keras.layers.Dense(n)(keras.layers.Dense(8)(inp)))\n",
            "src/train.py": "import numpy as np\n"
            "from src.model import build_autoencoder\n"
            "\n"
            "def main():\n"
            '    x = np.load("data/x.npy")\n'
            "    autoencoder = build_autoencoder(x.shape[1])\n"
            "    autoencoder.fit(x, x, epochs=50)\n"
            '    autoencoder.save("models/ae.keras")\n',
        },
        "",
        "autoencoder-is-a-model",
    ),
    Case(
        "MO004",
        "pass",
        {
            "notebooks/explore.ipynb": '{"cells": [{"cell_type": "code", "source": "from bertopic '
            "import BERTopic\\nm = BERTopic()\\ntopics, _ = "
            'm.fit_transform(docs)", "metadata": {}, "outputs": [], '
            '"execution_count": null}], "metadata": {}, "nbformat": 4, '
            '"nbformat_minor": 5}',
            "src/train.py": "import pandas as pd\n"
            "from bertopic import BERTopic\n"
            "\n"
            "def main():\n"
            '    docs = pd.read_csv("data/docs.csv").text.tolist()\n'
            "    topic_model = BERTopic(min_topic_size=20)\n"
            "    topics, probs = topic_model.fit_transform(docs)\n"
            '    topic_model.save("models/bertopic")\n',
        },
        "",
        "fit-transform-of-a-model",
    ),
    Case(
        "MO004",
        "pass",
        {
            "notebooks/analysis.ipynb": '{"cells": [{"cell_type": "code", "source": "import '
            "joblib, json\\nmodel = "
            'joblib.load(\\"../models/churn.pkl\\")\\nscores = '
            '{\\"acc\\": (model.predict(X) == '
            'y).mean()}\\njson.dump(scores, open(\\"scores.json\\", '
            '\\"w\\"))", "metadata": {}, "outputs": [], '
            '"execution_count": null}, {"cell_type": "code", '
            '"source": "from sklearn.linear_model import '
            "LogisticRegression\\nbaseline = "
            'LogisticRegression().fit(X, y)", "metadata": {}, '
            '"outputs": [], "execution_count": null}], "metadata": '
            '{}, "nbformat": 4, "nbformat_minor": 5}',
            "src/app.py": "import joblib\n"
            "from fastapi import FastAPI\n"
            "\n"
            "app = FastAPI()\n"
            'clf = joblib.load("models/churn.pkl")\n'
            "\n"
            '@app.post("/predict")\n'
            "def predict(a: float):\n"
            '    return {"y": int(clf.predict([[a]])[0])}\n',
            "src/train.py": "import joblib\n"
            "import pandas as pd\n"
            "from sklearn.ensemble import RandomForestClassifier\n"
            "\n"
            'NAME = "churn"\n'
            "\n"
            "def main():\n"
            '    df = pd.read_csv("data/train.csv")\n'
            '    model = RandomForestClassifier().fit(df[["a"]], df.b)\n'
            '    joblib.dump(model, f"models/{NAME}.pkl")\n',
        },
        "",
        "notebook-only-loads-the-model",
    ),
    Case(
        "MO008",
        "partial",
        {
            "src/train.py": "import pickle\n"
            "import pandas as pd\n"
            "from sklearn.ensemble import RandomForestClassifier\n"
            "from sklearn.metrics import accuracy_score, f1_score\n"
            "\n"
            "\n"
            "def train(df):\n"
            "    model = RandomForestClassifier(n_estimators=100)\n"
            '    model.fit(df[["a"]], df.b)\n'
            "    return model\n"
            "\n"
            "\n"
            "def evaluate(model, X, y):\n"
            "    pred = model.predict(X)\n"
            "    acc = accuracy_score(y, pred)\n"
            "    f1 = f1_score(y, pred)\n"
            '    print(f"accuracy={acc:.3f} f1={f1:.3f}")\n'
            "    return acc\n"
            "\n"
            "\n"
            'if __name__ == "__main__":\n'
            '    df = pd.read_csv("data/train.csv")\n'
            "    model = train(df)\n"
            '    evaluate(model, df[["a"]], df.b)\n'
            '    pickle.dump(model, open("models/model.pkl", "wb"))\n'
        },
        "",
        "save-in-main-block-after-evaluate",
    ),
    Case(
        "MO008",
        "partial",
        {
            "src/train.py": 'import pandas as pd\nfrom sklearn.ensemble import RandomForestClassifier\nfrom sklearn.metrics import accuracy_score\n\n\ndef main():\n    df = pd.read_csv("data/matches.csv")\n    model = RandomForestClassifier(n_estimators=100)\n    model.fit(df[["a"]], df.b)\n    pred = model.predict(df[["a"]])\n    print("accuracy", accuracy_score(df.b, pred))\n    df.to_csv("data/processed/us_states.csv")\n    return model\n'
        },
        "",
        "states-csv-is-no-metric",
    ),
    Case(
        "MO008",
        "partial",
        {
            "src/data.py": "import pandas as pd\n"
            "\n"
            "\n"
            "def load():\n"
            '    df = pd.read_csv("data/results.csv")\n'
            '    df.to_csv("data/clean.csv")\n'
            "    return df\n",
            "src/train.py": _PRINTS_ACCURACY,
        },
        "",
        "reads-a-results-csv",
    ),
    Case(
        "MO008",
        "pass",
        {
            "run.sh": "python src/train.py 2>&1 | tee logs/train.log\n",
            "src/train.py": _PRINTS_ACCURACY,
        },
        "keeps what it prints",
        "tee-with-stderr",
    ),
    Case(
        "MO008",
        "pass",
        {
            "scripts/run.sh": "python src/train.py > logs/train.log\n",
            "src/train.py": _PRINTS_ACCURACY,
        },
        "keeps what it prints",
        "runner-in-scripts-root-relative",
    ),
    Case(
        "DE003",
        "pass",
        {
            ".github/workflows/ci.yml": "name: ci\n"
            "on:\n"
            "  push:\n"
            "    branches: [main]\n"
            "jobs:\n"
            "  docs:\n"
            "    runs-on: ubuntu-latest\n"
            "    steps:\n"
            "      - uses: actions/checkout@v4\n"
            "      - run: mkdocs build --strict\n"
            "  deploy:\n"
            "    runs-on: ubuntu-latest\n"
            "    steps:\n"
            "      - uses: actions/checkout@v4\n"
            "      - uses: akhileshns/heroku-deploy@v3.12.12\n"
            "        with:\n"
            "          heroku_app_name: churn-api\n",
            "src/train.py": _SVC_TRAIN,
        },
        "",
        "docs-job-before-deploy-job",
    ),
    Case(
        "DE003",
        "pass",
        {
            ".github/workflows/release.yml": "name: release\n"
            "on:\n"
            "  push:\n"
            "    branches: [main]\n"
            "jobs:\n"
            "  deploy:\n"
            "    runs-on: ubuntu-latest\n"
            "    steps:\n"
            "      - uses: actions/checkout@v4\n"
            "        with:\n"
            "          lfs: true\n"
            "      - uses: actions/setup-python@v5\n"
            "        with:\n"
            '          python-version: "3.11"\n'
            "      - run: pip install -r requirements.txt\n"
            "      - run: python -m pytest -q\n"
            "      - name: Push app to the Hugging Face Space\n"
            "        run: git push https://user:${{ "
            "secrets.HF_TOKEN "
            "}}@huggingface.co/spaces/user/churn main\n"
            "  site:\n"
            "    runs-on: ubuntu-latest\n"
            "    steps:\n"
            "      - uses: actions/checkout@v4\n"
            "      - run: pip install mkdocs-material\n"
            "      - run: mkdocs build\n",
            "src/train.py": _SVC_TRAIN,
        },
        "",
        "deploy-job-beside-docs-job",
    ),
    Case(
        "DE004",
        "not_applicable",
        {
            "README.md": "# Todo list\n",
            "app.py": "from flask import Flask, render_template, request\n"
            "app = Flask(__name__)\n"
            "items = []\n"
            "\n"
            '@app.route("/")\n'
            "def index():\n"
            '    return render_template("index.html", items=items)\n'
            "\n"
            '@app.route("/todo", methods=["POST"])\n'
            "def add():\n"
            '    items.append(request.form["item"])\n'
            '    return render_template("index.html", items=items)\n',
        },
        "",
        "web-app-without-ml",
    ),
    Case(
        "DE008",
        "fail",
        {
            "app.py": "import os, getpass, psycopg2\n"
            "from flask import Flask\n"
            "app = Flask(__name__)\n"
            'app.config["SECRET_KEY"] = "s3cr3t-flask-key-2024"\n'
        },
        "hard-coded in source",
        "flask-config-secret-key",
    ),
    Case(
        "DE008",
        "fail",
        {
            "app.py": "import os, getpass, psycopg2\n"
            "from flask import Flask\n"
            "app = Flask(__name__)\n"
            "SECRET_KEY: str = "
            '"09d25e094faa6ca2556c818166b7a9563b93f7099f6f0f4caa6cf63b88e8d3e7"\n'
        },
        "hard-coded in source",
        "annotated-settings-secret",
    ),
    Case(
        "DE008",
        "pass",
        {
            "app.py": "import os, getpass, psycopg2\n"
            "from flask import Flask\n"
            "app = Flask(__name__)\n"
            'conn = psycopg2.connect(host="db", password=os.getenv("PGPASSWORD"))\n'
        },
        "",
        "password-from-getenv",
    ),
    Case(
        "DE008",
        "pass",
        {
            "app.py": "import os, getpass, psycopg2\n"
            "from flask import Flask\n"
            "app = Flask(__name__)\n"
            'password = getpass.getpass("Password:")\n'
        },
        "",
        "password-from-getpass",
    ),
    Case(
        "DE008",
        "fail",
        {"config.yaml": "db:\n  password: acme-prod-secret\n"},
        "",
        "config-value-ending-in-secret",
    ),
    Case(
        "SC002",
        "pass",
        {
            "README.md": "# Churn model\n"
            "\n"
            "Predicts churn.\n"
            "\n"
            "## Authors\n"
            "\n"
            "Jane Doe and John Smith wrote the first version in 2021.\n"
            "\n"
            "## Maintainers\n"
            "\n"
            "Owned by the ML platform team: @acme/ml-platform (Priya Shah, "
            "priya@acme.com).\n"
        },
        "Maintainers",
        "authors-before-maintainers",
    ),
    Case(
        "SC002",
        "partial",
        {
            "README.md": "# Churn\n"
            "\n"
            "Predicts churn.\n"
            "\n"
            "## Credits\n"
            "\n"
            "Jane Doe and John Smith (jane@acme.com).\n"
        },
        "names the authors",
        "credits-section",
    ),
    Case(
        "SC002",
        "fail",
        {
            "README.md": "# Churn\n"
            "\n"
            "Predicts churn.\n"
            "\n"
            "## Questions\n"
            "\n"
            "If you have questions, please open a GitHub issue.\n"
        },
        "",
        "questions-without-names",
    ),
    Case(
        "MO009",
        "partial",
        {
            "src/train.py": "import argparse\n"
            "import joblib\n"
            "import yaml\n"
            "import pandas as pd\n"
            "from sklearn.svm import SVC\n"
            "\n"
            "\n"
            "def main():\n"
            "    p = argparse.ArgumentParser()\n"
            '    p.add_argument("--config", default="params.yaml")\n'
            '    p.add_argument("--version", action="version", version="train '
            '1.0")\n'
            "    args = p.parse_args()\n"
            "    cfg = yaml.safe_load(open(args.config))\n"
            '    df = pd.read_csv(cfg["data"])\n'
            '    m = SVC(C=cfg["C"])\n'
            '    m.fit(df[["a"]], df.b)\n'
            '    joblib.dump(m, "models/model.pkl")\n'
        },
        "",
        "argparse-version-flag",
    ),
    Case(
        "DE005",
        "fail",
        {
            "src/app.py": "import joblib\n"
            "from fastapi import FastAPI\n"
            "\n"
            "app = FastAPI()\n"
            'model = joblib.load("models/model.pkl")\n'
            'scaler = joblib.load("models/scaler.pkl")\n'
            "\n"
            "\n"
            '@app.post("/predict")\n'
            "def predict(a: float):\n"
            "    x = scaler.transform([[a]])\n"
            '    return {"y": int(model.predict(x)[0])}\n',
            "src/train.py": "import joblib\n"
            "import pandas as pd\n"
            "from sklearn.model_selection import GridSearchCV\n"
            "from sklearn.svm import SVC\n"
            "\n"
            "\n"
            "def search(X, y):\n"
            '    return GridSearchCV(SVC(), {"C": [1, 10]}, cv=5).fit(X, y)\n'
            "\n"
            "\n"
            "def main():\n"
            '    df = pd.read_csv("data/train.csv")\n'
            '    best = search(df[["a"]], df.b)\n'
            '    joblib.dump(best.best_estimator_, "models/model.pkl")\n',
        },
        "",
        "grid-search-cv-is-no-preprocessor",
    ),
    Case(
        "DA005",
        "partial",
        {
            "src/__init__.py": "",
            "src/train.py": "import torch\n"
            "from torch.utils.data import Dataset, DataLoader\n"
            "\n"
            "\n"
            "class CustomDataset(Dataset):\n"
            "    def __init__(self):\n"
            "        pass\n"
            "\n"
            "    def __len__(self):\n"
            "        pass\n"
            "\n"
            "    def __getitem__(self, idx):\n"
            "        pass\n"
            "\n"
            "\n"
            "def train():\n"
            "    loader = DataLoader(CustomDataset())\n"
            "    pass\n",
        },
        "",
        "stub-dataset-class",
    ),
    Case(
        "MO001",
        "partial",
        {
            ".env.example": "PYTHONUNBUFFERED=1\nAPP_HOST=0.0.0.0\n",
            "src/train.py": _CSV_SVC_TRAIN,
        },
        "",
        "env-file-of-plumbing-numbers",
    ),
    Case(
        "MO001",
        "partial",
        {
            ".env.example": "ACCESS_TOKEN_EXPIRE_MINUTES=30\n"
            "DATABASE_URL=postgresql://localhost/app\n",
            "src/train.py": _CSV_SVC_TRAIN,
        },
        "",
        "env-file-token-expiry",
    ),
]
CASES.append(
    Case(
        "SC004",
        "pass",
        {
            "train.py": "from ultralytics import YOLO\n\nYOLO('yolov8n.pt').train(data='datasets/roboflow/data.yaml')\n",
            "datasets/roboflow/README.dataset.txt": "# Pothole detection > 2023-05-01\n"
            "https://public.roboflow.com/object-detection/pothole\n\nProvided by a Roboflow user\n"
            "License: ODbL v1.0\n\n665 road images with potholes labelled, collected from a "
            "thesis dataset on Kaggle; re-shuffled into a 70/20/10 split. All come from one "
            "city's roads, so gravel roads and night images are missing (a known bias).\n",
        },
        "datasets/roboflow/readme.dataset.txt",
        "roboflow-export-readme",
    )
)

# DE008 on large real repositories (a new user's trial): local defaults, test fixtures and
# references to secrets are not secrets; a real-looking password in docs still is.
CASES += [
    Case(
        "DE008",
        "pass",
        {
            "docs/supabase.md": "export DB_URL=postgresql://postgres:postgres@localhost:5432/db\n",
            "docs/operator.md": "url: postgresql://feast:feast@postgres.feast.svc:5432/feast\n",
            "tests/config/test_conf.py": "URL = 'postgresql://user:s3cretpw@url_prod/db'\n",
            "releasenotes/notes/secret.yaml": "features:\n  - |\n    api_key = api_key\n"
            '    api_key=Secret.from_token("your-api-key")\n',
            ".prow/config.yaml": "gcs_credentials_secret: gcs-credentials\n",
            "examples/milvus/docker-compose.yml": "services:\n  minio:\n    environment:\n"
            "      access_key: minioadmin\n      secret_key: minioadmin\n",
            "docs/ref.md": "password: \\${TOKEN}\n",
        },
        label="references-defaults-and-fixtures",
    ),
]
CASES += [
    Case(
        "MO004",
        "not_applicable",
        {"README.md": "# Notes\n\nCourse notes, no code yet.\n"},
        "no notebooks and no code",
        "nothing-to-judge",
    ),
    Case(
        "MO009",
        "partial",
        {
            "train.py": "import torch\nfrom PIL import Image\n\nalways_save_checkpoint = False\n"
            "model.fit(X, y)\nImage.open('a.png').save(buffered, format='PNG')\n"
            "torch.save(model.state_dict(), 'ckpt.pt')\n"
        },
        "models are saved (train.py)",
        "image-save-is-no-model",
    ),
]
CASES.append(
    Case(
        "SC006",
        "fail",
        {
            "train.py": "model.fit(X, y)\nmodel.predict(X)\n",
            "MIGRATION.md": "# Migrating to 2.0\n\n## Deployment changes\n\nComponents now resolve "
            "API keys at warm-up; the REST API server moved to a separate package.\n",
            "releasenotes/notes/serving.yaml": "features:\n  - The model is served as a REST API.\n",
        },
        label="migration-guide-is-no-scope",
    )
)
CASES.append(
    Case(
        "DE004",
        "pass",
        {
            "train.py": "model.fit(X, y)\n",
            "client.py": "import bentoml\n\nwith bentoml.SyncHTTPClient('http://localhost:3000') as c:\n"
            "    print(c.predict(x))\n",
            "save_model.py": "import bentoml\n\nbentoml.keras.save_model('pneumonia', model)\n",
            "service.py": "import bentoml\n\n\n@bentoml.service\nclass Pneumonia:\n"
            "    model = bentoml.keras.load_model('pneumonia:latest')\n\n    @bentoml.api\n"
            "    def predict(self, image):\n        return self.model.predict(image)\n",
        },
        "web service in service.py",
        "service-before-client-and-saver",
    )
)


def _notebook(code: str, output: str = "") -> str:
    """A notebook of one code cell (and, with ``output``, a display output that size)."""
    import json

    outputs = [{"output_type": "display_data", "data": {"image/png": output}}] if output else []
    cell = {"cell_type": "code", "source": code.splitlines(True), "outputs": outputs}
    return json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


# Helper modules that a notebook drives (set F's store-item forecasting, set D's course): the
# modules hold the training function, only notebooks call it.
_CV_HELPERS = "def time_series_cv(model, X, y):\n    model.fit(X, y)\n    return model\n"
_DRIVER = _notebook(
    "from src.modelling_utils import time_series_cv\n"
    "import pandas as pd\nX = pd.read_csv('train.csv')\n"
    "lgb_reg.fit(X, y)\ntime_series_cv(lgb_reg, X, y)\n"
)
NOTEBOOK_DRIVEN = {
    "src/__init__.py": "",
    "src/modelling_utils.py": _CV_HELPERS,
    "src/exception.py": "class CustomException(Exception):\n    pass\n",
    "notebooks/modelling.ipynb": _DRIVER,
}
CASES += [
    Case("MO004", "fail", NOTEBOOK_DRIVEN, "helpers only notebooks call", "notebook-driven"),
    Case(
        "MO004",
        "pass",
        {
            **NOTEBOOK_DRIVEN,
            "scripts/train.py": "from src.modelling_utils import time_series_cv\n\n\n"
            "def main():\n    time_series_cv(make(), *load())\n\n\n"
            'if __name__ == "__main__":\n    main()\n',
        },
        "for exploration",
        "helpers-also-run-by-a-script",
    ),
    Case(
        "MO004",
        "pass",
        {
            **NOTEBOOK_DRIVEN,
            "src/modelling_utils.py": _CV_HELPERS + '\n\nif __name__ == "__main__":\n'
            "    time_series_cv(make(), *load())\n",
        },
        "for exploration",
        "helper-is-a-script",
    ),
    Case(
        "MO004",
        "pass",
        {**NOTEBOOK_DRIVEN, "Makefile": "train:\n\tpython -m src.modelling_utils\n"},
        "for exploration",
        "helper-run-by-make",
    ),
    Case(
        "MO004",
        "pass",
        {
            **LIBRARY,
            "README.md": "# imblearn\n\n```\npip install imblearn\n```\n",
            "src/imblearn/pipeline.py": "def fit_all(steps, X, y):\n    for s in steps:\n"
            "        s.fit(X, y)\n",
            "examples/quickstart.ipynb": _notebook(
                "from imblearn.pipeline import fit_all\nfit_all(steps, X, y)\nest.fit(X, y)\n"
            ),
        },
        "an ML library: its notebooks",
        "library-examples",
    ),
    # A notebook's plots make it megabytes; its code is still read (it was skipped at 1 MiB).
    Case(
        "MO004",
        "fail",
        {"notebooks/train.ipynb": _notebook("model.fit(X, y)\n", "A" * (3 << 20))},
        "only in notebooks",
        "notebook-of-3-mib",
    ),
    # In the notebook's own folder: helpers.py there, not the one in a sibling folder.
    Case(
        "MO004",
        "fail",
        {
            "cycle-gan/helpers.py": "def save_samples(x):\n    return x\n",
            "weights/helpers.py": "def train(model, loader):\n    model.train()\n"
            "    for x in loader:\n        model(x)\n",
            "weights/exercise.ipynb": _notebook("import helpers\nhelpers.train(net, data)\n"),
            "weights/solution.ipynb": _notebook("net.train()\n"),
        },
        "helpers only notebooks call",
        "helper-beside-the-notebook",
    ),
    Case(
        "MO007",
        "fail",
        {
            "notebooks/model.ipynb": _notebook(
                "lgb_reg.fit(X, y)\nactual_pred_df.sample(n=15, random_state=42)\n"
            )
        },
        "no seed",
        "rows-sampled-for-display",
    ),
    Case(
        "MO007",
        "pass",
        {
            "notebooks/model.ipynb": _notebook(
                "train = df.sample(frac=0.8, random_state=42)\nlgb_reg.fit(train, y)\n"
            )
        },
        "seed set",
        "rows-sampled-for-training",
    ),
]

# A program chaining steps kept in modules (set E's going_modular, set F's EEG project): the
# data in one module, the training loop in another, evaluation among them.
_DATA_SETUP = (
    "from torch.utils.data import DataLoader\n\n\ndef create_dataloaders(train_dir, test_dir):\n"
    "    return DataLoader(load(train_dir)), DataLoader(load(test_dir))\n"
)
_ENGINE = (
    "from sklearn.metrics import accuracy_score\n\n\ndef train(model, loader, optimizer, epochs):\n"
    "    for epoch in range(epochs):\n        for x, y in loader:\n"
    "            loss = model.loss(x, y)\n            loss.backward()\n"
    "            optimizer.step()\n\n\ndef test(model, loader):\n"
    "    return accuracy_score(*predict(model, loader))\n"
)
CHAINED_STEPS = {
    "going_modular/data_setup.py": _DATA_SETUP,
    "going_modular/engine.py": _ENGINE,
    "going_modular/model_builder.py": "import torch.nn as nn\n\n\nclass TinyVGG(nn.Module):\n"
    "    def forward(self, x):\n        return x\n",
    "going_modular/main.py": "import data_setup\nimport engine\nimport model_builder\n\n\n"
    "def main():\n    train, test = data_setup.create_dataloaders('data/train', 'data/test')\n"
    "    model = model_builder.TinyVGG()\n    engine.train(model, train, opt(model), 5)\n"
    "    print(engine.test(model, test))\n\n\n"
    'if __name__ == "__main__":\n    main()\n',
}
CASES += [
    Case("MO003", "pass", CHAINED_STEPS, "runs steps kept in modules", "entry-chains-step-modules"),
    # The training script's own loop over utility modules is the one large script (yolov5's
    # train.py, set D's commonlit): not this pass.
    Case(
        "MO003",
        "partial",
        {
            **CHAINED_STEPS,
            "going_modular/main.py": "import data_setup\nimport engine\n\n\n"
            "def main():\n    train, test = data_setup.create_dataloaders('a', 'b')\n"
            "    model.train()\n    for x, y in train:\n        model.loss(x, y).backward()\n"
            "        optimizer.step()\n    print(engine.test(model, test))\n\n\n"
            'if __name__ == "__main__":\n    main()\n',
        },
        "only some steps",
        "training-script-with-its-own-loop",
    ),
    Case(
        "MO003",
        "partial",
        {
            **CHAINED_STEPS,
            "going_modular/benchmarks.py": CHAINED_STEPS["going_modular/main.py"],
            "going_modular/main.py": "print('see benchmarks.py')\n",
        },
        "only some steps",
        "a-benchmark-is-no-training-entry",
    ),
]

# What the data covers, in words or dates (set F's model card, set D's dataset README).
CASES += [
    Case(
        "SC004",
        "pass",
        {
            **STEPS,
            "model-card.md": "# Model card\n\n## Datasets\n\nTrained on [LSUN](https://x.org). "
            "Each of the three classes holds over a million images, collected in 2015.\n",
        },
        "describes data sources",
        "size-in-words",
    ),
    Case(
        "SC004",
        "pass",
        {
            **STEPS,
            "README.md": "# Sales\n\n## Dataset\n\nFrom the [Kaggle competition](https://k.com):"
            " daily sales from 2013-01-01 to 2017-12-31 for 50 items in 10 stores.\n",
        },
        "describes data sources",
        "period-and-scope",
    ),
    Case(
        "SC004",
        "partial",
        {
            **STEPS,
            "README.md": "# Sales\n\n## Dataset\n\nDownload it from [Kaggle](https://k.com) "
            "into data/raw before training.\n",
        },
        "not their limits",
        "link-only",
    ),
]

# A predict script that scores the test split evaluates the model (set F's DVC pipeline).
CASES.append(
    Case(
        "DE004",
        "fail",
        {
            **s.PIPELINE,
            "src/churn/predict_model.py": "import pickle\n"
            "from sklearn.metrics import accuracy_score\n\n\ndef main(path):\n"
            "    model = pickle.load(open('models/gbc.pkl', 'rb'))\n"
            "    X, y = load(path)\n    return accuracy_score(y, model.predict(X))\n",
        },
        label="predict-script-scores-the-test-split",
    )
)

# An image that holds none of the project: a tracking server's (set F's MLflow demo).
CASES += [
    Case(
        "DE001",
        "partial",
        {
            **s.PIPELINE,
            "src/churn/serve.py": s.SERVE,
            "mlflow/Dockerfile": "FROM python:3.8-slim-buster\nRUN pip install mlflow boto3\n",
        },
        "copies none of the project's files",
        "tool-image",
    ),
    Case(
        "DE001",
        "pass",
        {
            **s.PIPELINE,
            "src/churn/serve.py": s.SERVE,
            "inference/Dockerfile": "FROM nvcr.io/nvidia/tritonserver:23.04-py3\n"
            "RUN pip install torch==1.9.1\n",
        },
        label="model-server-image",
    ),
    Case(
        "DE001",
        "pass",
        {
            **s.PIPELINE,
            "src/churn/serve.py": s.SERVE,
            "Dockerfile": "FROM python:3.12-slim\n"
            "RUN --mount=type=bind,target=/w,rw cd /w && pip install .\n",
        },
        label="project-bind-mounted",
    ),
]

# Asserting that files exist checks the repository's layout, not its code (set F's smoke test).
CASES.append(
    Case(
        "MO005",
        "partial",
        {
            "tests/test_smoke.py": "import pathlib\n\n\ndef test_repo_layout():\n"
            "    assert pathlib.Path('configs/config.yaml').exists()\n"
            "    assert pathlib.Path('src/train.py').exists()\n"
        },
        "assert nothing",
        "layout-only",
    )
)

# A notebook's seed does not make the training modules' runs repeatable (set F's SageMaker
# example, set E's Vertex research notebook).
CASES += [
    Case(
        "MO007",
        "partial",
        {
            "src/train.py": "from sklearn.svm import SVC\n\n\ndef main(X, y):\n"
            "    return SVC().fit(X, y)\n",
            "research/explore.ipynb": _notebook("import numpy as np\nnp.random.seed(0)\n"),
        },
        "only in notebooks",
        "seed-only-in-a-notebook",
    ),
    Case(
        "MO007",
        "pass",
        {
            "src/train.py": "import numpy as np\nfrom sklearn.svm import SVC\n\n\n"
            "def main(X, y):\n    np.random.seed(0)\n    return SVC().fit(X, y)\n",
            "research/explore.ipynb": _notebook("import numpy as np\nnp.random.seed(0)\n"),
        },
        "seed set",
        "seed-in-the-training-module-too",
    ),
]

# Tracking is in the use; an undeclared tracker is MO006's finding (set F's DVC pipeline).
CASES.append(
    Case(
        "MO002",
        "pass",
        {
            **s.PIPELINE,
            "requirements.txt": "pandas==2.2.0\nscikit-learn==1.4.0\n",
            "src/churn/evaluate.py": "from dvclive import Live\n\n\ndef log(m):\n"
            "    with Live() as live:\n        live.log_metric('f1', m)\n",
        },
        "dvclive used",
        "tracker-used-not-declared",
    )
)

# CI that cannot fail on its checks (set G's Airflow project): every check step may fail.
_LENIENT_CI = (
    "name: tests\non: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n"
    "      - uses: actions/checkout@v4\n"
    "      - name: Install\n        run: pip install black mypy pytest\n"
    "      - name: Lint with mypy\n        run: |\n          mypy src\n"
    "        continue-on-error: true\n"
    "      - name: Unit tests\n        run: |\n          pytest tests\n"
    "        continue-on-error: true\n"
)
CASES += [
    Case(
        "DE002",
        "partial",
        {".github/workflows/tests.yml": _LENIENT_CI},
        "allowed to fail",
        "continue-on-error-steps",
    ),
    Case(
        "DE002",
        "pass",
        {
            ".github/workflows/tests.yml": _LENIENT_CI.replace(
                "        continue-on-error: true\n", "", 1
            )
        },
        "runs",
        "one-gating-step",
    ),
    Case(
        "DE002",
        "partial",
        {".gitlab-ci.yml": "test:\n  script:\n    - pytest tests || true\n"},
        "allowed to fail",
        "or-true",
    ),
    Case(
        "DE002",
        "partial",
        {".gitlab-ci.yml": "lint:\n  allow_failure: true\n  script:\n    - ruff check .\n"},
        "allowed to fail",
        "allow-failure-job",
    ),
    Case(
        "DE002",
        "partial",
        {
            ".github/workflows/build.yml": "on: push\njobs:\n  build:\n    steps:\n"
            "      - run: pip install pytest\n      - run: python -m build\n"
        },
        "runs no tests",
        "installs-pytest-runs-nothing",
    ),
]

# A scheduled bot that bumps action versions releases nothing (set G's template).
CASES.append(
    Case(
        "DE003",
        "fail",
        {
            **s.PIPELINE,
            ".github/workflows/update.yml": "on:\n  schedule:\n    - cron: '0 6 * * 1'\n"
            "jobs:\n  bump:\n    runs-on: ubuntu-latest\n    steps:\n"
            "      - run: python update_actions.py\n",
        },
        label="scheduled-version-bump",
    )
)
CASES.append(
    Case(
        "DE002",
        "pass",
        {".gitlab-ci.yml": "test:\n  script:\n    - pip install pytest && pytest tests\n"},
        "runs pytest",
        "install-then-run-on-one-line",
    )
)


# From a code review's reproductions: verdicts the sixth round's first rules got wrong.
CASES += [
    Case(
        "MO004",
        "pass",
        {
            "requirements.txt": "scikit-learn==1.5.2\npandas==2.2.3\njoblib==1.4.2\n",
            "Makefile": "train:\n\tpython -m churn.cli\n",
            "README.md": "# Churn\n\nRun `make train`.\n",
            "notebooks/explore.ipynb": '{"cells": [{"cell_type": "code", "metadata": {}, "execution_count": null, "outputs": [], "source": ["import pandas as pd\\n", "from churn.trainer import build_forest\\n"]}, {"cell_type": "code", "metadata": {}, "execution_count": null, "outputs": [], "source": ["df = pd.read_csv(\'data/train.csv\')\\n", "m = build_forest(df.drop(columns=\'y\'), df.y)\\n", "m.fit(df.drop(columns=\'y\'), df.y)\\n"]}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}',
            "churn/cli.py": 'import joblib\nimport pandas as pd\n\nimport churn\n\n\ndef main():\n    df = pd.read_csv("data/train.csv")\n    model = churn.build_forest(df.drop(columns="y"), df.y)\n    joblib.dump(model, "models/model.joblib")\n\n\nif __name__ == "__main__":\n    main()\n',
            "churn/__init__.py": "from .trainer import build_forest\n",
            "churn/trainer.py": "from sklearn.ensemble import RandomForestClassifier\n\n\ndef build_forest(X, y):\n    model = RandomForestClassifier(random_state=0)\n    model.fit(X, y)\n    return model\n",
        },
        "for exploration",
        "package-reexport-run-by-a-cli",
    ),
    Case(
        "MO003",
        "fail",
        {
            "requirements.txt": "scikit-learn==1.5.2\npandas==2.2.3\n",
            "helpers.py": "import pandas as pd\n\n\ndef read_frame(path):\n    return pd.read_csv(path)\n",
            "train.py": 'from sklearn.ensemble import RandomForestClassifier\nfrom sklearn.metrics import accuracy_score\nfrom sklearn.model_selection import train_test_split\n\nfrom helpers import read_frame\nfrom utils import scale\n\n\ndef main():\n    df = read_frame("data/churn.csv")\n    X = scale(df.drop(columns="churn"))\n    X_train, X_test, y_train, y_test = train_test_split(X, df.churn, random_state=0)\n    model = RandomForestClassifier(random_state=0)\n    model.fit(X_train, y_train)\n    print(accuracy_score(y_test, model.predict(X_test)))\n\n\nif __name__ == "__main__":\n    main()\n',
            "utils.py": "from sklearn.preprocessing import StandardScaler\n\n\ndef scale(X):\n    scaler = StandardScaler()\n    scaler.fit(X)\n    return scaler.transform(X)\n",
        },
        "one script",
        "one-script-with-helper-modules",
    ),
    Case(
        "MO005",
        "pass",
        {
            "churn/__init__.py": "",
            "churn/pipeline.py": 'import joblib\nimport pandas as pd\nfrom sklearn.linear_model import LogisticRegression\n\n\ndef train(data_path, model_path):\n    df = pd.read_csv(data_path)\n    model = LogisticRegression().fit(df.drop(columns="y"), df.y)\n    joblib.dump(model, model_path)\n\n\ndef predict(model_path, data_path, out_path):\n    model = joblib.load(model_path)\n    pd.DataFrame({"p": model.predict(pd.read_csv(data_path))}).to_csv(out_path)\n\n\ndef report(out_path, html_path):\n    pd.read_csv(out_path).describe().to_html(html_path)\n',
            "tests/test_pipeline.py": 'import os\n\nfrom churn import pipeline\n\n\ndef test_train_writes_the_model(tmp_path, sample_csv):\n    pipeline.train(sample_csv, tmp_path / "model.joblib")\n    assert (tmp_path / "model.joblib").exists()\n\n\ndef test_predict_writes_predictions(tmp_path, sample_csv, model_file):\n    pipeline.predict(model_file, sample_csv, tmp_path / "out.csv")\n    assert os.path.isfile(tmp_path / "out.csv")\n\n\ndef test_report_is_written(tmp_path, predictions):\n    pipeline.report(predictions, tmp_path / "r.html")\n    assert os.path.exists(tmp_path / "r.html")\n',
        },
        "meaningful",
        "tests-check-outputs-exist",
    ),
    Case(
        "MO007",
        "pass",
        {
            "requirements.txt": "scikit-learn==1.5.2\npandas==2.2.3\njoblib==1.4.2\n",
            "README.md": "# Churn\n\nRun `make train`.\n",
            "notebooks/explore.ipynb": '{"cells": [{"cell_type": "code", "metadata": {}, "execution_count": null, "outputs": [], "source": ["import numpy as np\\n", "import pandas as pd\\n", "from churn.trainer import train_model\\n", "np.random.seed(42)\\n"]}, {"cell_type": "code", "metadata": {}, "execution_count": null, "outputs": [], "source": ["df = pd.read_csv(\'data/train.csv\')\\n"]}, {"cell_type": "code", "metadata": {}, "execution_count": null, "outputs": [], "source": ["model = train_model(df.drop(columns=\'y\'), df.y)\\n"]}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}',
            "churn/__init__.py": "\n",
            "churn/trainer.py": "from sklearn.ensemble import RandomForestClassifier\n\n\ndef train_model(X, y):\n    model = RandomForestClassifier()\n    model.fit(X, y)\n    return model\n",
        },
        "seed set",
        "notebook-seeds-the-training-it-runs",
    ),
    Case(
        "DE004",
        "pass",
        {
            "requirements.txt": "scikit-learn==1.5.2\npandas==2.2.3\njoblib==1.4.2\n",
            "Dockerfile": 'FROM python:3.11-slim\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY src/ src/\nCMD ["python", "src/predict.py", "/in.csv", "/out.csv"]\n',
            "src/predict.py": '"""Score a file of customers: writes one churn probability per row."""\nimport argparse\n\nimport joblib\nimport pandas as pd\nfrom sklearn.metrics import classification_report\n\n\ndef main():\n    p = argparse.ArgumentParser()\n    p.add_argument("input")\n    p.add_argument("output")\n    args = p.parse_args()\n    model = joblib.load("models/model.joblib")\n    df = pd.read_csv(args.input)\n    X = df.drop(columns=["y"], errors="ignore")\n    df["churn_probability"] = model.predict_proba(X)[:, 1]\n    df.to_csv(args.output, index=False)\n    if "y" in df:  # labelled input: say how good the scores were\n        print(classification_report(df.y, model.predict(X)))\n\n\nif __name__ == "__main__":\n    main()\n',
            "src/train.py": 'import joblib\nimport pandas as pd\nfrom sklearn.linear_model import LogisticRegression\n\ndf = pd.read_csv("data/train.csv")\njoblib.dump(LogisticRegression().fit(df.drop(columns="y"), df.y), "models/model.joblib")\n',
        },
        "batch",
        "predict-script-writes-predictions-and-metrics",
    ),
    Case(
        "DE001",
        "pass",
        {
            "Dockerfile": 'FROM python:3.11.9-slim\nRUN pip install --no-cache-dir churn-model==1.2.0\nEXPOSE 8000\nCMD ["churn-serve"]\n',
            "pyproject.toml": '[project]\nname = "churn-model"\nversion = "1.2.0"\ndependencies = ["fastapi==0.115.0", "joblib==1.4.2", "scikit-learn==1.5.2"]\n[project.scripts]\nchurn-serve = "churn_model.serve:run"\n',
            "src/churn_model/__init__.py": "",
            "src/churn_model/serve.py": 'import joblib\nimport uvicorn\nfrom fastapi import FastAPI\n\napp = FastAPI()\nmodel = joblib.load("/models/model.joblib")\n\n\n@app.post("/predict")\ndef predict(rows: list[list[float]]):\n    return {"p": model.predict_proba(rows)[:, 1].tolist()}\n\n\ndef run():\n    uvicorn.run(app, host="0.0.0.0", port=8000)\n',
        },
        "installs the project",
        "image-installs-the-published-package",
    ),
    Case(
        "MO002",
        "partial",
        {
            "requirements.txt": "scikit-learn==1.5.2\npandas==2.2.3\n",
            "train.py": "import pandas as pd\nfrom sklearn.linear_model import LogisticRegression\n\ndf = pd.read_csv('data.csv')\nLogisticRegression().fit(df.drop(columns='y'), df.y)\n",
            "docs/examples/tracking_with_wandb.py": "import wandb\n\nrun = wandb.init(project='demo')\nrun.log({'loss': 0.1})\n",
        },
        "not declared",
        "tracker-only-in-a-docs-example",
    ),
]

# A coding assistant's instructions are not the project's prose (kedro's .agents/skills).
CASES.append(
    Case(
        "SC005",
        "fail",
        {
            **STEPS,
            ".agents/skills/babysit/SKILL.md": "# Babysit CI\n\n## Out of scope\n\nThe agent "
            "never merges pull requests and never touches user data or privacy settings.\n",
            "AGENTS.md": "# Agents\n\n## Risks\n\nAgents must not push to main; harms to "
            "users of the CI are avoided by review.\n",
        },
        label="assistant-instructions",
    )
)

# A training loop's validate(model, ...) scores the model; it validates no data (set G's
# RepVGG, set C's MoCo).
CASES += [
    # ... nor a script's validate() over its global model (set K's GCNII), nor a drift check
    # (monitoring, DE006).
    Case(
        "DA003",
        "fail",
        {
            "train.py": "import torch\n\n\ndef validate():\n    model.eval()\n"
            "    with torch.no_grad():\n        output = model(features)\n"
            "        loss_val = F.nll_loss(output[idx_val], labels[idx_val])\n"
            "        return loss_val.item()\n",
            "src/monitoring.py": "from scipy.stats import ks_2samp\n\n\n"
            "def check_data_drift(reference, current):\n"
            "    return {c: ks_2samp(reference[c], current[c]).pvalue for c in reference}\n",
        },
        label="validate-runs-the-global-model-and-a-drift-check",
    ),
    Case(
        "DA003",
        "fail",
        {
            "main.py": "import torch\n\n\ndef validate(config, data_loader, model):\n"
            "    model.eval()\n    correct = 0\n    for x, y in data_loader:\n"
            "        correct += (model(x).argmax(1) == y).sum()\n    return correct\n"
        },
        label="validate-takes-a-model",
    ),
    Case(
        "DA003",
        "pass",
        {
            "src/data.py": "def validate(df):\n    if df['age'].min() < 0:\n"
            "        raise ValueError('negative age')\n    return df\n",
            "src/train.py": "from data import validate\n",
        },
        "validation function",
        "validate-takes-data",
    ),
]

# MLflow autolog records what the run's evaluation computes (set G's Airflow and Zoomcamp
# projects).
CASES.append(
    Case(
        "MO008",
        "pass",
        {
            "src/train.py": "import mlflow\nfrom sklearn.metrics import r2_score\n\n\n"
            "def main(model, X, y, Xv, yv):\n    mlflow.sklearn.autolog()\n"
            "    model.fit(X, y)\n    return r2_score(yv, model.predict(Xv))\n"
        },
        "autolog records them",
        "autolog",
    )
)

# A shell script running the project's step scripts in order (set G's Kaggle solution); ten
# training scripts in a row are ten models, not a pipeline.
_STEP_SCRIPTS = {
    "S1_denoise.py": "import pandas as pd\npd.read_csv('input/train.csv').to_feather('a.f')\n",
    "S2_features.py": "import pandas as pd\ndf = pd.read_feather('a.f')\ndf.to_feather('b.f')\n",
    "utils.py": "import lightgbm as lgb\n\n\ndef train_lgb(X, y):\n"
    "    return lgb.LGBMClassifier().fit(X, y)\n",
    "S3_lgb_main.py": "import pandas as pd\nfrom utils import train_lgb\n\n"
    "train_lgb(pd.read_feather('b.f'), None)\n",
}
CASES += [
    Case(
        "MO003",
        "pass",
        {
            **_STEP_SCRIPTS,
            "run.sh": "python S1_denoise.py\npython S2_features.py\npython S3_lgb_main.py\n",
        },
        "runs 3 of the project's scripts in order",
        "shell-script-runs-step-scripts",
    ),
    Case(
        "MO003",
        "fail",
        {
            **{f"train_{i}.py": "from sklearn.svm import SVC\nSVC().fit(X, y)\n" for i in range(3)},
            "helpers.py": "def load():\n    return 1\n",
            "train.sh": "python train_0.py\npython train_1.py\npython train_2.py\n",
        },
        "one script",
        "shell-script-runs-models-in-a-row",
    ),
]

# Retraining on a clock without CI (set G's recommender service; an Airflow DAG).
CASES += [
    Case(
        "DE003",
        "pass",
        {
            **s.PIPELINE,
            "app/main.py": "from apscheduler.schedulers.background import BackgroundScheduler\n"
            "from apscheduler.triggers.cron import CronTrigger\n"
            "from app.training import train_model\n\n"
            "scheduler = BackgroundScheduler()\n"
            "scheduler.add_job(train_model, CronTrigger(hour=1, minute=30))\n",
        },
        "CronTrigger",
        "in-service-scheduler-without-ci",
    ),
    Case(
        "DE003",
        "pass",
        {
            **s.PIPELINE,
            "dags/retrain.py": "from airflow import DAG\n\n"
            "with DAG('retrain', schedule_interval='@weekly') as dag:\n    train_task()\n",
        },
        "scheduled",
        "scheduled-dag-without-ci",
    ),
    # An Airflow DAG triggered from its UI or API (schedule=None) still runs in the scheduler;
    # Celery beat running the scoring task defined beside it.
    Case(
        "DE003",
        "pass",
        {
            **s.PIPELINE,
            "dags/training.py": "from airflow import DAG\n\n"
            "with DAG(dag_id='training', schedule=None) as dag:\n    train_task()\n",
        },
        "an Airflow DAG",
        "manually-triggered-dag-without-ci",
    ),
    Case(
        "DE003",
        "pass",
        {
            **s.PIPELINE,
            "worker/scoring.py": "from celery import Celery\n\nceleryapp = Celery('w')\n"
            "celeryapp.conf.beat_schedule = {\n    'reviews': {\n"
            "        'task': 'tasks.process_review',\n        'schedule': 10.0,\n    },\n}\n\n\n"
            "@celeryapp.task\ndef process_review():\n    return predict_json(next_review())\n",
        },
        "beat_schedule",
        "celery-beat-scoring",
    ),
    Case(
        "DE003",
        "fail",
        {
            **s.PIPELINE,
            "shop/jobs.py": "from celery import Celery\nfrom shop.models import Session\n\n"
            "app = Celery('w')\napp.conf.beat_schedule = {'purge': {'task': 'jobs.purge'}}\n",
        },
        "no CI configuration",
        "celery-beat-housekeeping-with-django-models",
    ),
    Case(
        "DE003",
        "fail",
        {
            **s.PIPELINE,
            "app/cache.py": "import schedule\n\n\ndef clear():\n    CACHE.clear()\n\n\n"
            "schedule.every(10).minutes.do(clear)\n",
        },
        "no CI configuration",
        "scheduler-that-does-not-train",
    ),
]

# The issue's own example of a problem stated in an opening paragraph.
CASES.append(
    Case(
        "SC001",
        "pass",
        {
            **STEPS,
            "README.md": "# Shelf watch\n\nShelf watch predicts which shelves will be empty "
            "within 4 h so staff restock first.\n\n## Install\n\npip install shelfwatch\n",
        },
        "describes the problem",
        "intro-so-staff-act",
    )
)


# From a second code review's reproductions.
CASES += [
    Case(
        "DE002",
        "partial",
        {
            "main.py": "print(1)\n",
            ".github/workflows/ci.yml": "name: ci\non: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: pip install poetry\n      - run: poetry install --with test\n",
        },
        "installs or names",
        "ci-installs-test-tools-with-poetry",
    ),
    Case(
        "DE002",
        "pass",
        {
            "main.py": "print(1)\n",
            ".github/workflows/ci.yml": "name: ci\non: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: pip install -r requirements.txt || true && pytest\n",
        },
        "runs pytest",
        "or-true-on-the-install-not-the-check",
    ),
    Case(
        "DE003",
        "fail",
        {
            "app.py": 'from apscheduler.schedulers.background import BackgroundScheduler\nfrom apscheduler.triggers.cron import CronTrigger\nfrom fastapi import FastAPI\nimport joblib\nimport shutil\n\napp = FastAPI()\nmodel = joblib.load("model.joblib")\n\n\ndef purge_tmp():\n    shutil.rmtree("/tmp/uploads", ignore_errors=True)\n\n\nscheduler = BackgroundScheduler()\nscheduler.add_job(purge_tmp, CronTrigger(hour=3))\nscheduler.start()\n\n\n@app.post("/predict")\ndef predict(x: list[float]):\n    return {"y": model.predict([x]).tolist()}\n'
        },
        "no CI",
        "scheduler-purges-files-beside-a-predict-api",
    ),
    Case(
        "DE003",
        "fail",
        {
            "jobs.py": 'import schedule\nimport time\n\ndef backup_db():\n    print("backing up, underscore-safe names")\n\nschedule.every().day.at("02:00").do(backup_db)\nwhile True:\n    schedule.run_pending()\n    time.sleep(60)\n'
        },
        "no CI",
        "scheduler-backs-up-a-database",
    ),
    Case(
        "MO003",
        "fail",
        {
            "run.sh": "#!/bin/sh\n# Old pipeline, kept for reference:\n# python a1.py\npython a2.py\n# python a3.py\n",
            "a3.py": 'import joblib, pandas as pd\nfrom sklearn.metrics import accuracy_score\nm = joblib.load("model.joblib"); df = pd.read_csv("data/test.csv")\nprint(accuracy_score(df["y"], m.predict(df.drop(columns="y"))))\n',
            "a1.py": 'import pandas as pd\ndf = pd.read_csv("raw.csv").dropna()\ndf.to_csv("data/train.csv", index=False)\n',
            "a2.py": 'import pandas as pd\nfrom sklearn.ensemble import RandomForestClassifier\nimport joblib\n\ndf = pd.read_csv("data/train.csv")\nX, y = df.drop(columns="y"), df["y"]\nclf = RandomForestClassifier().fit(X, y)\njoblib.dump(clf, "model.joblib")\n',
        },
        "one script",
        "runner-with-commented-steps",
    ),
    Case(
        "MO003",
        "fail",
        {
            "run.sh": '#!/bin/sh\n# usage: ./run.sh a1|train|a3\ncase "$1" in\n  a1) python a1.py ;;\n  train) python a2.py ;;\n  a3) python a3.py ;;\n  *) echo "usage: $0 a1|train|a3"; exit 1 ;;\nesac\n',
            "a3.py": 'import joblib, pandas as pd\nfrom sklearn.metrics import accuracy_score\nm = joblib.load("model.joblib"); df = pd.read_csv("data/test.csv")\nprint(accuracy_score(df["y"], m.predict(df.drop(columns="y"))))\n',
            "a1.py": 'import pandas as pd\ndf = pd.read_csv("raw.csv").dropna()\ndf.to_csv("data/train.csv", index=False)\n',
            "a2.py": 'import pandas as pd\nfrom sklearn.ensemble import RandomForestClassifier\nimport joblib\n\ndf = pd.read_csv("data/train.csv")\nX, y = df.drop(columns="y"), df["y"]\nclf = RandomForestClassifier().fit(X, y)\njoblib.dump(clf, "model.joblib")\n',
        },
        "one script",
        "case-dispatcher",
    ),
    Case(
        "MO003",
        "fail",
        {
            "run.sh": '#!/bin/sh\necho "Run: python a1.py, then python a2.py, then python a3.py"\n',
            "a3.py": 'import joblib, pandas as pd\nfrom sklearn.metrics import accuracy_score\nm = joblib.load("model.joblib"); df = pd.read_csv("data/test.csv")\nprint(accuracy_score(df["y"], m.predict(df.drop(columns="y"))))\n',
            "a1.py": 'import pandas as pd\ndf = pd.read_csv("raw.csv").dropna()\ndf.to_csv("data/train.csv", index=False)\n',
            "a2.py": 'import pandas as pd\nfrom sklearn.ensemble import RandomForestClassifier\nimport joblib\n\ndf = pd.read_csv("data/train.csv")\nX, y = df.drop(columns="y"), df["y"]\nclf = RandomForestClassifier().fit(X, y)\njoblib.dump(clf, "model.joblib")\n',
        },
        "one script",
        "echoed-steps",
    ),
    Case(
        "MO003",
        "fail",
        {
            "run.sh": "#!/bin/sh\nset -e\npython a1.py\npython a2.py\npython a3.py\n",
            "a3.py": 'import matplotlib.pyplot as plt\nplt.plot([1,2]); plt.savefig("loss.png")\n',
            "a1.py": "import torch\nprint(torch.cuda.is_available())\n",
            "a2.py": 'import pandas as pd\nfrom sklearn.ensemble import RandomForestClassifier\nimport joblib\n\ndf = pd.read_csv("data/train.csv")\nX, y = df.drop(columns="y"), df["y"]\nclf = RandomForestClassifier().fit(X, y)\njoblib.dump(clf, "model.joblib")\n',
        },
        "one script",
        "no-data-step-before-training",
    ),
    Case(
        "MO003",
        "partial",
        {
            "src/model.py": "import torch\nfrom torch import nn\n\n\nclass Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.fc = nn.Linear(4, 1)\n\n    def forward(self, x):\n        return self.fc(x)\n\n\ndef train(net, loader, epochs=5):\n    net.train()\n    opt = torch.optim.Adam(net.parameters())\n    for _ in range(epochs):\n        for x, y in loader:\n            opt.zero_grad()\n            loss = nn.functional.mse_loss(net(x), y)\n            loss.backward()\n            opt.step()\n",
            "src/__init__.py": "",
            "src/data.py": "import pandas as pd\n\n\ndef load(path):\n    return pd.read_csv(path)\n",
            "src/inference_pipeline.py": 'import torch\nfrom sklearn.metrics import mean_squared_error\n\nfrom src.data import load\nfrom src.model import Net\n\n\ndef main():\n    df = load("data/holdout.csv")\n    net = Net()\n    net.load_state_dict(torch.load("models/net.pt"))\n    preds = net(torch.tensor(df.drop(columns="y").values, dtype=torch.float32)).detach().numpy()\n    print(mean_squared_error(df["y"], preds))\n\n\nif __name__ == "__main__":\n    main()\n',
        },
        "only some steps",
        "inference-pipeline-is-no-training-entry",
    ),
    Case(
        "MO008",
        "partial",
        {
            "evaluate.py": 'import joblib\nimport pandas as pd\nfrom sklearn.metrics import accuracy_score, f1_score\n\nmodel = joblib.load("model.joblib")\ntest = pd.read_csv("data/test.csv")\npred = model.predict(test.drop(columns="y"))\nprint("accuracy", accuracy_score(test["y"], pred))\nprint("f1", f1_score(test["y"], pred))\n',
            "train.py": 'import joblib\nimport mlflow\nimport pandas as pd\nfrom sklearn.linear_model import LogisticRegression\n\nmlflow.sklearn.autolog()\ndf = pd.read_csv("data/train.csv")\nwith mlflow.start_run():\n    model = LogisticRegression().fit(df.drop(columns="y"), df["y"])\njoblib.dump(model, "model.joblib")\n',
        },
        "not recorded",
        "autolog-in-another-module",
    ),
    Case(
        "MO008",
        "partial",
        {
            "evaluate.py": 'import joblib\nimport pandas as pd\nfrom sklearn.metrics import accuracy_score, f1_score\n\nmodel = joblib.load("model.joblib")\ntest = pd.read_csv("data/test.csv")\npred = model.predict(test.drop(columns="y"))\nprint("accuracy", accuracy_score(test["y"], pred))\nprint("f1", f1_score(test["y"], pred))\n',
            "train.py": 'import joblib\nimport mlflow\nimport pandas as pd\nfrom sklearn.linear_model import LogisticRegression\nfrom sklearn.metrics import accuracy_score\n\nmlflow.autolog(disable=True)  # we do not track runs\ndf = pd.read_csv("data/train.csv")\nmodel = LogisticRegression().fit(df.drop(columns="y"), df["y"])\nprint(accuracy_score(df["y"], model.predict(df.drop(columns="y"))))\njoblib.dump(model, "model.joblib")\n',
        },
        "not recorded",
        "autolog-disabled",
    ),
    Case(
        "DA003",
        "pass",
        {
            "checks.py": 'import pandas as pd\n\n\ndef validate(model, loader):\n    return sum(float(model(x) == y) for x, y in loader)\n\n\ndef validate_dataframe(df: pd.DataFrame) -> pd.DataFrame:\n    if df["age"].lt(0).any():\n        raise ValueError("negative age")\n    if df.isna().any().any():\n        raise ValueError("missing values")\n    return df\n',
            "train.py": "import checks\n",
        },
        "validation function",
        "data-validator-after-a-model-validator",
    ),
]

# A project's own loading function and Detectron2's dataset registration load data (set G's
# anomaly service and Detectron2 project).
CASES += [
    Case(
        "DA005",
        "pass",
        {
            **s.PIPELINE,
            "app/storage/local_storage.py": "import json\n\n\ndef load_data(series_id):\n"
            "    with open(f'data/{series_id}.json') as f:\n        return json.load(f)\n",
            "app/train.py": "from app.storage.local_storage import load_data\n\n\n"
            "def fit(series_id):\n    values = load_data(series_id)\n"
            "    return sum(values) / len(values)\n",
        },
        "data is loaded by",
        "own-load-data-function",
    ),
    Case(
        "DA005",
        "pass",
        {
            "train_utils.py": "from detectron2.data.datasets import register_coco_instances\n\n\n"
            "def regist_dataset(name, json_file, image_root):\n"
            "    register_coco_instances(name, {}, json_file, image_root)\n",
            "main.py": "from train_utils import regist_dataset\n\n\ndef main():\n"
            "    regist_dataset('train', 'data/train.json', 'data/images')\n"
            "    trainer.train()\n",
        },
        "data is loaded by",
        "detectron2-registration",
    ),
]


# A code review of the eighth round's rules: each case reproduces a wrong verdict it found.
TRAIN_STEPS = {
    "src/data/split.py": "import pandas as pd\nfrom sklearn.model_selection import train_test_split\n\n"
    "def split(path):\n    return train_test_split(pd.read_csv(path), test_size=0.2)\n",
    "src/features/build_features.py": "def transform(df):\n    df = df.dropna()\n    return df * 2\n",
    "src/models/train_model.py": "import joblib\nfrom sklearn.linear_model import LogisticRegression\n\n"
    "def train(X, y):\n    model = LogisticRegression().fit(X, y)\n    joblib.dump(model, 'm.pkl')\n"
    "    return model\n\ndef load_model():\n    return joblib.load('m.pkl')\n",
    "src/models/evaluate.py": "from sklearn.metrics import f1_score\n\n"
    "def evaluate(model, X, y):\n    return f1_score(y, model.predict(X))\n",
}
CASES += [
    # A service whose main.py imports the model loader beside the training code runs no
    # training pipeline.
    Case(
        "MO003",
        "partial",
        {
            **TRAIN_STEPS,
            "app/main.py": "import uvicorn\nfrom fastapi import FastAPI\nfrom app.predict import predict\n"
            "app = FastAPI()\n\nif __name__ == '__main__':\n    uvicorn.run(app)\n",
            "app/predict.py": "from src.models.train_model import load_model\n"
            "from src.features.build_features import transform\n\n"
            "def predict(df):\n    return load_model().predict(transform(df))\n",
        },
        "nothing runs them as a pipeline",
        "service-main-is-no-runner",
    ),
    # A module named like a library deep in the tree does not shadow it; a developer's image
    # installing it does not declare it; constraints pin what a requirements file leaves open.
    Case(
        "MO006",
        "partial",
        {
            "requirements.txt": "pandas==2.2.2\n",
            "src/models/xgboost.py": "import xgboost\n\ndef booster():\n    return xgboost.XGBClassifier()\n",
            ".devcontainer/Dockerfile": 'FROM python:3.11\nRUN pip install torch\nCMD ["bash"]\n',
            "src/train.py": "import torch\n",
        },
        "xgboost (src/models/xgboost.py)",
        "deep-module-no-shadow",
    ),
    Case(
        "MO006",
        "pass",
        {
            "uv.lock": "version = 1\n",
            "requirements.txt": "fastapi\nuvicorn\n",
            "constraints.txt": "fastapi==0.110.0\nuvicorn==0.29.0\n",
            "Dockerfile": "FROM python:3.11-slim\nCOPY . .\n"
            "RUN pip install -r requirements.txt -c constraints.txt\nCMD uvicorn app:app\n",
        },
        "lock file",
        "constraints-pin-the-requirements",
    ),
    # A deployment's staging-env.yaml listing services is no conda environment.
    Case(
        "MO006",
        "pass",
        {
            "requirements.txt": "pandas==2.2.2\n",
            "deploy/staging-env.yaml": "dependencies: [redis, postgres, nginx]\nreplicas: 2\n",
        },
        "all 1 dependencies pinned exactly",
        "staging-env-not-conda",
    ),
    # ... and a config folder's prod_env.yaml of parameters is configuration.
    Case(
        "MO001",
        "pass",
        {"config/prod_env.yaml": "C: 0.5\nmax_iter: 200\n"},
        label="params-named-env",
    ),
    # A workflow whose triggers are a list at column 0 runs.
    Case(
        "DE002",
        "pass",
        {
            ".github/workflows/ci.yml": "on:\n- push\n- pull_request\njobs:\n  t:\n"
            "    runs-on: ubuntu-latest\n    steps:\n      - run: pytest\n",
        },
        "runs pytest",
        "trigger-list-at-column-0",
    ),
    # git-lfs is judged by the files it tracks: an image dataset in a data folder is data,
    # Keras weights in models/ are not.
    Case(
        "DA001",
        "pass",
        {
            ".gitattributes": "*.jpg filter=lfs diff=lfs merge=lfs -text\n",
            "data/train/cat/1.jpg": "version https://git-lfs.github.com/spec/v1\n",
        },
        "git-lfs",
        "lfs-image-dataset",
    ),
    Case(
        "DA001",
        "fail",
        {
            ".gitattributes": "*.h5 filter=lfs diff=lfs merge=lfs -text\n",
            "models/model.h5": "version https://git-lfs.github.com/spec/v1\n",
            "train.py": "import pandas as pd\nfrom sklearn.linear_model import LogisticRegression\n"
            "df = pd.read_csv('https://example.org/train.csv')\n"
            "LogisticRegression().fit(df[['x']], df['y'])\n",
        },
        "no git-lfs rule for data",
        "lfs-keras-weights",
    ),
    # A COPY of what the repository says a run makes (a DVC output), of a compose build
    # context's file, or with a space in the exec form, builds.
    Case(
        "DE001",
        "pass",
        {
            "dvc.yaml": "stages:\n  train:\n    cmd: python train.py\n    outs:\n    - trained\n",
            "deploy/Dockerfile": "FROM python:3.11-slim\nCOPY requirements.txt .\n"
            "RUN pip install -r requirements.txt\nCOPY trained/ /app/trained/\nCOPY main.py .\n"
            'COPY ["conf/my config.yaml", "/app/"]\nCMD ["python", "main.py"]\n',
            "docker-compose.yml": "services:\n  api:\n    build:\n      context: ./services/api\n"
            "      dockerfile: ../../deploy/Dockerfile\n",
            "services/api/main.py": "print('serve')\n",
            "services/api/requirements.txt": "fastapi==0.110.0\n",
            "deploy/requirements.txt": "fastapi==0.110.0\n",
            "conf/my config.yaml": "a: 1\n",
        },
        "builds on a pinned base",
        "dvc-output-compose-context-exec-form",
    ),
    Case(
        "DE001",
        "pass",
        {
            "Dockerfile": "FROM debian:bookworm-slim\nCOPY serve.py .\nRUN apt-get install -y python3\n"
            'CMD ["python3", "serve.py"]\n',
            "serve.py": "print(1)\n",
        },
        "pinned base",
        "os-codename-with-variant",
    ),
    Case(
        "DE001",
        "partial",
        {
            "Dockerfile": "FROM python:bookworm\nCOPY serve.py .\nRUN pip install flask==3.0.3\n"
            'CMD ["python", "serve.py"]\n',
            "serve.py": "import flask\n",
        },
        "is not pinned",
        "language-image-with-os-codename",
    ),
    # A registration behind an inline comment registers nothing.
    Case(
        "MO009",
        "partial",
        {
            "src/train.py": "import joblib\nfrom sklearn.linear_model import LogisticRegression\n\n"
            "def train(X, y):\n    model = LogisticRegression().fit(X, y)\n"
            "    joblib.dump(model, 'model.pkl')  # mlflow.sklearn.log_model(model, 'm')\n",
        },
        "without a version or registry",
        "inline-commented-registration",
    ),
]


# Serving that one-hot encodes by hand beside the saved pipeline, as training also does.
CASES += [
    Case(
        "DE005",
        "partial",
        {
            "train_model.py": "import joblib\nimport pandas as pd\nfrom sklearn.pipeline import Pipeline\n"
            "from sklearn.preprocessing import StandardScaler\n"
            "from sklearn.linear_model import LogisticRegression\n\n"
            "def train(df):\n    X = pd.get_dummies(df.drop(columns='target'), drop_first=True)\n"
            "    pipe = Pipeline([('scale', StandardScaler()), ('clf', LogisticRegression())])\n"
            "    pipe.fit(X, df['target'])\n    joblib.dump(pipe, 'model.pkl')\n",
            "app/main.py": "from fastapi import FastAPI\nfrom app.utils import predict_from_dict\n"
            "app = FastAPI()\n\n@app.post('/predict')\ndef predict(payload: dict):\n"
            "    return predict_from_dict(payload)\n",
            "app/utils.py": "import joblib\nimport pandas as pd\n\nmodel = joblib.load('model.pkl')\n\n"
            "def predict_from_dict(payload):\n"
            "    X = pd.get_dummies(pd.DataFrame([payload]), drop_first=True)\n"
            "    return model.predict(X).tolist()\n",
        },
        "builds features itself beside it",
        "serving-one-hot-beside-pipeline",
    ),
]


# A key made to be public (PostHog's project key) is no secret.
CASES += [
    Case(
        "DE008",
        "pass",
        {
            "app/telemetry.py": "import posthog\n\n"
            'posthog.api_key = "phc_C44vUK9R1J6HYVdfJarTEPqVAoRPJzMXzFcj8PIrJgP"\n'
        },
        "no secrets found",
        "publishable-key",
    ),
]


# A program's execution timeline and "Plan storage" (a verb) are no project timeline.
CASES += [
    Case(
        "SC007",
        "fail",
        {
            "docs/hooks.md": "# Hooks\n\n## How to add extra behaviour to the execution timeline\n\n"
            "1. Write a hook.\n2. Register it.\n\n## Plan storage and configuration\n\n"
            "1. Pick a bucket.\n2. Set the path.\n",
            "train.py": "from sklearn.linear_model import LogisticRegression\n"
            "LogisticRegression().fit(X, y)\n",
        },
        "no document has a section on the timeline",
        "execution-timeline-and-plan-verb",
    ),
]

# A service shown only as a run on one's own machine is a way to try it, not a deployment
# scenario (held-out sets F to K); the same API shipped in a container to a cloud is one.
CASES += [
    Case(
        "SC006",
        "partial",
        {
            **s.PIPELINE,
            "README.md": "# Churn\n\n## Deployment\n\nStart the REST API with "
            "`uvicorn app.main:app --port 8000` and POST a customer to "
            "http://localhost:8000/predict to get the churn probability.\n",
        },
        "running locally (uvicorn app.main:app)",
        "local-run-only",
    ),
    Case(
        "SC006",
        "pass",
        {
            **s.PIPELINE,
            "README.md": "# Churn\n\n## Serve API\n\nThe REST API runs in a Docker container "
            "on Cloud Run; the CRM calls POST /predict for each customer. Locally: "
            "`uvicorn app.main:app`.\n",
        },
        "the deployment scenario",
        "container-on-a-cloud-beside-a-local-run",
    ),
]

# Serving and batch prediction by what the file does, whatever else its name says: a chat
# front end (Chainlit) over a fine-tuned model, a forecasting job among several
# (level1_predict_future.py), a speech model transcribing audio files.
CASES += [
    Case(
        "DE004",
        "pass",
        {
            "train.py": "trainer.train()\n",
            "app.py": "import chainlit as cl\nfrom utils import load_fine_tune_model\n\n"
            "model, tokenizer = load_fine_tune_model('out/lora')\n\n\n@cl.on_message\n"
            "async def main(message):\n    reply = model.generate(**tokenizer(message.content))\n"
            "    await cl.Message(content=reply).send()\n",
        },
        "app.py",
        "chainlit-chat-app",
    ),
    Case(
        "DE004",
        "pass",
        {
            "level1_train.py": "model.fit(X, y)\nmodel.save_model('m.txt')\n",
            "level1_predict_future.py": "import lightgbm as lgb\n\n"
            "model = lgb.Booster(model_file='m.txt')\nforecast = model.predict(X_future)\n"
            "writer.upsert(forecast)\n",
        },
        "batch prediction in level1_predict_future.py",
        "one-job-of-several",
    ),
    Case(
        "DE004",
        "pass",
        {
            "train/fine_tune.py": "trainer.train()\n",
            "transcribe_audio.py": "from transformers import pipeline\n\n"
            "asr = pipeline('automatic-speech-recognition', model='out/checkpoint')\n"
            "print(asr('clip.wav')['text'])\n",
        },
        "batch prediction in transcribe_audio.py",
        "transcription-script",
    ),
]

# dvc.yaml's stages that run scripts the repository does not have: `dvc repro` stops at the
# first one (set K's MediCareNet, whose scripts moved to src/models/).
CASES += [
    Case(
        "MO003",
        "partial",
        {
            "dvc.yaml": "stages:\n  preprocess:\n    cmd: python src/preprocess.py --in a.csv\n"
            "    deps: [src/preprocess.py]\n  train:\n    cmd: python ./src/train.py\n"
            "    deps: [src/train.py]\n",
            "src/models/preprocess.py": "import pandas as pd\n\ndf = pd.read_csv('a.csv')\n",
            "src/models/train.py": "model.fit(X, y)\n",
        },
        "runs scripts the repository does not have (src/preprocess.py, src/train.py)",
        "dvc-stages-run-missing-scripts",
    ),
]

# A project template's example tests left as generated test the template, not the project
# (Kedro's test_run.py asserting its project path, or expecting the empty template's "Pipeline
# contains no nodes"); one that runs the project's pipeline is a smoke test of the project.
_KEDRO_TEMPLATE = (
    '"""\nThis module contains example tests for a Kedro project.\n"""\n'
    "from pathlib import Path\n\nimport pytest\n\n"
    "# The tests below are here for the demonstration purpose\n"
    "# and should be replaced with the ones testing the project\n# functionality\n\n"
)
CASES += [
    Case(
        "MO005",
        "partial",
        {
            **s.PIPELINE,
            "tests/test_run.py": _KEDRO_TEMPLATE + "class TestKedroRun:\n"
            "    def test_kedro_run_no_pipeline(self):\n"
            "        with pytest.raises(Exception) as excinfo:\n"
            "            KedroSession.create(project_path=Path.cwd()).run()\n"
            "        assert 'Pipeline contains no nodes' in str(excinfo.value)\n\n"
            "    def test_project_path(self, project_context):\n"
            "        assert project_context.project_path == Path.cwd()\n",
        },
        "the only tests are a project template's examples (tests/test_run.py:13",
        "kedro-template-examples",
    ),
    Case(
        "MO005",
        "pass",
        {
            **s.PIPELINE,
            "tests/test_run.py": _KEDRO_TEMPLATE + "class TestKedroRun:\n"
            "    def test_kedro_run(self):\n"
            "        with KedroSession.create(project_path=Path.cwd()) as session:\n"
            "            assert session.run() is not None\n",
        },
        "1 meaningful test(s) of 1",
        "kedro-template-run-of-the-project",
    ),
]

# A speech recipe's data lists (Kaldi's text and wav.scp, 1.9 MB of transcripts) are data;
# a JavaScript front end's package-lock.json is not.
CASES += [
    Case(
        "DA002",
        "fail",
        {
            "train.py": "trainer.train()\n",
            "data-char/train/text": "utt1 " + "a" * (1 << 20) + "\n",
            "data-char/train/wav.scp": "utt1 /audio/utt1.wav\n",
        },
        "data-char/train/text",
        "speech-data-lists",
    ),
    Case(
        "DA002",
        "pass",
        {
            "train.py": "model.fit(X, y)\n",
            "front-end/package-lock.json": '{"lockfileVersion": 2, "x": "' + "a" * (1 << 20) + '"}',
        },
        "no data file over 1 MiB",
        "npm-lock-file",
    ),
]

# A lock file locks pyproject's (or Pipfile's) dependencies; the requirements.txt beside it
# that a Dockerfile or a reader installs is not locked by it.
CASES += [
    Case(
        "MO006",
        "partial",
        {
            "pyproject.toml": '[project]\nname = "x"\nversion = "1"\n'
            'dependencies = ["torch==2.3.1"]\n',
            "poetry.lock": "# lock\n",
            "requirements.txt": "torch\nnumpy\npillow\n",
        },
        "lock file poetry.lock, but requirements.txt, which no lock covers, leaves numpy",
        "lock-beside-loose-requirements",
    ),
    Case(
        "MO006",
        "pass",
        {
            "services/api/requirements.txt": "torch\n",
            "uv.lock": "version = 1\n",
            "pyproject.toml": '[project]\nname = "x"\nversion = "1"\ndependencies = ["torch"]\n',
        },
        "lock file uv.lock",
        "lock-and-a-sub-component-requirements",
    ),
]

# Not the project's configuration: an orchestrator's own settings (airflow.cfg in config/)
# and a saved model's description (spaCy's models/*/config.cfg).
CASES += [
    Case(
        "MO001",
        "partial",
        {
            **s.PIPELINE,
            "airflow/config/airflow.cfg": "[core]\nparallelism = 32\nload_examples = False\n",
            "models/address_model/config.cfg": "[training]\nmax_epochs = 10\ndropout = 0.1\n",
            "trainer/app/config/constants.py": "from pathlib import Path\n\n"
            "BASE_DIR = Path(__file__).parent\nN_ITER = 30\n",
        },
        "settings only in code or environment files",
        "orchestrator-and-saved-model-configs",
    ),
]

# A feature list nobody reads declares nothing the pipeline uses (set K's house-price app:
# FEATURES in src/config.py, while train.py drops the target and the app names its columns).
CASES += [
    Case(
        "DA006",
        "partial",
        {
            "src/config.py": "FEATURES = ['area', 'bedrooms', 'bathrooms']\n",
            "src/train.py": "import pandas as pd\nfrom sklearn.linear_model import LinearRegression\n"
            "\ndf = pd.read_csv('houses.csv')\n"
            "LinearRegression().fit(df.drop(columns='price'), df.price)\n",
        },
        "but no code uses the list",
        "feature-list-nobody-reads",
    ),
    Case(
        "DA006",
        "pass",
        {
            "src/hotel/schema.py": "PRICE = 'price_usd'\nSTARS = 'prop_starrating'\n"
            "PROPERTY_FEATURES = [PRICE, STARS]\n",
            "src/hotel/train.py": "import pandas as pd\nfrom lightgbm import LGBMRanker\n"
            "from hotel.schema import PRICE\n\ndf = pd.read_csv('x.csv')\n"
            "LGBMRanker().fit(df[[PRICE]], df.y, group=[len(df)])\n",
        },
        "features declared as PROPERTY_FEATURES",
        "schema-module-the-pipeline-imports",
    ),
]

# A shell runner that launches training through a distributed launcher (torchrun,
# accelerate launch) chains it like `python` would.
CASES += [
    Case(
        "MO003",
        "pass",
        {
            **STEPS,
            "run.sh": "python src/p/data.py\npython src/p/features.py\n"
            "torchrun --nproc_per_node=1 src/p/train.py --lr 0.1\npython src/p/evaluate.py\n",
        },
        "run.sh runs them in order",
        "torchrun-in-a-runner",
    ),
]

# A linter or formatter the project applies through its own git hook (core.hooksPath
# .githooks) or a Makefile target.
CASES += [
    Case(
        "MO010",
        "pass",
        {
            **s.PIPELINE,
            ".githooks/pre-commit": "#!/bin/sh\nfor s in trainer prediction; do\n"
            "  black --line-length 100 $s\ndone\n",
        },
        ".githooks/pre-commit runs black --line-length 100",
        "git-hook-runs-black",
    ),
    Case(
        "MO010",
        "pass",
        {
            **s.PIPELINE,
            "Makefile": ".PHONY: lint\n\n## Lint using autopep8\nlint:\n\tautopep8 -r --diff src\n",
        },
        "Makefile runs autopep8",
        "makefile-lint-target",
    ),
]

# A general section that says what is predicted and for whom it is worth it ("helping
# organizations", "an app for businesses") states the problem.
CASES += [
    Case(
        "SC001",
        "pass",
        {
            "README.md": "# Attrition\n\n## Overview\n\nThe model predicts whether an employee "
            "will leave, helping organizations implement targeted retention strategies.\n"
        },
        "Overview",
        "overview-helping-organizations",
    ),
    Case(
        "SC001",
        "partial",
        {
            "README.md": "# Attrition\n\n## Overview\n\nThe model predicts whether an employee "
            "will leave, with a random forest on the IBM dataset.\n"
        },
        "only a general section",
        "overview-without-whom",
    ),
]

# A code review's counter-examples to the tenth round's rules.
CASES += [
    Case(
        "MO003",
        "pass",
        {
            "dvc.yaml": "stages:\n  prepare:\n    wdir: src\n    cmd: python prepare.py\n"
            "  train:\n    cmd: cd src && python train.py\n",
            "src/prepare.py": "import pandas as pd\n\npd.read_csv('a.csv').to_csv('b.csv')\n",
            "src/train.py": "model.fit(X, y)\n",
        },
        "dvc.yaml defines pipeline stages",
        "dvc-stage-wdir-or-cd",
    ),
    Case(
        "MO010",
        "fail",
        {
            **s.PIPELINE,
            "Makefile": "# a simulation of black hole mergers\nsetup:\n\tpip install black flake8\n",
            "third_party/lib/Makefile": "lint:\n\tflake8 .\n",
        },
        "no linter",
        "makefile-that-installs-or-mentions-a-linter",
    ),
    Case(
        "MO005",
        "pass",
        {
            "src/proj/nodes.py": "def add(a, b):\n    return a + b\n",
            "src/tests/test_run.py": _KEDRO_TEMPLATE + "from proj.nodes import add\n\n\n"
            "class TestProjectContext:\n    def test_project_path(self, project_context):\n"
            "        assert project_context.project_path == Path.cwd()\n\n\n"
            "def test_add():\n    assert add(1, 2) == 3\n\n\ndef test_add_negative():\n"
            "    assert add(-1, -2) == -3\n\n\ndef test_add_zero():\n    assert add(0, 5) == 5\n",
        },
        "3 meaningful test(s) of 4",
        "user-tests-in-a-template-file",
    ),
    Case(
        "MO001",
        "pass",
        {
            **s.PIPELINE,
            "configs/models/xgb/config.json": '{"n_estimators": 100, "lr": 0.1}',
        },
        "configs/models/xgb/config.json",
        "configs-folder-named-models",
    ),
    Case(
        "SC006",
        "pass",
        {
            **s.PIPELINE,
            "README.md": "# Churn\n\n## Serving\n\nA FastAPI service exposes POST /predict to "
            "the CRM, which calls it for each new account and shows the churn risk to account "
            "managers. To try it: `uvicorn app:app`.\n",
        },
        "the deployment scenario",
        "consumer-beside-a-try-it-line",
    ),
    Case(
        "DE003",
        "fail",
        {
            **s.PIPELINE,
            "dags/etl.py": '"""Loads raw events into the warehouse\'s star-schema data model."""\n'
            "from airflow import DAG\n\n"
            "with DAG('etl_events', schedule=None) as dag:\n"
            "    BashOperator(task_id='load', bash_command='python load.py')  # model of the day\n",
        },
        "no CI configuration",
        "etl-dag-mentioning-a-data-model",
    ),
    Case(
        "MO006",
        "pass",
        {
            "pyproject.toml": '[tool.poetry.dependencies]\npython = "3.11"\ntorch = "^2.1"\n'
            + "".join(f'lib{i} = "1.{i}"\n' for i in range(11)),
        },
        "pinned exactly",
        "poetry-caret-is-bounded",
    ),
    Case(
        "MO006",
        "partial",
        {
            "requirements.txt": "lib0==1.0\nlib1==1.1\nlib2==1.2\nlib3==1.3\nlib4==1.4\nlib5==1.5\nlib6==1.6\nlib7==1.7\nlib8==1.8\nlib9==1.9\nlib10==1.10\nlib11==1.11\ntorch>=2.0; python_version<'3.12'\n"
        },
        "torch is one the model's results depend on",
        "marker-is-no-upper-bound",
    ),
    Case(
        "DA006",
        "partial",
        {
            "src/config.py": "FEATURES = ['area', 'rooms']\nN_FEATURES_MAX = 10\n",
            "src/train.py": "import pandas as pd\nfrom sklearn.linear_model import LinearRegression\n"
            "\ndf = pd.read_csv('h.csv')\nLinearRegression().fit(df.drop(columns='price'), df.price)\n",
        },
        "but no code uses the list",
        "a-longer-name-is-no-use",
    ),
]

# A Kedro project's evaluation node returns its metrics and the catalog writes them.
CASES += [
    Case(
        "MO008",
        "pass",
        {
            "src/proj/pipelines/evaluation/nodes.py": "from sklearn.metrics import f1_score\n\n\n"
            "def evaluate(model, X_test, y_test):\n"
            "    return {'f1': f1_score(y_test, model.predict(X_test))}\n",
            "src/proj/pipelines/training/nodes.py": "def train(X, y):\n    return model.fit(X, y)\n",
            "conf/base/catalog.yml": "metrics_classification:\n  type: pandas.CSVDataset\n"
            "  filepath: data/08_reporting/metrics_classification.csv\n",
        },
        "the Kedro catalog saves them",
        "kedro-catalog-metrics",
    ),
]

# The standard library's CSV reader loads data like pandas does.
CASES += [
    Case(
        "DA005",
        "pass",
        {
            "train.py": "from sklearn.linear_model import LogisticRegression\n\n"
            "LogisticRegression().fit(X, y)\n",
            "api/services/csv_import.py": "import csv\n\n\ndef import_rows_from_csv(path):\n"
            "    with open(path) as f:\n        return list(csv.DictReader(f))\n",
            "scripts/import_rows.py": "from api.services.csv_import import import_rows_from_csv\n\n"
            "import_rows_from_csv('transactions.csv')\n",
        },
        "csv_import.py",
        "stdlib-csv-reader",
    ),
]

# A data validation library used only in a notebook is exploration: no step of the pipeline
# checks the data it loads.
CASES += [
    Case(
        "DA003",
        "partial",
        {
            **s.PIPELINE,
            "notebooks/03_data_drift.ipynb": '{"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": null, "source": ["from evidently.test_suite import TestSuite\\n", "suite = TestSuite(tests=[])\\n"]}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}',
        },
        "is used only in notebooks (notebooks/03_data_drift.ipynb)",
        "validator-only-in-a-notebook",
    ),
]

# ZenML's data validation steps, built on deepchecks or Great Expectations, validate data.
CASES += [
    Case(
        "DA003",
        "pass",
        {
            **s.PIPELINE,
            "steps/validate_data.py": "from zenml.integrations.deepchecks.steps import (\n"
            "    deepchecks_data_integrity_check_step,\n)\n\n"
            "validate_data = deepchecks_data_integrity_check_step\n",
        },
        "zenml.integrations.deepchecks",
        "zenml-deepchecks-step",
    ),
]

# Eleventh round (held-out set L). Secrets a scanner must not miss: Django's generated key
# (its % and $ are not a format field), a token assigned by name with a generated value (but
# not a tokenizer's special tokens), a JSON Web Token in a file with no suffix.
CASES += [
    Case(
        "DE008",
        "fail",
        {
            "mysite/settings.py": "DEBUG = True\n"
            "SECRET_KEY = 'django-insecure-f!yh05@0)27ws62g5lo-_si0!8l_#q(&=r4391%#dlzs'\n"
        },
        "secret_key hard-coded in source djan",
        "django-insecure-key",
    ),
    Case(
        "DE008",
        "fail",
        {
            "py/utils.py": "import requests\n\n\ndef send_line(message):\n"
            "    line_notify_token = 'Q5pTY7PrQaB8Wnwp6aadfiqC8m2zh6Q8llrfNis'\n"
            "    headers = {'Authorization': 'Bearer ' + line_notify_token}\n"
            "    requests.post('https://notify-api.line.me/api/notify', headers=headers)\n"
        },
        "line_notify_token hard-coded in source Q5pT",
        "token-by-name",
    ),
    Case(
        "DE008",
        "pass",
        {
            "src/tok.py": "pad_token = '[PAD]'\neos_token = '</s>'\n"
            "model_token = 'sentence-transformers/all-MiniLM-L6-v2'\n"
            "slack_token = 'xoxb-your-bot-token-here-1234'\n"
            "url = '{host}/api?key=%s' % KEY\n"
            "password = f'{user}:{pw}'\nsecret_key = '%(SECRET)s'\n",
            "tests/test_auth.py": "jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJmZWQifQ.c2lnbmF0dXJlc2lnbmF0dXJl'\n",
        },
        label="tokenizer-tokens-format-fields-and-test-jwts",
    ),
    Case(
        "DE008",
        "fail",
        {
            "build.sh": "singularity remote login --tokenfile topaz-token\n",
            "topaz-token": "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJleHAiOjE2NDM2NTE4NDksImlhdCI6"
            "MTY0MTA1OTg0OX0.Qm9ndXNTaWduYXR1cmVGb3JBVGVzdE9ubHlfX19fX19f",
        },
        "topaz-token:1 (JSON Web Token eyJh",
        "jwt-in-a-bare-file",
    ),
]

# A web app that trains nothing and logs each prediction to MLflow (latency, confidence, a
# plot) tracks no experiment, evaluates nothing and registers no model.
_APP_LOGS_PREDICTIONS = {
    "train.ipynb": s.NOTEBOOK_TRAIN,
    "requirements.txt": "mlflow==2.9.2\nstreamlit==1.30.0\ntorch==2.1.0\n",
    "app/app.py": "import time\n\nimport mlflow\nimport streamlit as st\nimport torch\n"
    "from sklearn.metrics import accuracy_score\n\n"
    "model = torch.jit.load('model.pt')\nfile = st.file_uploader('image')\n"
    "if file:\n    start = time.time()\n    out = model(torch.load(file))\n"
    "    with mlflow.start_run(run_name='prediction'):\n"
    "        mlflow.log_metric('latency_ms', (time.time() - start) * 1000)\n"
    "        mlflow.log_metric('accuracy', accuracy_score([1], [out.argmax()]))\n"
    "        mlflow.log_artifact('prediction_plot.png')\n",
}
CASES += [
    Case(
        "MO002",
        "partial",
        _APP_LOGS_PREDICTIONS,
        "mlflow used only in the app (app/app.py), which trains nothing",
        "tracker-only-in-a-serving-app",
    ),
    Case(
        "MO008",
        "fail",
        _APP_LOGS_PREDICTIONS,
        "evaluation happens only in notebooks (train.ipynb)",
        "metrics-only-in-a-serving-app",
    ),
    Case(
        "MO009",
        "fail",
        _APP_LOGS_PREDICTIONS,
        "trained models are neither saved with a version nor registered",
        "log-artifact-only-in-a-serving-app",
    ),
    Case(
        "MO002",
        "pass",
        {**_APP_LOGS_PREDICTIONS, "src/train.py": "import mlflow\n\nmlflow.autolog()\n"},
        "mlflow used in app/app.py, src/train.py",
        "tracker-in-app-and-training",
    ),
]

# SC003: an API's example response under a "Result" heading ("confidence": 0.92), an option's
# documented default ("IoU threshold (default: 0.45)"), a screenshot URL's digits after "LB"
# and a troubleshooting entry ("Queries return no results") state no success metric; a score
# printed in a code block under "Results" still does.
CASES += [
    Case(
        "SC003",
        "partial",
        {
            **s.PIPELINE,
            "README.md": "# Detector service\n\n## Fetch Job Result\n\n```json\n"
            '{"confidence": 0.92, "class": "hyaena", "theta": 0.0}\n```\n\n'
            "## Configuration\n\n- `iou`: IoU threshold for NMS (default: 0.45)\n\n"
            "## Queries Return No Results\n\nLower the similarity threshold in the config.\n\n"
            "## Leaderboard\n\n![Private LB](https://example.org/shots/2018-08-30%2013.42.37.png)\n",
        },
        "names no metric, value or target",
        "numbers-that-are-no-score",
    ),
    Case(
        "SC003",
        "pass",
        {
            **s.PIPELINE,
            "README.md": "# Churn\n\n## Results\n\nThe evaluation script prints, on the "
            "held-out month:\n\n```\nAccuracy: 0.93\n```\n",
        },
        "section 'Results'",
        "score-printed-under-results",
    ),
]

# MO006: the environment MLflow records beside a logged model (mlruns/.../artifacts/
# requirements.txt, conda.yaml next to an MLmodel) is the artefact's, not the project's
# declaration: the project's own pins leave mlflow undeclared.
CASES += [
    Case(
        "MO006",
        "partial",
        {
            "requirements.txt": "pandas==2.3.1\nscikit-learn==1.7.1\n",
            "src/train.py": "import mlflow\nimport pandas as pd\nfrom sklearn.linear_model import "
            "LinearRegression\n\nmodel = LinearRegression().fit(pd.read_csv('d.csv'), [1])\n"
            "mlflow.sklearn.log_model(model, 'model')\n",
            "mlruns/1/models/m-1/artifacts/requirements.txt": "mlflow==3.1.4\npandas==2.3.1\n",
            "mlruns/1/models/m-1/artifacts/MLmodel": "flavors: {}\n",
            "models/churn/MLmodel": "flavors: {}\n",
            "models/churn/conda.yaml": "dependencies:\n- pip:\n  - mlflow==3.1.4\n",
        },
        "the code imports packages no requirement declares: mlflow (src/train.py)",
        "mlflow-model-environments-are-not-declarations",
    ),
]

# MO003: a runner whose imports reach the data steps and a preprocessing module that fits a
# scaler, but not the training (it imports train_models; the module is train_model.py), runs
# no training; a package's __init__ importing its step modules runs nothing.
_STEPS_UNCHAINED = {
    "src/__init__.py": "",
    "src/data/__init__.py": "",
    "src/data/load_data.py": "import pandas as pd\n\n\ndef load_datasets(path):\n"
    "    df = pd.read_csv(path)\n    return df.sample(frac=0.8), df.drop(df.index[:10])\n",
    "src/data/preprocessing.py": "from sklearn.preprocessing import StandardScaler\n\n\n"
    "def preprocess_data(df):\n    scaler = StandardScaler()\n"
    "    return scaler.fit_transform(df)\n",
    "src/models/__init__.py": "",
    "src/models/train_model.py": "from xgboost import XGBClassifier\n\n\ndef train(X, y):\n"
    "    model = XGBClassifier()\n    model.fit(X, y)\n    return model\n",
    "src/models/evaluate_model.py": "from sklearn.metrics import f1_score\n\n\n"
    "def evaluate(model, X, y):\n    return f1_score(y, model.predict(X))\n",
}
CASES += [
    Case(
        "MO003",
        "partial",
        {
            **_STEPS_UNCHAINED,
            "src/main.py": "from src.data.load_data import load_datasets\n"
            "from src.data.preprocessing import preprocess_data\n"
            "from src.models.train_models import train_models\n\n"
            "if __name__ == '__main__':\n    train, test = load_datasets('data.csv')\n"
            "    train_models(preprocess_data(train))\n",
        },
        "nothing runs them as a pipeline",
        "runner-reaching-only-a-scaler-fit",
    ),
    Case(
        "MO003",
        "partial",
        {
            **_STEPS_UNCHAINED,
            "src/models/__init__.py": "from src.data.load_data import load_datasets\n"
            "from src.data.preprocessing import preprocess_data\n"
            "from src.models.train_model import train\n"
            "from src.models.evaluate_model import evaluate\n",
        },
        "nothing runs them as a pipeline",
        "package-init-gathering-step-names",
    ),
    Case(
        "MO003",
        "pass",
        {
            **_STEPS_UNCHAINED,
            "src/main.py": "from src.data.load_data import load_datasets\n"
            "from src.data.preprocessing import preprocess_data\n"
            "from src.models.train_model import train\n"
            "from src.models.evaluate_model import evaluate\n\n"
            "if __name__ == '__main__':\n    tr, te = load_datasets('data.csv')\n"
            "    m = train(preprocess_data(tr), tr.y)\n    evaluate(m, te, te.y)\n",
        },
        "src/main.py runs them in order",
        "runner-reaching-the-training",
    ),
]

# MO007: a set_seed() helper that no code names (not called, imported or handed over as a
# callback) seeds nothing; one the training calls, or hands to a DataLoader, does.
_SEED_HELPER = (
    "import random\n\nimport numpy as np\nimport torch\n\n\n"
    "def set_seed(seed: int):\n    random.seed(seed)\n    np.random.seed(seed)\n"
    "    torch.manual_seed(seed)\n"
)
_TRAINS = "import torch\n\nmodel = torch.nn.Linear(2, 1)\nmodel.train()\n"
CASES += [
    Case(
        "MO007",
        "partial",
        {"src/utils.py": _SEED_HELPER, "src/train.py": _TRAINS},
        "seeds are set only in set_seed() (src/utils.py), which nothing calls",
        "seed-helper-nobody-calls",
    ),
    Case(
        "MO007",
        "pass",
        {
            "src/utils.py": _SEED_HELPER,
            "src/train.py": "from utils import set_seed\n\nset_seed(0)\n" + _TRAINS,
        },
        "seed set in src/",
        "seed-helper-called",
    ),
    Case(
        "MO007",
        "pass",
        {
            "src/utils.py": _SEED_HELPER,
            "src/train.py": "import utils\nfrom torch.utils.data import DataLoader\n\n"
            "loader = DataLoader([], worker_init_fn=utils.set_seed)\n" + _TRAINS,
        },
        "seed set in src/utils.py",
        "seed-helper-handed-over",
    ),
]

# DE003: an image built in CI with docker/build-push-action and `push: false` is a build check,
# not a release; the same action pushing is one.
_BUILD_ONLY = (
    "name: Docker Build\non:\n  push:\n    branches: [ main ]\njobs:\n  build:\n"
    "    runs-on: ubuntu-latest\n    steps:\n    - uses: actions/checkout@v4\n"
    "    - name: Build backend\n      uses: docker/build-push-action@v5\n      with:\n"
    "        context: .\n        file: ./backend/Dockerfile\n        push: false\n"
    "        tags: app:dev\n    - name: Test\n      run: pytest\n"
)
CASES += [
    Case(
        "DE003",
        "fail",
        {**s.PIPELINE, ".github/workflows/docker.yml": _BUILD_ONLY},
        "CI never deploys, publishes, releases or retrains",
        "image-built-but-not-pushed",
    ),
    Case(
        "DE003",
        "pass",
        {
            **s.PIPELINE,
            ".github/workflows/docker.yml": _BUILD_ONLY.replace("push: false", "push: true"),
        },
        "build-push-action",
        "image-built-and-pushed",
    ),
    # The action's push input defaults to false: a step that never sets it pushes nothing.
    Case(
        "DE003",
        "fail",
        {
            **s.PIPELINE,
            ".github/workflows/docker.yml": _BUILD_ONLY.replace("        push: false\n", ""),
        },
        "CI never deploys, publishes, releases or retrains",
        "image-built-push-unset",
    ),
    # An expression pushes on the events it allows (not on pull requests, typically).
    Case(
        "DE003",
        "pass",
        {
            **s.PIPELINE,
            ".github/workflows/docker.yml": _BUILD_ONLY.replace(
                "push: false", "push: ${{ github.event_name != 'pull_request' }}"
            ),
        },
        "build-push-action",
        "image-pushed-on-some-events",
    ),
    Case(
        "DE003",
        "pass",
        {
            **s.PIPELINE,
            ".github/workflows/docker.yml": _BUILD_ONLY.replace(
                "push: false", "outputs: type=image,name=ghcr.io/acme/app,push=true"
            ),
        },
        "build-push-action",
        "image-pushed-by-outputs",
    ),
]

# DE005: a generated module (a genetic program's formulas, hundreds of KiB) is not compared
# function by function: parsing it would cost more than the rest, and it is no transformation
# anyone wrote twice.
_GENERATED_TRANSFORM = (
    "import numpy as np\n\n\ndef transform_features(df):\n"
    + "".join(
        f"    df['f{i}'] = np.tanh(df['a'] * {i}.5 + df['b'] / {i + 1}.25) - np.log1p(df['c'])\n"
        for i in range(2000)
    )
    + "    return df\n"
)
CASES += [
    Case(
        "DE005",
        "pass",
        {
            **s.PIPELINE,
            "src/churn/gp_features.py": _GENERATED_TRANSFORM,
            "src/churn/train_gp.py": "from sklearn.linear_model import LogisticRegression\n"
            "from churn.features import build_features\nfrom churn.gp_features import "
            "transform_features\n\n\ndef main(df):\n    X = build_features(transform_features(df))"
            "\n    return LogisticRegression().fit(X, df.y)\n",
            "src/churn/serve.py": s.SERVE
            + "\n\n"
            + _GENERATED_TRANSFORM.split("\n\n\n", 1)[1].replace("transform_features", "gp"),
        },
        "both import src/churn/features.py",
        "generated-module-not-compared",
    ),
]

# SC005: the risk a model predicts ("Home-Credit-Default-Risk", a credit-risk model) is no
# section on the risks it poses, and a Kaggle "Private LB" says nothing of private data.
CASES += [
    Case(
        "SC005",
        "fail",
        {
            **s.PIPELINE,
            "README.md": "# Home-Credit-Default-Risk\n\nI made the features of our team's "
            "solution.\n\n![Private LB](lb.png)\n\n## Credit risk model\n\nLightGBM on the "
            "application and bureau tables, blended with a neural net.\n",
        },
        "no document has a section on responsible use",
        "predicted-risk-and-private-lb",
    ),
    Case(
        "SC005",
        "pass",
        {
            **s.PIPELINE,
            "README.md": "# Scoring\n\n## Risks\n\nApplicants' personal data stays private "
            "to the bank; we evaluate approval rates by gender and age group.\n",
        },
        "section 'Risks'",
        "risks-section",
    ),
]

# DA002: a satellite scene committed as a GeoTIFF is data, like a CSV of that size.
CASES += [
    Case(
        "DA002",
        "fail",
        {**s.PIPELINE, "stacked/merged-landsat.tif": "\0" * (1 << 20) + "x"},
        "stacked/merged-landsat.tif (1.0 MiB)",
        "geotiff-committed",
    ),
]

# DE004: a predict(images, model) helper named for inference that loads no weights, runs as no
# program and that no code imports is no entry point; the same helper a script imports is.
_PREDICT_HELPER = (
    "import torch\n\n\ndef predict(images, model):\n    model.eval()\n"
    "    with torch.no_grad():\n        probs = torch.sigmoid(model(images)).squeeze()\n"
    "    return (probs >= 0.5).long(), probs\n"
)
CASES += [
    Case(
        "DE004",
        "fail",
        {**s.PIPELINE, "src/churn/infer.py": _PREDICT_HELPER},
        "no serving app and no batch prediction entry point",
        "predict-helper-nobody-uses",
    ),
    Case(
        "DE004",
        "pass",
        {
            **s.PIPELINE,
            "src/churn/infer.py": _PREDICT_HELPER,
            "src/churn/cli.py": "import sys\n\nimport torch\n\nfrom churn.infer import predict\n\n"
            "if __name__ == '__main__':\n    model = torch.load(sys.argv[1])\n"
            "    torch.save(predict(torch.load(sys.argv[2]), model), 'out.pt')\n",
        },
        "batch prediction in src/churn/",
        "predict-helper-a-script-imports",
    ),
]

# SC004: a dataset's size with a word between the count and the unit ("25,331 training
# images", "9 categories") describes what the data holds, beside its source.
# MO006: a conda environment named for the project (saint_environment.yml) declares.
CASES += [
    Case(
        "SC004",
        "pass",
        {
            **s.PIPELINE,
            "README.md": "# Skin lesions\n\n## Dataset\n\nWe use the [ISIC 2019 Dataset]"
            "(https://challenge.isic-archive.com/data/) with:\n\n* **25,331 training images**\n"
            "* **9 categories**, including melanoma and nevus\n",
        },
        "section 'Dataset'",
        "source-with-counts",
    ),
    Case(
        "MO006",
        "pass",
        {
            **s.PIPELINE,
            "saint_environment.yml": "name: saint_env\nchannels:\n  - pytorch\ndependencies:\n"
            "  - pytorch=1.8.1\n  - numpy=1.20.2\n  - scikit-learn=0.23.2\n  - pandas=1.2.4\n",
        },
        "all 4 dependencies pinned exactly",
        "conda-environment-named-for-the-project",
    ),
]

# Metaflow keeps a run's artefacts by run id: a prediction flow reading the models a training
# flow's run stored (Run("TrainFlow/12").data) predicts in batch from a versioned model.
_METAFLOW_PREDICT = (
    "from metaflow import FlowSpec, Flow, Run, step\n\n\nclass PredictFlow(FlowSpec):\n"
    "    @step\n    def start(self):\n"
    "        self.train_id = Flow('TrainFlow').latest_successful_run.id\n"
    "        self.next(self.run_batch_inference)\n\n    @step\n"
    "    def run_batch_inference(self):\n        trained = Run(\n"
    "            f'TrainFlow/{self.train_id}'\n        ).data\n"
    "        self.test_preds = trained.model.predict(trained.test_features)\n"
    "        self.next(self.end)\n\n    @step\n    def end(self):\n        pass\n\n\n"
    "if __name__ == '__main__':\n    PredictFlow()\n"
)
CASES += [
    Case(
        "MO009",
        "pass",
        {**s.PIPELINE, "flows/predict_flow.py": _METAFLOW_PREDICT},
        "models are registered or logged (flows/predict_flow.py: Run( f'TrainFlow/",
        "metaflow-run-artefacts",
    ),
    Case(
        "DE004",
        "pass",
        {**s.PIPELINE, "flows/predict_flow.py": _METAFLOW_PREDICT},
        "batch prediction in flows/predict_flow.py",
        "metaflow-predict-flow",
    ),
]

# DE004: an inference script building Detectron2's DefaultPredictor from the trained weights
# predicts, though it draws its results through a helper of another module.
CASES += [
    Case(
        "DE004",
        "pass",
        {
            **s.PIPELINE,
            "src/inference.py": "import pickle\n\nfrom detectron2.engine import DefaultPredictor\n"
            "\nfrom utils import image_inference\n\nwith open('outputs/cfg.pickle', 'rb') as f:\n"
            "    cfg = pickle.load(f)\ncfg.MODEL.WEIGHTS = 'outputs/model_final.pth'\n"
            "predictor = DefaultPredictor(cfg)\nimage_inference('img_inference/test_data', "
            "predictor, save=True)\n",
        },
        "batch prediction in src/inference.py",
        "detectron2-predictor-script",
    ),
]

# Counter-examples a code review built for the eleventh round's rules: each kept its verdict.
_TRAIN_FIT = (
    "from sklearn.linear_model import LogisticRegression\n\nLogisticRegression().fit(X, y)\n"
)
CASES += [
    Case(  # a dead helper beside a seed the program sets
        "MO007",
        "pass",
        {
            "train.py": "import random\n\nimport torch\n\n\ndef set_seed(s):\n    random.seed(s)\n"
            "\n\ndef main():\n    torch.manual_seed(42)\n    model = torch.nn.Linear(2, 1)\n"
            "    model.train()\n\n\nif __name__ == '__main__':\n    main()\n"
        },
        "seed set in train.py",
        "review-dead-helper-beside-a-seed",
    ),
    Case(  # a Typer command: the framework calls it
        "MO007",
        "pass",
        {
            "cli.py": "import numpy as np\nimport typer\n\napp = typer.Typer()\n\n\n"
            "@app.command()\ndef train(seed: int = 42):\n    np.random.seed(seed)\n\n\napp()\n",
            "model.py": _TRAIN_FIT,
        },
        "seed set in cli.py",
        "review-decorated-command",
    ),
    Case(  # named only as a console script
        "MO007",
        "pass",
        {
            "pyproject.toml": '[project]\nname = "churn"\n[project.scripts]\n'
            'churn-train = "churn.train:run"\n',
            "src/churn/train.py": "import numpy as np\nfrom sklearn.linear_model import "
            "LogisticRegression\n\n\ndef run():\n    np.random.seed(0)\n"
            "    LogisticRegression().fit(X, y)\n",
        },
        "seed set in src/churn/train.py",
        "review-console-script",
    ),
    Case(  # jwt.io's example token in a README, Supabase's anon key in a front end
        "DE008",
        "pass",
        {
            "README.md": "curl -H 'Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
            "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ."
            "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c' http://localhost:8000/predict\n",
            "frontend/src/supabaseClient.js": "export const key = 'eyJhbGciOiJIUzI1NiIsInR5cCI6"
            "IkpXVCJ9.eyJyb2xlIjoiYW5vbiIsImlzcyI6InN1cGFiYXNlIn0.c2lnbmF0dXJlX3NpZ25hdHVyZQ';\n",
        },
        label="review-public-jwts",
    ),
    Case(  # an upper-case token name
        "DE008",
        "fail",
        {"notify.py": 'LINE_NOTIFY_TOKEN = "5p5sQx7Rk2TbV9wLmN3cZ8aYdE4fG6hJ"\n'},
        "line_notify_token hard-coded in source",
        "review-upper-case-token",
    ),
    Case(  # a generated Django key holding %s
        "DE008",
        "fail",
        {"settings.py": "SECRET_KEY = 'django-insecure-k3!x9%s2@b7q(&=r4391%#dlzs0!8l_#q'\n"},
        "secret_key hard-coded in source",
        "review-django-key-with-percent-s",
    ),
    Case(  # a score, then an option's default, on one line
        "SC003",
        "pass",
        {
            **s.PIPELINE,
            "README.md": "# Detector\n\n## Performance\n\nOn the held-out set the model reaches a "
            "mAP@50 of 0.87 and a recall of 0.91; detections below the confidence threshold "
            "(which defaults to 0.25) are dropped.\n",
        },
        "section 'Performance'",
        "review-score-then-default",
    ),
    Case(  # a printed Python dict of eval metrics is a report, not a JSON example
        "SC003",
        "pass",
        {
            **s.PIPELINE,
            "README.md": "# Sentiment\n\n## Results\n\nAfter three epochs the trainer prints:\n\n"
            "```\n{'eval_loss': 0.213, 'eval_accuracy': 0.931, 'eval_f1': 0.929}\n```\n",
        },
        "section 'Results'",
        "review-printed-metrics-dict",
    ),
    Case(
        "SC005",
        "pass",
        {
            **s.PIPELINE,
            "README.md": "# Stocks\n\n## Financial Risk Disclaimer\n\nNot financial advice. The "
            "model is biased towards large-cap stocks and could harm small investors who "
            "follow it.\n",
        },
        "section 'Financial Risk Disclaimer'",
        "review-financial-risk-disclaimer",
    ),
    Case(  # a Streamlit front end whose Train button runs the training module
        "MO002",
        "pass",
        {
            "src/trainer.py": "from sklearn.ensemble import RandomForestClassifier\n\n\n"
            "def run_training(df, n):\n    return RandomForestClassifier(n_estimators=n)"
            ".fit(df, df.y)\n",
            "src/app.py": "import mlflow\nimport streamlit as st\n\nfrom trainer import "
            "run_training\n\nif st.button('Train'):\n    with mlflow.start_run():\n"
            "        mlflow.log_param('n', 10)\n        run_training(df, 10)\n",
        },
        "mlflow used in src/app.py",
        "review-training-front-end",
    ),
    Case(  # an app's prediction latency logged to MLflow records no evaluation
        "MO008",
        "partial",
        {
            "src/train.py": "import joblib\nfrom sklearn.linear_model import LogisticRegression\n"
            "from sklearn.metrics import f1_score\n\nm = LogisticRegression().fit(X, y)\n"
            "print(f1_score(yt, m.predict(Xt)))\njoblib.dump(m, 'model.pkl')\n",
            "src/app.py": "import time\n\nimport joblib\nimport mlflow\nfrom fastapi import "
            "FastAPI\n\napp = FastAPI()\nmodel = joblib.load('model.pkl')\n\n\n"
            "@app.post('/predict')\ndef predict(x: list[float]):\n    start = time.time()\n"
            "    y = model.predict([x])\n    mlflow.log_metric('latency_ms', time.time() - start)"
            "\n    return {'y': int(y[0])}\n",
        },
        "metrics are computed in src/train.py but not recorded",
        "review-app-latency-is-no-evaluation",
    ),
    Case(  # a paper's TIFF figure is no data
        "DA002",
        "pass",
        {**s.PIPELINE, "paper/figures/figure2_architecture.tif": "\0" * (3 << 20)},
        "no data file over 1 MiB is committed",
        "review-paper-figure-tiff",
    ),
    Case(  # a module docstring does not make a bare helper a program
        "DE004",
        "fail",
        {
            **s.PIPELINE,
            "src/churn/infer.py": '"""Inference.\n\nUse predict() on a batch.\n"""\n'
            + _PREDICT_HELPER,
        },
        "no serving app and no batch prediction entry point",
        "review-helper-with-docstring",
    ),
    Case(  # an MLmodel at the root does not hide the root's requirements
        "MO006",
        "pass",
        {
            **s.PIPELINE,
            "MLmodel": "flavors: {}\n",
            "requirements.txt": "pandas==2.2.2\nscikit-learn==1.5.2\n",
        },
        "all 2 dependencies pinned exactly",
        "review-root-mlmodel",
    ),
]

# DE005: a long feature function copied into the service with a tenth of its columns renamed
# is still a copy (judged by rapidfuzz's ratio, not difflib: no budget stops one long call).
_LONG_FEATURES = "".join(
    f"    df['feat_{i}'] = np.log1p(df['amount_{i}']) * {i}.5 - df['count_{i}'] / {i + 1}\n"
    for i in range(60)
)
CASES += [
    Case(
        "DE005",
        "fail",
        {
            **s.PIPELINE,
            "src/churn/features.py": "import numpy as np\n\n\ndef build_features(df):\n"
            + _LONG_FEATURES
            + "    return df\n",
            "src/churn/serve.py": s.SERVE.replace("from churn.features import build_features\n", "")
            + "\n\nimport numpy as np\n\n\ndef prepare_request(df):\n"
            + "".join(
                line.replace("amount_", "amt_") if n % 10 == 0 else line
                for n, line in enumerate(_LONG_FEATURES.splitlines(keepends=True))
            )
            + "    return df\n",
        },
        "prepare_request() in src/churn/serve.py",
        "review-long-edited-copy",
    ),
]

# DA005: a loading function that reads its files by hand (JSON lines through Path.open) is
# loading code other steps can call; a configuration loader or a bare model load() is not.
_JSONL_LOADER = (
    "import json\nfrom pathlib import Path\n\n\n"
    "def load_events(path: Path) -> list[dict]:\n"
    "    with path.open(encoding='utf-8') as fh:\n"
    "        return [json.loads(line) for line in fh]\n"
)
_INLINE_TRAIN = (
    "import pandas as pd\nfrom sklearn.linear_model import LogisticRegression\n\n"
    "df = pd.read_csv('data/train.csv')\nLogisticRegression().fit(df[['a']], df['y'])\n"
)
CASES += [
    Case(
        "DA005",
        "pass",
        {"ml/events.py": _JSONL_LOADER, "ml/train.py": "from ml.events import load_events\n"},
        "(load_events), which reads the files itself",
        "loader-reading-json-lines-by-hand",
    ),
    Case(
        "DA005",
        "fail",
        {
            "ml/settings.py": _JSONL_LOADER.replace("load_events", "load_config"),
            "ml/model.py": "import pickle\n\n\nclass Model:\n    def load(self, path):\n"
            "        with open(path, 'rb') as fh:\n            self.m = pickle.load(fh)\n",
            "ml/train.py": "from sklearn.linear_model import LogisticRegression\n\n"
            "LogisticRegression().fit(X, y)\n",
        },
        "no module loads data",
        "config-and-model-loaders-are-not-data-loading",
    ),
    # An agent's own .load() in a function named for loading reads a model, not data.
    Case(
        "DA005",
        "fail",
        {
            "scripts/play.py": "from rl.agent import Agent\n\n\ndef load_and_play(name):\n"
            "    agent = Agent.load(name)\n    agent.play()\n",
            "rl/train.py": "from rl.agent import Agent\n\nAgent().train()\n",
        },
        "no module loads data",
        "agent-load-is-not-data-loading",
    ),
    # A script reads the CSV inline and hands it to the project's data-processing module,
    # whose functions every step imports: the reusable preparation is there.
    Case(
        "DA005",
        "pass",
        {
            "src/data_processing.py": "def clean(df):\n    return df.dropna()\n",
            "src/train.py": "from src.data_processing import clean\n"
            + _INLINE_TRAIN.replace("\nLogistic", "\ndf = clean(df)\nLogistic"),
        },
        "prepared by the data module src/data_processing.py",
        "inline-read-prepared-by-data-module",
    ),
    # ... but a Dataset class that only wraps ready arrays prepares nothing.
    Case(
        "DA005",
        "partial",
        {
            "src/dataset.py": "import torch\nfrom torch.utils.data import Dataset\n\n\n"
            "class Rows(Dataset):\n    def __init__(self, X):\n        self.X = X\n\n"
            "    def __getitem__(self, i):\n        return torch.tensor(self.X[i])\n",
            "src/train.py": "from src.dataset import Rows\n" + _INLINE_TRAIN,
        },
        "data is loaded inline",
        "inline-read-with-a-tensor-wrapper",
    ),
]

# Set M's measurement (twelfth round): training run by a framework's own loop or command.
_FLAX_TRAIN = (
    "import optax\nfrom flax import nnx\n\n\n"
    "def train(model, batches, lr):\n"
    "    optimizer = nnx.Optimizer(model, optax.adamw(lr))\n"
    "    metrics = nnx.MultiMetric(accuracy=nnx.metrics.Accuracy())\n"
    "    for batch in batches:\n"
    "        grads = nnx.grad(loss_fn)(model, batch)\n"
    "        optimizer.update(grads)\n"
    "    with open('accuracy.csv', 'w') as fh:\n"
    "        fh.write(str(metrics.compute()))\n"
)
_SPACY_PROJECT = (
    'title: "NER"\nvars:\n  lang: "de"\n  gpu_id: -1\n'
    "workflows:\n  all:\n    - convert\n    - train\n"
    "commands:\n"
    '  - name: "convert"\n    script:\n      - "python scripts/convert.py corpus/train.spacy"\n'
    '  - name: "train"\n    script:\n'
    '      - "python -m spacy train configs/config.cfg --output models --gpu-id ${vars.gpu_id}"\n'
)
_SPACY_FILES = {
    "project.yml": _SPACY_PROJECT,
    "scripts/convert.py": "import json\n\n\ndef load_samples(path):\n"
    "    with open(path) as fh:\n        return json.load(fh)\n",
    "scripts/main.py": "import spacy\nfrom fastapi import FastAPI\n\napp = FastAPI()\n"
    "nlp = spacy.load('models/model-best')\n\n\n@app.post('/entities')\n"
    "def entities(text: str):\n    return [e.text for e in nlp(text).ents]\n",
}
CASES += [
    # A JAX/Flax training loop trains (MO002 applies and fails: nothing tracks it) ...
    Case(
        "MO002",
        "fail",
        {"src/models/main_mlp.py": _FLAX_TRAIN},
        "no experiment tracker",
        "flax-training-loop-trains",
    ),
    # ... and its metrics class computes metrics, written to a file.
    Case(
        "MO008",
        "pass",
        {"src/models/main_mlp.py": _FLAX_TRAIN},
        "computes and records metrics",
        "flax-metrics-class-recorded",
    ),
    Case(
        "MO008",
        "pass",
        {
            "train.py": "import torch\n\n\nclass Trainer:\n    def test(self, tp, fp, tn, fn):\n"
            "        acc = self._cal_metric(tp, fp, tn, fn)\n"
            "        with open('loss_log_test.txt', 'a') as fh:\n            fh.write(str(acc))\n\n"
            "    def _cal_metric(self, tp, fp, tn, fn):\n"
            "        return (tp + tn) / (tp + fp + tn + fn)\n\n\nmodel.train()\n",
        },
        "computes and records metrics",
        "own-metric-helper-recorded",
    ),
    # spaCy: `spacy train` in project.yml trains; its workflow is the pipeline, its vars the
    # configuration; a served spacy.load() pipeline is a model.
    Case("MO003", "pass", _SPACY_FILES, "project.yml's workflow 'all'", "spacy-project-workflow"),
    Case("MO001", "pass", _SPACY_FILES, "project.yml holds the project's variables", "spacy-vars"),
    Case(
        "MO007",
        "fail",
        _SPACY_FILES,
        "no seed",
        "spacy-project-trains-so-seeds-apply",
    ),
    # A config class that only declares values is a config file in Python syntax.
    Case(
        "MO001",
        "pass",
        {
            **s.PIPELINE,
            "src/config/model_config.py": "from typing import Literal\n\n\nclass Config:\n"
            '    """Training settings."""\n\n    seed: int = 42\n    lr: float = 0.01\n'
            '    model_type: Literal["gcn", "sage"] = "gcn"\n',
        },
        "holds parameter values only",
        "config-class-of-values",
    ),
    Case(
        "MO001",
        "partial",
        {
            **s.PIPELINE,
            "src/config/model_config.py": "import os\n\n\nclass Config:\n"
            "    lr: float = float(os.environ.get('LR', '0.01'))\n",
        },
        "settings only in code",
        "config-class-that-computes",
    ),
    # Azure Pipelines kept in .azure/pipelines/, Databricks jobs deployed and run from it.
    Case(
        "DE003",
        "pass",
        {
            **s.PIPELINE,
            ".azure/pipelines/cicd.yml": "trigger:\n  - main\nstages:\n- stage: CD\n  jobs:\n"
            "  - job: deploy\n    steps:\n    - script: dbx deploy\n"
            "    - script: dbx execute churn-train --task main\n",
        },
        "dbx",
        "azure-pipeline-runs-dbx",
    ),
    Case(
        "MO010",
        "pass",
        {**s.PIPELINE, "prospector.yaml": "strictness: medium\npylint:\n  run: true\n"},
        "prospector",
        "prospector-profile",
    ),
    # Hugging Face's model card template left as written is no account of the model's risks.
    Case(
        "SC005",
        "fail",
        {
            **s.PIPELINE,
            "models/adapter/README.md": "# Model Card\n\n## Bias, Risks, and Limitations\n\n"
            "<!-- This section is meant to convey both technical and sociotechnical limitations."
            " -->\n\n[More Information Needed]\n\n### Recommendations\n\n"
            "Users (both direct and downstream) should be made aware of the risks, biases and "
            "limitations of the model. More information needed for further recommendations.\n",
        },
        "",
        "hf-card-template-risks",
    ),
    # python:3-slim moves with every minor release; a devcontainer's 1-3.11 names Python 3.11.
    Case(
        "DE001",
        "partial",
        {
            **s.SERVING,
            "Dockerfile": "FROM python:3-slim\nCOPY . /app\nRUN pip install -r requirements.txt\n"
            'CMD ["uvicorn", "churn.serve:app"]\n',
        },
        "is not pinned to a version",
        "python-major-only-tag",
    ),
    Case(
        "DE001",
        "pass",
        {
            **s.SERVING,
            "Dockerfile": "FROM mcr.microsoft.com/devcontainers/python:1-3.11\nCOPY . /app\n"
            'RUN pip install -r requirements.txt\nCMD ["uvicorn", "churn.serve:app"]\n',
        },
        "pinned base",
        "devcontainer-python-minor-tag",
    ),
]

# Set M (twelfth round), scoping: troubleshooting headings, limits of a project's tooling,
# undated phases.
_README_PROBLEM = (
    "# Churn\n\n## Problem statement\n\nThe retention team needs to know which customers will "
    "leave next month so they can call them first.\n\n"
)
CASES += [
    Case(
        "SC001",
        "fail",
        {
            **s.PIPELINE,
            "README.md": "# Layout kit\n\n## Problems related to the `Quadrilateral` class\n\n"
            "Coordinates of rotated boxes can be negative when the page is cropped, so clip "
            "them before drawing the layout.\n",
        },
        "",
        "troubleshooting-problems-heading",
    ),
    Case(
        "SC005",
        "partial",
        {
            **s.PIPELINE,
            "README.md": _README_PROBLEM + "## Current limitations\n\n- No Docker registry: "
            "images are built locally.\n- No CI/CD: automated pipelines are out of scope for "
            "now.\n- Retraining is not transparent to the scheduler yet.\n",
        },
        "names no harm",
        "tooling-limitations-are-not-responsible-use",
    ),
    Case(
        "SC005",
        "pass",
        {
            **s.PIPELINE,
            "README.md": _README_PROBLEM + "## Limitations\n\nOut-of-scope uses: the score must "
            "not decide a customer's contract terms.\n",
        },
        "",
        "out-of-scope-use-is-responsible-use",
    ),
    Case(
        "SC007",
        "partial",
        {
            **s.PIPELINE,
            "README.md": _README_PROBLEM + "## Roadmap\n\n- Phase 1: data audit\n"
            "- Phase 2: baseline model\n- Phase 3: shadow deployment\n",
        },
        "lists steps without dates",
        "undated-phases",
    ),
    # MO004: a script that runs the notebooks to check they still run tests them.
    Case(
        "MO004",
        "pass",
        {
            **s.PIPELINE,
            "notebooks/walkthrough.ipynb": s.NOTEBOOK_TRAIN,
            "scripts/validate_notebooks.py": "import nbclient\n\n\ndef main(paths):\n"
            "    for path in paths:\n        nbclient.execute(path)\n",
        },
        "production code lives in modules",
        "notebook-validation-script-is-a-test",
    ),
    # DA006: a features.yaml created empty declares nothing.
    Case(
        "DA006",
        "fail",
        {**s.PIPELINE, "configs/features.yaml": ""},
        "no feature list",
        "empty-features-file",
    ),
    # DA003: a validation function naming its dataset; a pydantic field validator is not one.
    Case(
        "DA003",
        "pass",
        {
            **s.PIPELINE,
            "src/churn/checks.py": "def validate_criteo_schema(df):\n"
            "    missing = {'treatment', 'conversion'} - set(df.columns)\n"
            "    if missing:\n        raise ValueError(missing)\n    return df\n",
            "src/churn/prepare.py": "from churn.checks import validate_criteo_schema\n",
        },
        "validat",
        "named-dataset-schema-validation",
    ),
    Case(
        "DA003",
        "partial",
        {
            **s.PIPELINE,
            "src/churn/request.py": "from pydantic import BaseModel, field_validator\n\n\n"
            "class Request(BaseModel):\n    values: list[float]\n\n"
            "    @field_validator('values')\n"
            "    def validate_numeric_features(cls, values):\n"
            "        if len(values) != 51:\n            raise ValueError('51 values')\n"
            "        return values\n",
        },
        "no step validates the data itself",
        "pydantic-field-validator-is-not-data-validation",
    ),
]

# DE004: a scraper on aiohttp's ClientSession is no web app; an aiohttp.web server is one.
_SCRAPER = (
    "import asyncio\nimport aiohttp\n\n\nasync def fetch(url):\n"
    "    async with aiohttp.ClientSession() as session:\n"
    "        async with session.get(url) as response:\n            return await response.text()\n"
)
CASES += [
    Case(
        "DE004",
        "fail",
        {**s.PIPELINE, "scripts/fetch_matches.py": _SCRAPER},
        "no serving app and no batch prediction entry point",
        "aiohttp-scraper-is-no-web-app",
    ),
    Case(
        "DE004",
        "fail",
        {
            **s.PIPELINE,
            "app/server.py": "from aiohttp import web\n\n\nasync def health(request):\n"
            "    return web.json_response({'ok': True})\n\n\napp = web.Application()\n",
        },
        "the web app (app/server.py) serves no model",
        "aiohttp-server-is-a-web-app",
    ),
]

# The twelfth round's code review: each finding, reproduced as a case.
_GOOD_WORKFLOW = (
    "name: release\non:\n  push:\n    branches: [main]\njobs:\n  image:\n"
    "    runs-on: ubuntu-latest\n    steps:\n    - uses: actions/checkout@v4\n"
    "    - uses: docker/login-action@v3\n"
    "    - uses: docker/build-push-action@v5\n"
)
CASES += [
    Case(
        "MO003",
        "pass",
        {
            **_SPACY_FILES,
            "project.yml": _SPACY_PROJECT.replace(
                "    - convert\n    - train\n", "    - convert\n    - train\n    - 3\n"
            ),
        },
        "runs 2 steps in order",
        "spacy-workflow-ignores-non-string-steps",
    ),
    Case(
        "SC001",
        "pass",
        {
            **s.PIPELINE,
            "README.md": "# Claims\n\n## The problem with manual claim handling\n\n"
            "Customers wait two days for each claim because adjusters review every claim by "
            "hand; routing the simple ones automatically gets customers paid sooner.\n",
        },
        "describes the problem",
        "problem-with-heading-states-the-problem",
    ),
    Case(
        "DA005",
        "fail",
        {
            "notebooks/explore.ipynb": s.NOTEBOOK_TRAIN,
            "src/pkg/io.py": "import json\n\n\ndef save_report(report, path):\n"
            "    with open(path, 'w') as fh:\n        json.dump(report, fh)\n",
            "src/pkg/auth.py": "def read_token(name):\n"
            "    with open(f'/home/me/.pkg/{name}') as fh:\n        return fh.read()\n",
        },
        "only in notebooks",
        "writers-and-token-readers-load-no-data",
    ),
    Case(
        "DA003",
        "pass",
        {
            **s.PIPELINE,
            "src/churn/schema.py": "class TitanicSchema:\n    @classmethod\n"
            "    def validate_frame(cls, df):\n"
            "        if (df['age'] < 0).any():\n            raise ValueError('negative age')\n"
            "        return df\n",
            "src/churn/prepare.py": "from churn.schema import TitanicSchema\n",
        },
        "validation function",
        "classmethod-frame-validator-validates-data",
    ),
    Case(
        "DA003",
        "fail",
        {
            **s.PIPELINE,
            "src/churn/settings.py": "def validate_config_schema(cfg):\n"
            "    for key in ('lr', 'epochs'):\n        if key not in cfg:\n"
            "            raise KeyError(key)\n",
        },
        "no data validation",
        "config-schema-validator-is-not-data-validation",
    ),
    Case(
        "DE003",
        "pass",
        {
            **s.PIPELINE,
            ".github/workflows/release.yml": _GOOD_WORKFLOW
            + '      with: {context: ., push: true, tags: "ghcr.io/acme/app:latest"}\n',
        },
        "build-push-action",
        "push-in-a-flow-mapping",
    ),
    Case(
        "DE003",
        "pass",
        {
            **s.PIPELINE,
            ".github/workflows/release.yml": _GOOD_WORKFLOW
            + "      with:\n        context: .\n        outputs: type=registry\n",
        },
        "build-push-action",
        "push-through-registry-output",
    ),
    Case(
        "DE003",
        "fail",
        {
            **s.PIPELINE,
            ".github/workflows/onpush.yml": "on:\n  pull_request:\njobs:\n  test:\n"
            "    runs-on: ubuntu-latest\n    steps:\n    - run: pytest\n"
            "    - run: dbx execute --cluster-name=ci --job=sample-integration-test\n",
        },
        "CI never deploys",
        "dbx-execute-is-a-test-run",
    ),
    Case(
        "DE004",
        "pass",
        {
            **s.PIPELINE,
            "app/server.py": "import joblib\nfrom aiohttp import (\n    ClientSession,\n    web,\n)\n\n"
            "model = joblib.load('model.pkl')\n\n\nasync def predict(request):\n"
            "    rows = await request.json()\n"
            "    return web.json_response({'y': model.predict(rows).tolist()})\n\n\n"
            "app = web.Application()\napp.router.add_post('/predict', predict)\n",
        },
        "web service",
        "aiohttp-server-imported-in-parentheses",
    ),
    Case(
        "MO004",
        "fail",
        {
            **s.PIPELINE,
            "notebooks/score.ipynb": s.NOTEBOOK_TRAIN,
            "pipelines/run_latest_notebooks.py": "import papermill as pm\n\n"
            "pm.execute_notebook('notebooks/score.ipynb', 'out.ipynb')\n",
        },
        "production code executes notebooks",
        "latest-is-not-a-test",
    ),
    Case(
        "MO001",
        "partial",
        {
            **s.PIPELINE,
            "src/churn/config/schema.py": "from typing import TypedDict\n\n\n"
            "class TrainConfig(TypedDict):\n    lr: float\n    epochs: int\n",
        },
        "settings only in code",
        "typeddict-holds-no-values",
    ),
    Case(
        "DE002",
        "fail",
        {
            **s.PIPELINE,
            ".azure/ml/train-pipeline.yml": "type: pipeline\njobs:\n  train:\n"
            "    type: command\n    command: python train.py\n",
        },
        "no CI configuration",
        "azure-ml-job-spec-is-not-ci",
    ),
    Case(
        "DE001",
        "pass",
        {
            **s.SERVING,
            "Dockerfile": "FROM node:20-alpine AS ui\nRUN npm ci\n"
            "FROM python:3.11.9-slim\nCOPY . /app\nRUN pip install -r requirements.txt\n"
            'CMD ["uvicorn", "churn.serve:app"]\n',
        },
        "pinned base",
        "node-major-is-a-release-line",
    ),
    Case(
        "DA005",
        "pass",
        {
            "src/balloon.py": "import json\nimport os\n\n\ndef get_balloon_dicts(img_dir):\n"
            "    with open(os.path.join(img_dir, 'via_region_data.json')) as f:\n"
            "        return json.load(f)\n",
            "train.py": "from src.balloon import get_balloon_dicts\n\nmodel.train()\n",
        },
        "get_balloon_dicts",
        "detectron2-dataset-dicts",
    ),
    Case(
        "DA005",
        "partial",
        {
            "src/pkg/data/paths.py": "def data_path(name):\n    return f'data/{name}.csv'\n",
            "src/train.py": "from src.pkg.data.paths import data_path\n"
            + _INLINE_TRAIN.replace("'data/train.csv'", "data_path('train')"),
        },
        "data is loaded inline",
        "data-path-helper-prepares-nothing",
    ),
]

# ... and what the review's fixes must keep: a download saving what it fetches brings data
# in; torchvision's dataset classes load data.
CASES += [
    Case(
        "DA005",
        "pass",
        {
            "src/sample_utils/download.py": "import urllib.request\n\n\n"
            "def download_file(url, dest):\n    with urllib.request.urlopen(url) as r:\n"
            "        with open(dest, 'wb') as fh:\n            fh.write(r.read())\n",
            "train.py": "from src.sample_utils.download import download_file\n\n"
            "download_file(URL, 'data.zip')\nmodel.train()\n",
        },
        "(download_file), which reads the files itself",
        "download-saving-what-it-fetches",
    ),
    Case(
        "DA005",
        "pass",
        {
            "scripts/data_snapshot.py": "from torchvision import datasets\n\n\ndef main():\n"
            "    datasets.FashionMNIST('data', train=True, download=True)\n",
            "train.py": "model.train()\n",
        },
        "data is loaded by scripts/data_snapshot.py",
        "torchvision-dataset-download",
    ),
]

# Thirteenth round (held-out set N): each change with the case that shows it.
CASES += [
    # MO007: random_state=None asks for a fresh seed every run.
    Case(
        "MO007",
        "fail",
        {
            "src/tuning.py": "class Search:\n    def __init__(self, random_state=None):\n"
            "        self.random_state = None\n",
            "src/train.py": "from lightfm import LightFM\n\nLightFM().fit(interactions)\n",
        },
        "no seed",
        "random-state-none-is-no-seed",
    ),
    # MO004: nbconvert's executing preprocessor switched on in an exporter's config runs the
    # notebook; a library's notebook runner runs its examples.
    Case(
        "MO004",
        "fail",
        {
            "src/train.py": "from lightfm import LightFM\n\nLightFM().fit(interactions)\n",
            "src/report.py": "from nbconvert import HTMLExporter\n\nCONFIG = {\n"
            '    "ExecutePreprocessor": {"enabled": True},\n}\n',
            "notebook/report.ipynb": s.NOTEBOOK_TRAIN,
        },
        "executes notebooks",
        "nbconvert-execute-preprocessor-config",
    ),
    Case(
        "MO004",
        "pass",
        {
            "pyproject.toml": '[project]\nname = "recs"\nversion = "1.0"\n',
            "recs/__init__.py": "",
            "recs/models/als.py": "class ALS:\n    def fit(self, X):\n        self.w = X.mean()\n"
            "        return self\n",
            "recs/utils/notebook_utils.py": "from nbconvert.preprocessors import "
            "ExecutePreprocessor\n\n\ndef run(path):\n    ExecutePreprocessor(timeout=600)\n",
            "examples/als.ipynb": s.NOTEBOOK_TRAIN,
            "README.md": "# recs\n\n    pip install recs\n",
        },
        label="library-runs-its-example-notebooks",
    ),
    # SC002: steps written for maintainers name no owner.
    Case(
        "SC002",
        "fail",
        readme(
            "Build and publish (maintainers)",
            "Local build:\n\n    python -m build\n\nPublishing is automated via Trusted Publishing.",
        ),
        label="maintainers-instructions-heading",
    ),
    # MO001: Accelerate's and DeepSpeed's launch settings are not the model's configuration.
    Case(
        "MO001",
        "fail",
        {
            "config/accelerate_config_zero3.yaml": "num_processes: 2\nzero_stage: 3\n",
            "exp/exp001/train.py": "LR = 2e-5\nEPOCHS = 3\n\ntrainer.train()\n",
        },
        label="launcher-config-is-not-model-config",
    ),
    # DE007: a Locust load test drives the service from outside; a pipeline step kept in
    # scripts/ is the pipeline's own entry point.
    Case(
        "DE007",
        "fail",
        {
            "train.py": "model.fit(X, y)\n",
            "lambda_function.py": "def handler(event, context):\n    print(event)\n"
            "    return model.predict(event['x'])\n",
            "locustfile.py": "import logging\nlogging.info('a')\nlogging.info('b')\n"
            "logging.info('c')\n",
        },
        "no logging",
        "locustfile-is-no-production-logging",
    ),
    Case(
        "DE007",
        "fail",
        {
            "scripts/train.py": "def train():\n    print('epoch 1')\n    print('epoch 2')\n"
            "    model.fit(X, y)\n",
            "scripts/download_data.py": "import logging\n",
        },
        "no logging (scripts/train.py)",
        "pipeline-step-in-scripts-counts",
    ),
    # MO006: an ML library imported but declared nowhere (peft, tabulate) is unpinned.
    Case(
        "MO006",
        "partial",
        {
            "requirements.txt": "torch==2.3.1\ntransformers==4.44.0\n",
            "src/finetune.py": "import peft\nimport torch\nfrom tabulate import tabulate\n",
        },
        "no requirement declares: peft (src/finetune.py), tabulate (src/finetune.py)",
        "undeclared-ml-libraries",
    ),
    Case(
        "MO006",
        "pass",
        {
            "requirements.txt": "tensorflow==2.16.1\n",
            "src/train.py": "import keras\nimport tensorflow as tf\n",
        },
        "pinned exactly",
        "keras-comes-with-tensorflow",
    ),
    # SC003: a version number beside a metric word states no result.
    Case(
        "SC003",
        "fail",
        readme(
            "TensorRT",
            "* Test version: 8.5.1.7, 10.4.0.26\n* TensorRT 10.4.0.26 loses more accuracy than "
            "8.5.1.7, choose the version that suits you.",
        ),
        label="version-numbers-are-no-metric-values",
    ),
    # MO009: DVC outputs with cache: false keep only a hash.
    Case(
        "MO009",
        "partial",
        {
            "pipelines/stage-2-train.dvc": "cmd: papermill train.ipynb out.ipynb\nouts:\n"
            "- md5: 14ea4fe481c0b92deaada1a89f2c6928\n  path: ../models/model-rf.pkl\n"
            "  cache: false\n",
            "src/train.py": "import joblib\n\njoblib.dump(model.fit(X, y), 'models/model-rf.pkl')\n",
        },
        "cache: false",
        "dvc-uncached-model-outputs",
    ),
]

# MO003: a training program with its own loop, over a dataset module and a model module of
# their own (library modules, not other programs), runs a pipeline of steps.
_OWN_LOOP_STEPS = {
    "src/dataset.py": "import torch\n\n\nclass Sounds(torch.utils.data.Dataset):\n"
    "    def __getitem__(self, i):\n        return self.items[i]\n",
    "src/model.py": "from torch import nn\n\n\nclass Net(nn.Module):\n"
    "    def forward(self, x):\n        return self.fc(x)\n",
    "src/train.py": "import torch\nfrom sklearn.metrics import f1_score\n\n"
    "from dataset import Sounds\nfrom model import Net\n\n\ndef main():\n    net = Net()\n"
    "    net.train()\n    for epoch in range(10):\n        for x, y in Sounds():\n            loss = net(x)\n"
    "            loss.backward()\n            optimizer.step()\n    print(f1_score(y, net(x)))\n\n\n"
    'if __name__ == "__main__":\n    main()\n',
}
CASES += [
    Case("MO003", "pass", _OWN_LOOP_STEPS, "runs steps kept in modules", "own-loop-over-steps"),
    Case(
        "MO003",
        "partial",
        {
            **_OWN_LOOP_STEPS,
            "src/model.py": _OWN_LOOP_STEPS["src/model.py"]
            + '\n\nif __name__ == "__main__":\n    import argparse\n\n'
            "    argparse.ArgumentParser().parse_args()\n",
        },
        label="own-loop-over-another-program",
    ),
    Case(
        "MO003",
        "pass",
        {
            **_OWN_LOOP_STEPS,
            "src/model.py": _OWN_LOOP_STEPS["src/model.py"]
            + '\n\nif __name__ == "__main__":\n    print(Net())\n',
        },
        label="own-loop-over-a-model-module-with-a-self-check",
    ),
    Case(
        "MO003",
        "partial",
        {
            **{k: v for k, v in _OWN_LOOP_STEPS.items() if k != "src/model.py"},
            "src/losses.py": "from torch import nn\n\n\nclass FocalLoss(nn.Module):\n"
            "    def forward(self, x, y):\n        return (x - y).mean()\n",
            "src/train.py": _OWN_LOOP_STEPS["src/train.py"].replace(
                "from model import Net",
                "from losses import FocalLoss\nfrom torchvision.models import resnet18 as Net",
            ),
        },
        label="own-loop-over-a-loss-module",
    ),
]

# DE004: a chat bot answering its users with the model, and a dashboard whose callbacks call
# it, serve the model.
CASES += [
    Case(
        "DE004",
        "pass",
        {
            **s.PIPELINE,
            "bot/handlers.py": "import torch\nfrom aiogram import Router, types\n\nrouter = Router()\n"
            "model = torch.load('model/best.pth')\n\n\n@router.message()\n"
            "async def predict(message: types.Message):\n"
            "    await message.answer(str(model(message.photo)))\n",
        },
        "web service",
        "telegram-bot",
    ),
    Case(
        "DE004",
        "pass",
        {
            **s.PIPELINE,
            "app.py": "import joblib\nfrom dash import Dash, Input, Output, callback\n\n"
            "app = Dash(__name__)\nmodel = joblib.load('model.joblib')\n\n\n"
            "@callback(Output('g', 'figure'), Input('x', 'value'))\n"
            "def update(x):\n    return model.predict([[x]])\n",
        },
        "web service",
        "dash-app",
    ),
]

# A code review of the thirteenth round's rules: each finding, fixed, with its case.
_TRAINS = {"src/train.py": "from sklearn.linear_model import LogisticRegression\n\n"
           "model = LogisticRegression().fit(X, y)\n"}  # fmt: skip
CASES += [
    Case(
        "MO005",
        "pass",
        {
            "tests/test_a.py": "import unittest\nimport numpy as np\n\n\nclass T(unittest.TestCase):\n"
            "    def test_scale(self):\n        self.assertTrue(np.allclose(scale([1, 2]), [0, 1]))\n"
            "    def test_acc(self):\n        self.assertGreater(accuracy(model, X, y), 0.8)\n"
        },
        "2 meaningful",
        "assert-true-of-a-real-check",
    ),
    Case(
        "MO005",
        "pass",
        {
            "tests/test_a_api.py": "import requests\n\n\ndef test_health():\n"
            '    assert requests.get("http://localhost:8000/health").ok\n',
            "tests/test_b_model.py": "from pkg.features import double\n\n\ndef test_double():\n"
            "    assert double(2) == 4\n",
        },
        "meaningful",
        "live-tests-beside-real-ones",
    ),
    Case(
        "MO005",
        "partial",
        {
            f"tests/test_{i:02}.py": f"def test_runs_{i}():\n    assert run() is not None\n"
            for i in range(21)
        },
        "the 20 read hold 20 meaningful test(s) of 20, but they only check",
        "smoke-tests-past-the-reading-cap",
    ),
    Case(
        "MO005",
        "partial",
        {
            "tests/test_cli.py": "import subprocess\n\n\ndef test_train_runs():\n"
            "    out = subprocess.check_output(['python', '-m', 'pkg.train'])\n"
            "    assert out is not None\n"
        },
        "only check that something came out",
        "check-output-runs-a-command",
    ),
    Case(
        "SC003",
        "pass",
        readme("Model performance", "Accuracy: 0.91 (scikit-learn 1.3.2, 5-fold CV)."),
        label="a-version-beside-a-score",
    ),
    Case(
        "SC002",
        "pass",
        readme(
            "Contact (maintainers)", "- Jane Doe <jane@example.org>\n- Tom Becker <tom@example.org>"
        ),
        label="maintainers-in-parentheses-after-contact",
    ),
    Case(
        "MO009",
        "pass",
        {
            "models/model.dvc": "outs:\n- md5: 3c2a1e9f0b1d2e3f4a5b6c7d8e9f0a1b\n  path: model.pkl\n"
            "- md5: 4c2a1e9f0b1d2e3f4a5b6c7d8e9f0a1b\n  path: metrics.json\n  cache: false\n",
            **_TRAINS,
        },
        "DVC outputs",
        "dvc-cached-model-beside-uncached-metrics",
    ),
    Case(
        "MO009",
        "partial",
        {
            "dvc.yaml": "stages:\n  train:\n    cmd: python src/train.py\n    outs:\n"
            "      - models/model.pkl:\n          cache: false\n",
            **_TRAINS,
        },
        "cache: false",
        "dvc-yaml-uncached-model",
    ),
    Case(
        "MO004",
        "pass",
        {
            **s.PIPELINE,
            "src/churn/report.py": "# we used to run ExecutePreprocessor(timeout=600) here\nx = 1\n",
            "notebooks/eda.ipynb": s.NOTEBOOK_TRAIN,
        },
        label="execute-preprocessor-in-a-comment",
    ),
    Case(
        "MO004",
        "fail",
        {
            **s.PIPELINE,
            "src/churn/report.py": "c = get_config()\nc.ExecutePreprocessor.enabled = True\n",
            "notebooks/eda.ipynb": s.NOTEBOOK_TRAIN,
        },
        "executes notebooks",
        "execute-preprocessor-traitlets",
    ),
    Case(
        "MO006",
        "pass",
        {
            "requirements.txt": "pandas==2.1.1\nscikit-learn==1.3.2\n",
            "src/pkg/explain.py": "try:\n    import shap\nexcept ImportError:\n    shap = None\n",
            "app/gym/__init__.py": "",
            "app/run.py": "from gym import envs\n",
        },
        "pinned exactly",
        "optional-and-local-imports",
    ),
    Case(
        "MO008",
        "fail",
        {
            **_TRAINS,
            "src/simulate.py": "import random\nimport pandas as pd\n\n\ndef dice(sides=6):\n"
            "    return random.randint(1, sides)\n\n\ndef simulate(n):\n"
            "    rows = [{'roll': dice()} for _ in range(n)]\n"
            "    pd.DataFrame(rows).to_csv('data/simulation.csv')\n",
        },
        label="a-dice-roll-is-no-metric",
    ),
    Case(
        "MO001",
        "pass",
        {"configs/ds_config.yaml": "n_estimators: 200\nmax_depth: 8\n", **_TRAINS},
        label="a-dataset-config-named-ds-config",
    ),
    Case(
        "DE007",
        "fail",
        {
            "tools/train.py": "def train():\n    print('epoch 1')\n    model.fit(X, y)\n",
            "tools/fetch.py": "import logging\n",
        },
        "no logging (tools/train.py)",
        "pipeline-step-in-tools",
    ),
]

# MO003: a Python runner importing the project's step modules by name, in order.
CASES.append(
    Case(
        "MO003",
        "pass",
        {
            "src/prepare_data.py": "import pandas as pd\n\n\ndef main():\n"
            "    df = pd.read_csv('data/raw.csv')\n    df.dropna().to_csv('data/clean.csv')\n",
            "src/train_model.py": "import joblib\nimport pandas as pd\n"
            "from sklearn.ensemble import RandomForestClassifier\n\n\ndef main():\n"
            "    df = pd.read_csv('data/clean.csv')\n"
            "    model = RandomForestClassifier().fit(df.drop(columns='y'), df.y)\n"
            "    joblib.dump(model, 'models/rf.joblib')\n",
            "src/evaluate_models.py": "import joblib\nimport pandas as pd\n"
            "from sklearn.metrics import f1_score\n\n\ndef main():\n"
            "    df = pd.read_csv('data/clean.csv')\n    model = joblib.load('models/rf.joblib')\n"
            "    print(f1_score(df.y, model.predict(df.drop(columns='y'))))\n",
            "src/pipeline.py": "import importlib\n\nSTEPS = ['prepare_data', 'train_model', "
            "'evaluate_models']\n\n\ndef main():\n    for name in STEPS:\n"
            "        importlib.import_module(name).main()\n\n\n"
            'if __name__ == "__main__":\n    main()\n',
        },
        "imports and runs them in order",
        "importlib-runner",
    )
)

# DE004: a script drawing the model's predictions for a figure is no way to use the model.
CASES.append(
    Case(
        "DE004",
        "fail",
        {
            **s.PIPELINE,
            "scripts/visualize_predictions.py": "import matplotlib.pyplot as plt\nimport torch\n\n"
            "model = torch.load('best.pth')\nfor x in loader:\n    plt.imshow(model(x))\n"
            "    plt.savefig('figures/pred.png')\n",
        },
        "no serving app",
        "figure-script-is-no-batch-prediction",
    )
)

# DA006: one feature list written out again in training and serving is not one place.
CASES.append(
    Case(
        "DA006",
        "partial",
        {
            **s.PIPELINE,
            "src/churn/train_nn.py": "FEATURE_COLS = ['age', 'income', 'tenure']\n\n\n"
            "def train(df):\n    return model.fit(df[FEATURE_COLS], df.y)\n",
            "src/churn/serve_nn.py": "FEATURE_COLS = ['age', 'income', 'tenure']\n\n\n"
            "def predict(row):\n    return model.predict([[row[c] for c in FEATURE_COLS]])\n",
        },
        "declared as FEATURE_COLS in 2 modules",
        "feature-list-redeclared",
    )
)

# SC006: "docker run" and "docker compose up" on one's own machine are a way to try the service,
# not where it lives; a container shipped to a cloud still is.
CASES += [
    Case(
        "SC006",
        "partial",
        readme(
            "Deployment with Docker",
            "Build the image and start the REST API:\n\n```\ndocker build -t churn .\n"
            "docker run -p 8000:8000 churn\n```\n\nThen POST a customer to /predict.",
        ),
        "running locally (docker run)",
        "docker-run-is-local",
    ),
    Case(
        "SC006",
        "pass",
        readme(
            "Deployment with Docker",
            "The REST API image is pushed to ECR and runs on AWS ECS behind a load balancer; "
            "try it first with `docker run -p 8000:8000 churn` and POST a customer to /predict.",
        ),
        label="docker-image-shipped-to-a-cloud",
    ),
]

# MO003: a training script run top to bottom (no __main__ block) that loads the data through
# one module, builds the model in another and trains and evaluates through a third chains
# steps; the same script holding its own loop and its own test() is one large script.
_ENGINE = (
    "import torch\n\n\ndef train_step(model, dl, opt):\n    model.train()\n    for x, y in dl:\n"
    "        loss = torch.nn.functional.cross_entropy(model(x), y)\n        opt.zero_grad()\n"
    "        loss.backward()\n        opt.step()\n\n\ndef test_step(model, dl):\n"
    '    """Tests a model for one epoch.\n\n    Returns the loss.\n    """\n'
    "    model.eval()\n    with torch.inference_mode():\n"
    "        return sum(float(model(x).mean()) for x, _ in dl)\n\n\n"
    "def train(model, train_dl, test_dl, opt, epochs):\n    for _ in range(epochs):\n"
    "        train_step(model, train_dl, opt)\n        test_step(model, test_dl)\n"
)
CASES += [
    Case(
        "MO003",
        "pass",
        {
            "modular/data_setup.py": "from torch.utils.data import DataLoader\n"
            "from torchvision import datasets\n\n\ndef create_dataloaders(train_dir, test_dir, t):\n"
            "    train = datasets.ImageFolder(train_dir, transform=t)\n"
            "    test = datasets.ImageFolder(test_dir, transform=t)\n"
            "    return DataLoader(train, batch_size=32), DataLoader(test, batch_size=32)\n",
            "modular/model_builder.py": "from torch import nn\n\n\nclass TinyVGG(nn.Module):\n"
            "    def __init__(self):\n        super().__init__()\n"
            "        self.fc = nn.Linear(4, 2)\n\n    def forward(self, x):\n"
            "        return self.fc(x)\n",
            "modular/engine.py": _ENGINE,
            "modular/train.py": "import torch\nimport data_setup, engine, model_builder\n\n"
            "train_dl, test_dl = data_setup.create_dataloaders('data/train', 'data/test', None)\n"
            "model = model_builder.TinyVGG()\n"
            "opt = torch.optim.Adam(model.parameters(), lr=0.001)\n"
            "engine.train(model, train_dl, test_dl, opt, epochs=5)\n"
            "torch.save(model.state_dict(), 'models/tinyvgg.pth')\n",
        },
        "runs steps kept in modules of their own",
        "module-level-train-script-over-step-modules",
    ),
    Case(
        "MO003",
        "fail",
        {
            "models/densenet.py": "from torch import nn\n\n\nclass DenseNet(nn.Module):\n"
            "    def forward(self, x):\n        return x\n",
            "utils.py": "import torch\n\n\ndef get_mean_and_std(dataset):\n"
            "    loader = torch.utils.data.DataLoader(dataset, batch_size=1)\n"
            "    return [x.mean() for x, _ in loader]\n",
            "main.py": "import torch\nimport torchvision\nfrom models.densenet import DenseNet\n"
            "from utils import get_mean_and_std\n\n"
            "trainset = torchvision.datasets.CIFAR10(root='./data', train=True, download=True)\n"
            "loader = torch.utils.data.DataLoader(trainset, batch_size=128)\n"
            "net = DenseNet()\nopt = torch.optim.SGD(net.parameters(), lr=0.1)\n\n\n"
            "def train(epoch):\n    net.train()\n    for x, y in loader:\n"
            "        loss = torch.nn.functional.cross_entropy(net(x), y)\n"
            "        loss.backward()\n        opt.step()\n\n\n"
            "def test(epoch):\n    net.eval()\n    with torch.no_grad():\n"
            "        return [net(x) for x, _ in loader]\n\n\n"
            "for epoch in range(200):\n    train(epoch)\n    test(epoch)\n",
        },
        "does it all",
        "module-level-script-with-its-own-loop-and-test",
    ),
]


def _one_cell_notebook(*lines: str) -> str:
    """A notebook of one code cell, written as Jupyter writes it (JSON, one line a line)."""
    cell = {
        "cell_type": "code",
        "metadata": {},
        "outputs": [],
        "source": [f"{ln}\n" for ln in lines],
    }
    return json.dumps(
        {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1
    )


# DE008: a key passed as a literal in a notebook's code is committed like one in a module, in
# double quotes too (escaped in the notebook's JSON); "yourkey" and "enter-key-here" are slots.
CASES += [
    Case(
        "DE008",
        "fail",
        {
            **s.PIPELINE,
            "notebooks/scrape.ipynb": _one_cell_notebook(
                "from firecrawl import FirecrawlApp",
                'app = FirecrawlApp(api_key="fc-a32d9b7e41c05f68a2d7e9b3c4f1a6d8")',
            ),
        },
        "api_key hard-coded in source fc-a",
        "api-key-literal-in-a-notebook",
    ),
    Case(
        "DE008",
        "pass",
        {
            **s.PIPELINE,
            "notebooks/tutorial.ipynb": _one_cell_notebook(
                "import os",
                'os.environ["WANDB_API_KEY"] = "yourkey"',
                'openai_api_key = "enter-key-here"',
            ),
        },
        label="key-slots-in-a-notebook",
    ),
]

# MO010: a lint step whose failure the shell swallows (`flake8 . || true`) cannot fail the build.
_CI_LINT = (
    "name: ci\non: [push]\njobs:\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n"
    "      - uses: actions/checkout@v4\n      - name: Lint with flake8\n        run: |\n"
    "          pip install flake8\n          flake8 .{tail}\n"
)
CASES += [
    Case(
        "MO010",
        "partial",
        {**s.PIPELINE, ".github/workflows/ci.yml": _CI_LINT.format(tail=" || true")},
        "|| true",
        "lint-failure-swallowed",
    ),
    Case(
        "MO010",
        "pass",
        {**s.PIPELINE, ".github/workflows/ci.yml": _CI_LINT.format(tail="")},
        "runs flake8",
        "lint-that-fails-the-build",
    ),
]

# DA002: shapefiles are data; a recogniser's weights in a model folder are committed weights
# whatever format the library saves them in (OpenCV's LBPH model is YAML).
CASES += [
    Case(
        "DA002",
        "fail",
        {**s.PIPELINE, "gis/habitats.shp": b"\0" * (2 << 20)},
        "habitats.shp",
        "shapefile-committed",
    ),
    Case(
        "DA002",
        "fail",
        {
            **s.PIPELINE,
            "model/face_trained_model.yml": "opencv_lbphfaces:\n" + "  - 1.0\n" * 300_000,
        },
        "face_trained_model.yml",
        "yaml-weights-in-a-model-folder",
    ),
    Case(
        "DA002",
        "pass",
        {
            **s.PIPELINE,
            "models/README.md": "# Models\n\n" + "Trained weights live in S3.\n" * 50_000,
            "models/figures/architecture.png": b"\x89PNG\r\n" + b"\0" * (2 << 20),
            "lib/model/nms/cpu_nms.c": "/* generated by Cython */\n" + "int x;\n" * 300_000,
        },
        label="documents-figures-and-sources-in-a-model-folder",
    ),
]

# SC007: "may" dates nothing ("results may vary"); an undated list of future work is the start
# of a plan (partial), where no such section at all fails.
CASES += [
    Case(
        "SC007",
        "partial",
        readme(
            "Project plan",
            "Baselines first; the student may be smaller than the teacher, and results may "
            "vary with the teacher's architecture. Ablations follow the error analysis.",
        ),
        "without dates",
        "may-is-no-month",
    ),
    Case(
        "SC007",
        "partial",
        readme("Future work", "- a drift-triggered retraining job\n- SHAP reports\n- a mobile app"),
        "only a general section ('Future work')",
        "undated-future-work",
    ),
    Case(
        "SC007",
        "pass",
        readme("Milestones", "- 5 May 2026: baseline\n- June 2026: shadow mode\n- Q3 2026: launch"),
        label="dated-milestones",
    ),
]

# DE004: an inference script that says it loads no weights yet predicts with an untrained model.
_SCAFFOLD = (
    "import argparse\nimport json\n\nfrom PIL import Image\n\nfrom churn.model import Net\n\n\n"
    "def main():\n    args = argparse.ArgumentParser().parse_args()\n    model = Net()\n"
    "{load}    logits = model(Image.open(args.image))\n{out}\n\n"
    "if __name__ == '__main__':\n    main()\n"
)
CASES.append(
    Case(
        "DE004",
        "fail",
        {
            **s.PIPELINE,
            "src/churn/inference.py": _SCAFFOLD.format(
                load="    # TODO: Load actual trained weights once checkpoints are available.\n"
                "    print('Checkpoint loading is not implemented yet')\n",
                out="    json.dump({'prediction': int(logits.argmax())}, open('out.json', 'w'))\n",
            ),
        },
        "no serving app",
        "inference-scaffold-loading-no-weights",
    )
)
# ...while a script that loads its model and has a TODO about where to load it from predicts.
CASES.append(
    Case(
        "DE004",
        "pass",
        {
            **s.PIPELINE,
            "src/churn/inference.py": _SCAFFOLD.format(
                load="    # TODO: load the model from the MLflow registry instead of this file\n"
                "    model.load_state_dict(torch.load('models/net.pt'))\n",
                out="    print({'prediction': int(logits.argmax())})\n",
            ),
        },
        "batch prediction",
        "todo-about-where-to-load-from",
    )
)

# DE005: serving that shares a module with training but says it mirrors training's feature
# code is a copy kept in step by hand.
CASES.append(
    Case(
        "DE005",
        "partial",
        {
            **s.PIPELINE,
            "src/churn/serve.py": s.SERVE.replace(
                "\n",
                '\n"""Feature assembly here mirrors the logic in src/churn/preprocessing.py."""\n',
                1,
            ),
        },
        "says it copies training's steps",
        "serving-says-it-mirrors-training",
    )
)

# DE001: installing a library from git puts none of the project in the image; a compose
# service mounting the project folder into the image it builds does.
_ENV_IMAGE = (
    "FROM python:3.11-slim\nRUN pip install git+https://github.com/online-ml/river --upgrade\n"
    "RUN pip install kafka-python==2.0.2\n"
)
CASES += [
    Case(
        "DE001",
        "partial",
        {**s.PIPELINE, "src/churn/serve.py": s.SERVE, "Dockerfile": _ENV_IMAGE},
        "copies none of the project's files",
        "library-installed-from-git",
    ),
    Case(
        "DE001",
        "pass",
        {
            **s.PIPELINE,
            "src/churn/serve.py": s.SERVE,
            "Dockerfile": _ENV_IMAGE,
            "docker-compose.yml": "services:\n  app:\n    build: .\n    volumes:\n"
            "      - $PWD:/root/workspace\n    command: python -m churn.serve\n",
        },
        "builds on a pinned base",
        "compose-mounts-the-project",
    ),
]

# SC006: a table of contents lists headings ("REST API") and says nothing of the deployment;
# advice "for production, set ..." is not a deployment beyond one's machine.
CASES += [
    Case(
        "SC006",
        "fail",
        {
            "README.md": "# Iris predictor\n\n## Table of Contents\n\nFeatures\nSetup\nREST API\n"
            "Tests\n\n## Setup\n\nInstall the requirements and train the model.\n"
        },
        "no document",
        "table-of-contents-is-no-section",
    ),
    Case(
        "SC006",
        "partial",
        readme(
            "Serving",
            "Start it with `python manage.py runserver` and POST a flower to "
            "http://127.0.0.1:8000/api/predict/. For production, move the secret key to an "
            "environment variable.",
        ),
        "running locally",
        "for-production-advice-is-local",
    ),
]

# Quarto and R Markdown reports are prose: their sections count for the scoping checks.
CASES.append(
    Case(
        "SC003",
        "pass",
        {
            **s.PIPELINE,
            "report/index.qmd": "---\ntitle: Predicting match outcomes\nformat: html\n---\n\n"
            "## Performance metrics\n\nAccuracy on the held-out season is 47.5%, against 44% for "
            "always predicting a home win.\n\n```{python}\nimport pandas as pd\n```\n",
        },
        "Performance metrics",
        "quarto-report-states-metrics",
    )
)

# DE008: a lock file's package names ("registry-auth-token") are no settings; a password in a
# registry URL inside one still is a secret.
CASES += [
    Case(
        "DE008",
        "pass",
        {
            **s.PIPELINE,
            "frontend/package-lock.json": '{\n  "packages": {\n    "node_modules/package-json": {\n'
            '      "dependencies": {\n        "registry-auth-token": "^3.0.1",\n'
            '        "registry-url": "^3.0.3"\n      }\n    }\n  }\n}\n',
        },
        label="package-names-in-a-lock-file",
    ),
    Case(
        "DE008",
        "fail",
        {
            **s.PIPELINE,
            "frontend/package-lock.json": '{\n  "packages": {\n    "node_modules/x": {\n'
            '      "resolved": "https://deploy:Zq8vT3kLm29Xw@npm.example-corp.io/x/-/x-1.0.0.tgz"\n'
            "    }\n  }\n}\n",
        },
        "password in URL",
        "registry-password-in-a-lock-file",
    ),
]

# DA006: a module-level NUM_COLS / CAT_COLS list declares the features as FEATURES does.
CASES.append(
    Case(
        "DA006",
        "pass",
        {
            **s.PIPELINE,
            "src/churn/columns.py": "NUM_COLS = ['age', 'income', 'tenure']\n"
            "CAT_COLS = ['plan', 'region']\n",
            "src/churn/prepare.py": "from churn.columns import CAT_COLS, NUM_COLS\n\n\n"
            "def select(df):\n    return df[NUM_COLS + CAT_COLS]\n",
        },
        "NUM_COLS",
        "num-cols-constant",
    )
)

# DE001: the project cloned over ssh with options before the URL is the project; a mount in
# another compose service (a notebook server) puts nothing in this image.
CASES += [
    Case(
        "DE001",
        "pass",
        {
            **s.PIPELINE,
            "src/churn/serve.py": s.SERVE,
            "pyproject.toml": '[project]\nname = "churn"\nversion = "0.1.0"\n',
            "Dockerfile": "FROM python:3.11-slim\nRUN git clone --depth 1 -b main \\\n"
            "    git@github.com:acme/churn.git /app && pip install /app\n",
        },
        "builds on a pinned base",
        "project-cloned-over-ssh",
    ),
    Case(
        "DE001",
        "partial",
        {
            **s.PIPELINE,
            "src/churn/serve.py": s.SERVE,
            "Dockerfile": "FROM python:3.11-slim\nRUN pip install mlflow==2.9.2 boto3==1.34.0\n",
            "docker-compose.yml": "services:\n  mlflow:\n    build: .\n"
            "  notebook:\n    image: jupyter/scipy-notebook:2024-01-15\n    volumes:\n"
            "      - .:/home/jovyan/work\n",
        },
        "copies none of the project's files",
        "mount-in-another-service",
    ),
]

# MO003: a trainer module holding only a class runs nothing: it is no program chaining steps
# (a notebook drives it); an evaluation step named val_step, with a comment on its line, counts.
_TILES = (
    "import torch\nfrom torch.utils.data import Dataset\n\n\nclass Tiles(Dataset):\n"
    "    def __init__(self, root):\n        self.items = sorted(__import__('os').listdir(root))\n\n"
    "    def __len__(self):\n        return len(self.items)\n\n"
    "    def __getitem__(self, i):\n        return torch.load(self.items[i])\n"
)
_NET = (
    "from torch import nn\n\n\nclass Net(nn.Module):\n    def __init__(self):\n"
    "        super().__init__()\n        self.fc = nn.Linear(4, 2)\n\n"
    "    def forward(self, x):\n        return self.fc(x)\n"
)
CASES += [
    Case(
        "MO003",
        "partial",
        {
            "src/pkg/__init__.py": "",
            "src/pkg/dataset.py": _TILES,
            "src/pkg/model.py": _NET,
            "src/pkg/trainer.py": "import torch\nfrom torch.utils.data import DataLoader\n"
            "from sklearn.metrics import accuracy_score\n\nfrom pkg.dataset import Tiles\n"
            "from pkg.model import Net\n\n\nclass Trainer:\n    def __init__(self, root='data'):\n"
            "        self.loader = DataLoader(Tiles(root), batch_size=8)\n"
            "        self.model = Net()\n"
            "        self.opt = torch.optim.Adam(self.model.parameters())\n\n"
            "    def fit(self, epochs):\n        self.model.train()\n        for _ in range(epochs):\n"
            "            for x, y in self.loader:\n"
            "                loss = torch.nn.functional.cross_entropy(self.model(x), y)\n"
            "                loss.backward()\n                self.opt.step()\n"
            "        preds = [self.model(x).argmax(1) for x, _ in self.loader]\n"
            "        return accuracy_score([y for _, y in self.loader], preds)\n",
            "notebooks/run.ipynb": _one_cell_notebook(
                "from pkg.trainer import Trainer", "Trainer().fit(3)"
            ),
        },
        "only some steps",
        "trainer-class-module-is-no-program",
    ),
    Case(
        "MO003",
        "pass",
        {
            "modular/data_setup.py": "from torch.utils.data import DataLoader\n"
            "from torchvision import datasets\n\n\ndef create_dataloaders(train_dir, test_dir):\n"
            "    return (DataLoader(datasets.ImageFolder(train_dir)),\n"
            "            DataLoader(datasets.ImageFolder(test_dir)))\n",
            "modular/model_builder.py": _NET,
            "modular/engine.py": _ENGINE.replace(
                "def test_step(model, dl):\n", "def val_step(model, dl):  # held-out split\n"
            ).replace("test_step(model, test_dl)", "val_step(model, test_dl)"),
            "modular/train.py": "import torch\nimport data_setup, engine, model_builder\n\n"
            "train_dl, test_dl = data_setup.create_dataloaders('data/train', 'data/test')\n"
            "model = model_builder.Net()\n"
            "opt = torch.optim.Adam(model.parameters(), lr=0.001)\n"
            "engine.train(model, train_dl, test_dl, opt, epochs=5)\n",
        },
        "runs steps kept in modules of their own",
        "val-step-with-a-comment",
    ),
]

# DE005: "keep in sync" about a front end, or a shared module saying it is the same as
# training, admits no copy of training's steps.
CASES.append(
    Case(
        "DE005",
        "pass",
        {
            **s.PIPELINE,
            "src/churn/serve.py": "# keep in sync with frontend/src/api/types.ts\n" + s.SERVE,
        },
        "both import",
        "keep-in-sync-with-the-front-end",
    )
)

# SC006 (review): a server on premises is beyond one's machine; Flask's warning "do not use it
# in a production deployment" is not a production; a "Contents" section of sentences is prose,
# a "Table of Content" of short lines is not.
CASES += [
    Case(
        "SC006",
        "pass",
        readme(
            "Deployment",
            "The REST API runs in a Docker container on the factory's on-premise GPU server, "
            "where the line's cameras post every frame to /predict. Start it with:\n\n```\n"
            "docker run --gpus all -p 8000:8000 defects\n```",
        ),
        "describes the deployment scenario",
        "on-premise-server",
    ),
    Case(
        "SC006",
        "partial",
        readme(
            "Deployment",
            "Start the server with `flask run` and open http://localhost:5000 to POST to "
            "/predict.\n\nThis is a development server: do not use it in a production deployment.",
        ),
        "running locally",
        "flask-warning-is-no-production",
    ),
    Case(
        "SC006",
        "pass",
        {
            "README.md": "# Lead scoring\n\n## Contents\n\n- `src/`: the training pipeline (data, "
            "features, training, evaluation)\n- `api/`: the REST API deployed on Cloud Run, "
            "called by the CRM for each new lead\n- `notebooks/`: exploration\n"
        },
        "Contents",
        "contents-section-of-sentences",
    ),
    Case(
        "SC006",
        "fail",
        {
            "README.md": "# Iris predictor\n\n## Table of Content\n\n- Features\n- Setup\n"
            "- REST API\n- Tests\n\n## Setup\n\nInstall the requirements and train the model.\n"
        },
        "no document",
        "table-of-content-singular",
    ),
]

# SC007 (review): "Phase 2 may add" dates nothing; "- May: baseline" and "by the end of May"
# do; a heading "Pretrained weights (coming soon)" is no plan.
CASES += [
    Case(
        "SC007",
        "partial",
        readme("Project plan", "Phase 1 builds the baseline. Phase 2 may add SHAP reports."),
        "without dates",
        "phase-2-may-is-no-date",
    ),
    Case(
        "SC007",
        "pass",
        readme("Milestones", "- May: baseline\n- a shadow launch by the end of May"),
        label="may-colon-is-a-date",
    ),
    Case(
        "SC007",
        "fail",
        readme("Pretrained weights (coming soon)", "We will publish the weights on the Hub."),
        "no document",
        "coming-soon-weights-is-no-plan",
    ),
]

# DE008 (review): a markdown cell quoting an example key and an output printing a data row are
# not the notebook's code; "add-your-key-here" and "sk-xxxxxxxx..." are slots.
CASES.append(
    Case(
        "DE008",
        "pass",
        {
            **s.PIPELINE,
            "notebooks/chat.ipynb": json.dumps(
                {
                    "cells": [
                        {
                            "cell_type": "markdown",
                            "metadata": {},
                            "source": [
                                'Create the client with `api_key="fc-a32d9b7e41c05f68a2d7"`\n'
                            ],
                        },
                        {
                            "cell_type": "code",
                            "metadata": {},
                            "execution_count": 1,
                            "source": [
                                'api_key = "add-your-key-here"\n',
                                'openai_key = "sk-xxxxxxxxxxxxxxxxxxxx"\n',
                                "rows[0]\n",
                            ],
                            "outputs": [
                                {
                                    "output_type": "execute_result",
                                    "data": {"text/plain": ["{'password': 'qwerty123'}"]},
                                    "metadata": {},
                                    "execution_count": 1,
                                }
                            ],
                        },
                    ],
                    "metadata": {},
                    "nbformat": 4,
                    "nbformat_minor": 5,
                },
                indent=1,
            ),
        },
        label="examples-and-outputs-in-a-notebook",
    )
)

# MO010 (review): `|| echo "..."` swallows the failure too; a `|| true` belonging to a command
# before the linter (test -f .flake8 || true; flake8 .) does not.
CASES += [
    Case(
        "MO010",
        "partial",
        {**s.PIPELINE, ".github/workflows/ci.yml": _CI_LINT.format(tail=" || echo 'lint failed'")},
        "|| true",
        "lint-failure-echoed",
    ),
    Case(
        "MO010",
        "pass",
        {
            **s.PIPELINE,
            ".github/workflows/ci.yml": _CI_LINT.replace(
                "          flake8 .{tail}\n", "          test -f .flake8 || true; flake8 .\n"
            ),
        },
        "runs flake8",
        "lenient-setup-before-a-strict-lint",
    ),
]

# DA006: serving's config declares SOIL_COLS while training's preprocessing writes soil_cols
# out again inside a function: two copies kept in step by hand.
CASES.append(
    Case(
        "DA006",
        "partial",
        {
            **s.PIPELINE,
            "backend/app/config.py": "SOIL_COLS = ['ph', 'nitrogen', 'clay']  # must match\n",
            "backend/app/inference.py": "from app import config\n\n\ndef row(df):\n"
            "    return df[config.SOIL_COLS].values\n",
            "src/churn/preprocessing.py": "def soil(df):\n    soil_cols = ['ph', 'nitrogen', 'clay']\n"
            "    return df[soil_cols].values\n",
        },
        "declared as SOIL_COLS in 2 modules",
        "constant-rewritten-as-a-local",
    )
)

# Second review of the round: what the narrowed rules must still get right.
CASES += [
    Case(
        "DA006",
        "pass",
        {
            **s.PIPELINE,
            "src/churn/columns.py": "FEATURES = ['tenure', 'plan', 'charges']\n",
            "src/churn/extract.py": "from churn.columns import FEATURES\n\n\ndef extract(rows):\n"
            "    features = []\n    for r in rows:\n        features.append([r[c] for c in FEATURES])\n"
            "    return features\n",
        },
        "FEATURES",
        "an-accumulator-is-no-second-list",
    ),
    Case(
        "DE008",
        "fail",
        {
            **s.PIPELINE,
            "app/db.py": "import psycopg2\n\n"
            "conn = psycopg2.connect(host='db.prod.acme.com', password='12345678')\n",
        },
        "password hard-coded",
        "weak-password-is-a-password",
    ),
    Case(
        "DE008",
        "fail",
        {
            **s.PIPELINE,
            "notebooks/chat.ipynb": '{"cells": [{"cell_type": "code", "source": ['
            '"openai_api_key = \\"Zq8vT3kLm29XwPb7Rd4Ts6Nc\\"\\n"]}',  # truncated JSON
        },
        "openai_api_key hard-coded",
        "truncated-notebook-searched-whole",
    ),
    Case(
        "SC006",
        "pass",
        readme(
            "Deployment",
            "Locally: `docker run -p 8000:8000 churn`. For production, the image is deployed to "
            "AWS ECS behind a load balancer and called by the CRM nightly.",
        ),
        "describes the deployment scenario",
        "for-production-then-where-it-runs",
    ),
    Case(
        "DE004",
        "fail",
        {
            **s.PIPELINE,
            "src/churn/inference.py": _SCAFFOLD.format(
                load="    # TODO: load weights\n",
                out="    json.dump({'prediction': int(logits.argmax())}, open('out.json', 'w'))\n",
            ),
        },
        "no serving app",
        "todo-load-weights",
    ),
    Case(
        "DE001",
        "partial",
        {
            **s.PIPELINE,
            "src/churn/serve.py": s.SERVE,
            "Dockerfile": "# We COPY nothing; no git clone\nFROM python:3.11-slim\n"
            "RUN pip install mlflow==2.9.2\n",
        },
        "copies none of the project's files",
        "no-git-clone-in-a-comment",
    ),
    Case(
        "MO010",
        "pass",
        {**s.PIPELINE, ".github/workflows/ci.yml": _CI_LINT.format(tail=" && true")},
        "runs flake8",
        "lint-and-true-still-fails",
    ),
    Case(
        "SC007",
        "partial",
        readme("Roadmap", "- Phase 2 may - depending on funding - add a drift monitor"),
        "without dates",
        "may-dash-is-no-date",
    ),
    Case(
        "SC006",
        "fail",
        {
            "README.md": "# Iris predictor\n\n## Table of Contents\n\n- [Setup](#setup)\n"
            "- [How the trained model is served as a REST API in production](#serving)\n"
            "- [Tests](#tests)\n\n## Setup\n\nInstall the requirements and train the model.\n"
        },
        "no document",
        "table-of-contents-with-a-long-entry",
    ),
]

# MO010: a lint step allowed to fail (GitHub's continue-on-error, GitLab's allow_failure)
# cannot fail the build; the same setting on another step or job changes nothing.
CASES += [
    Case(
        "MO010",
        "partial",
        {
            **s.PIPELINE,
            ".github/workflows/ci.yml": _CI_LINT.replace(
                "      - name: Lint with flake8\n",
                "      - name: Lint with flake8\n        continue-on-error: true\n",
            ).format(tail=""),
        },
        "continue-on-error",
        "lint-step-continues-on-error",
    ),
    Case(
        "MO010",
        "partial",
        {
            **s.PIPELINE,
            ".gitlab-ci.yml": "lint:\n  image: python:3.11\n  allow_failure: true\n  script:\n"
            "    - pip install flake8\n    - flake8 .\n",
        },
        "cannot fail the build",
        "gitlab-lint-job-allowed-to-fail",
    ),
    Case(
        "MO010",
        "pass",
        {
            **s.PIPELINE,
            ".gitlab-ci.yml": "docs:\n  allow_failure: true\n  script:\n    - make docs\n\n"
            "lint:\n  image: python:3.11\n  script:\n    - pip install flake8\n    - flake8 .\n",
        },
        "runs flake8",
        "another-job-allowed-to-fail",
    ),
]


# Fifteenth round (held-out set P).
# MO007: a seed only in a side tool (a download script) that training neither runs nor imports
# does not make training repeatable; a seeded split step, or a driver that seeds then trains,
# does.
_SENTENCE_TRAINING = {
    "src/train.py": "import numpy as np\nfrom sklearn.linear_model import LogisticRegression\n\n"
    "def main(X, y):\n    order = np.random.permutation(len(y))\n"
    "    return LogisticRegression().fit(X[order], y[order])\n",
}
CASES += [
    Case(
        "MO007",
        "partial",
        {
            **_SENTENCE_TRAINING,
            "scripts/download_fasttext.py": "import numpy as np\n\nnp.random.seed(42)\n"
            "vectors = np.random.rand(10, 300)\nnp.save('emb.npy', vectors)\n",
        },
        "neither runs nor imports",
        "seed-only-in-a-download-script",
    ),
    Case(
        "MO007",
        "pass",
        {
            **_SENTENCE_TRAINING,
            "scripts/split_dataset.py": "import pandas as pd\nfrom sklearn.model_selection import "
            "train_test_split\n\ndf = pd.read_csv('all.csv')\n"
            "train, test = train_test_split(df, random_state=42)\n",
        },
        "seed set in scripts/split_dataset.py",
        "seeded-split-step",
    ),
    Case(
        "MO007",
        "pass",
        {
            **_SENTENCE_TRAINING,
            "run.py": "import numpy as np\nfrom src.train import main\n\nnp.random.seed(0)\n"
            "main(X, y)\n",
        },
        "seed set in run.py",
        "driver-seeds-then-trains",
    ),
]

# MO003: data_validation.py checks inputs, it is no evaluation step; a feature step that fits
# and saves only a scaler trains no model. A main.py running validation, dataset building and
# scaling chains no training.
_PREPROCESSING_ONLY_MAIN = {
    "main.py": "from src.data.data_validation import validate_data\n"
    "from src.data.build_datasets import build_datasets\n"
    "from src.features.scale_features import scale_features\n\n"
    "def main():\n    validate_data()\n    build_datasets()\n    scale_features()\n\n"
    "if __name__ == '__main__':\n    main()\n",
    "src/data/data_validation.py": "import pandas as pd\n\ndef validate_data():\n"
    "    df = pd.read_csv('raw.csv')\n    print(df.isna().sum())\n",
    "src/data/build_datasets.py": "import pandas as pd\n\ndef build_datasets():\n"
    "    df = pd.read_csv('raw.csv')\n    df.sample(frac=0.8).to_csv('train.csv')\n",
    "src/features/scale_features.py": "import joblib\nimport pandas as pd\n"
    "from sklearn.preprocessing import StandardScaler\n\ndef scale_features():\n"
    "    df = pd.read_csv('train.csv')\n    scaler = StandardScaler()\n"
    "    df[['a']] = scaler.fit_transform(df[['a']])\n"
    "    joblib.dump(\n        scaler,\n        'scaler.pkl'\n    )\n",
    "src/models/train_gru.py": "import torch\n\ndef train(model, loader):\n    model.train()\n"
    "    for x, y in loader:\n        loss = model(x).sum()\n        loss.backward()\n"
    "    torch.save(model.state_dict(), 'gru.pth')\n\nif __name__ == '__main__':\n"
    "    train(None, [])\n",
    "src/models/evaluate_model.py": "from sklearn.metrics import mean_squared_error\n\n"
    "def evaluate(y, p):\n    return mean_squared_error(y, p)\n\nif __name__ == '__main__':\n"
    "    evaluate([1], [1])\n",
}
CASES += [
    Case(
        "MO003",
        "partial",
        _PREPROCESSING_ONLY_MAIN,
        "steps in modules",
        "main-runs-only-preprocessing",
    ),
]

# DE001: an image whose last command starts a program the repository does not have does not
# run as written (the app was renamed); one that starts the app it has is fine.
_STREAMLIT_APP = {
    **s.PIPELINE,
    "AIDRP.py": "import joblib\nimport streamlit as st\n\nmodel = joblib.load('model.pkl')\n"
    "st.write(model.predict([[st.number_input('age')]]))\n",
    "requirements.txt": "streamlit==1.30.0\nscikit-learn==1.4.0\n",
}
_STREAMLIT_IMAGE = (
    "FROM python:3.9.6\nWORKDIR /app\nCOPY . /app\nRUN pip install -r requirements.txt\n"
    "CMD streamlit run --server.port 8080 {app}\n"
)
CASES += [
    Case(
        "DE001",
        "partial",
        {**_STREAMLIT_APP, "Dockerfile": _STREAMLIT_IMAGE.format(app="app.py")},
        "starts app.py, which the repository does not have",
        "command-runs-a-missing-program",
    ),
    Case(
        "DE001",
        "pass",
        {**_STREAMLIT_APP, "Dockerfile": _STREAMLIT_IMAGE.format(app="AIDRP.py")},
        "builds on a pinned base",
        "command-runs-the-app-it-has",
    ),
]

# DE005: the saved pipeline (TF-IDF + classifier) starts from text that training's own cleaning
# module made; serving that feeds it raw text skips that step. A training script for a
# transformer model is no transformation serving must import.
_CLEANED_TRAINING = {
    "src/helper_cleaner.py": "import re\n\ndef data_cleaning(text):\n"
    "    text = re.sub(r'http\\S+', '', text)\n    return text.lower().strip()\n",
    "src/train.py": "import joblib\nimport pandas as pd\nfrom sklearn.pipeline import Pipeline\n"
    "from sklearn.feature_extraction.text import TfidfVectorizer\n"
    "from sklearn.linear_model import LogisticRegression\nfrom src.helper_cleaner import "
    "data_cleaning\n\ndef main():\n    df = pd.read_csv('tweets.csv')\n"
    "    X = df.text.map(data_cleaning)\n"
    "    pipe = Pipeline([('tfidf', TfidfVectorizer()), ('clf', LogisticRegression())])\n"
    "    pipe.fit(X, df.label)\n    joblib.dump(pipe, 'model.pkl')\n",
    "app.py": "import joblib\nfrom fastapi import FastAPI\n\napp = FastAPI()\n"
    "model = joblib.load('model.pkl')\n\n@app.post('/predict')\ndef predict(text: str):\n"
    "    return model.predict_proba([text]).tolist()\n",
}
CASES += [
    Case(
        "DE005",
        "partial",
        _CLEANED_TRAINING,
        "but not training's transformations in src/helper_cleaner.py",
        "saved-pipeline-skips-training-cleaning",
    ),
    Case(
        "DE005",
        "pass",
        {
            **{k: v for k, v in _CLEANED_TRAINING.items() if k != "src/helper_cleaner.py"},
            "src/train.py": _CLEANED_TRAINING["src/train.py"]
            .replace("from src.helper_cleaner import data_cleaning\n", "")
            .replace("df.text.map(data_cleaning)", "df.text"),
        },
        "preprocessing is part of the saved pipeline",
        "saved-pipeline-on-raw-text",
    ),
]

# MO005: API tests that check only the status code, or only that a key is in the reply, say
# the service answered, not what it answered; one that checks the prediction tests it.
_API_UNDER_TEST = {
    **s.PIPELINE,
    "serverless/api.py": "from fastapi import FastAPI\n\napp = FastAPI()\n\n@app.get('/')\n"
    "def root():\n    return {'prediction': 7}\n",
}
_STATUS_TESTS = (
    "import httpx\nfrom fastapi.testclient import TestClient\nfrom serverless.api import app\n\n"
    "client = TestClient(app)\n\n\ndef test_root():\n    response = client.get('/')\n"
    "    assert httpx.codes.is_success(response.status_code)\n\n\ndef test_status():\n"
    "    response = client.get('/')\n    assert response.status_code == 200\n\n\n"
    "def test_key():\n    response = client.get('/')\n    assert 'prediction' in response.json()\n"
)
CASES += [
    Case(
        "MO005",
        "partial",
        {**_API_UNDER_TEST, "tests/test_api.py": _STATUS_TESTS},
        "a status code, a key",
        "status-and-key-api-tests",
    ),
    Case(
        "MO005",
        "pass",
        {
            **_API_UNDER_TEST,
            "tests/test_api.py": _STATUS_TESTS
            + "\n\ndef test_prediction():\n    response = client.get('/')\n"
            "    assert response.json()['prediction'] == 7\n",
        },
        "meaningful",
        "api-test-checks-the-prediction",
    ),
]

# A bold line after an emoji ("📊 **Dataset**", with Markdown's trailing hard break) titles a
# part of a README as a heading would.
CASES += [
    Case(
        "SC004",
        "pass",
        {
            **s.PIPELINE,
            "README.md": "# Churn\n\n📊 **Dataset**  \nThis project uses the [Telco Customer Churn "
            "dataset](https://www.kaggle.com/datasets/blastchar/telco-customer-churn) from "
            "Kaggle: 7,043 customers with 21 features, exported from the billing system.\n",
        },
        "section 'Dataset' describes data sources",
        "emoji-before-a-bold-heading",
    ),
]

# SC004: a paragraph anywhere that names the dataset with where it comes from (a link whose
# text names a dataset, a dataset host) and what it holds passes; naming it alone is partial.
CASES += [
    Case(
        "SC004",
        "pass",
        {
            **s.PIPELINE,
            "README.md": "# Hotel cancellations\n\n## Problem\n\nWe predict which bookings will "
            "be cancelled, using the [hotel booking demand dataset]"
            "(https://www.kaggle.com/datasets/jessemostipak/hotel-booking-demand): 119,390 "
            "bookings of two Portuguese hotels, 2015-2017.\n",
        },
        "states data sources",
        "dataset-link-with-its-size",
    ),
    Case(
        "SC004",
        "partial",
        {
            **s.PIPELINE,
            "README.md": "# Hotel cancellations\n\n## Problem\n\nWe predict which bookings will "
            "be cancelled, using the [hotel booking demand dataset]"
            "(https://www.kaggle.com/datasets/jessemostipak/hotel-booking-demand).\n",
        },
        "names the data's source but not what it holds",
        "dataset-link-alone",
    ),
    Case(
        "SC004",
        "fail",
        {
            **s.PIPELINE,
            "README.md": "# Hotel cancellations\n\n## Results\n\nSee the [leaderboard]"
            "(https://www.kaggle.com/competitions/hotel): 119,390 bookings scored.\n",
        },
        "no document has a section on data sources",
        "competition-link-is-no-dataset",
    ),
]

# MO008: accuracy computed by hand on the test split and logged to the tracker under the
# split's name records the evaluation; a training loss logged the same way does not.
_HAND_METRIC_TRAINING = (
    "import torch\nimport wandb\n\n\ndef train(model, loader, opt):\n    model.train()\n"
    "    for x, y in loader:\n        loss = torch.nn.functional.nll_loss(model(x), y)\n"
    "        loss.backward()\n        opt.step()\n        wandb.log({'Train/Loss': loss.item()})\n"
    "\n\ndef test(model, loader):\n    model.eval()\n    correct = 0\n    with torch.no_grad():\n"
    "        for x, y in loader:\n            correct += model(x).argmax(1).eq(y).sum().item()\n"
    "    {tail}\n"
)
CASES += [
    Case(
        "MO008",
        "pass",
        {
            **s.PIPELINE,
            "src/churn/evaluate.py": "",
            "src/mnist/train.py": _HAND_METRIC_TRAINING.replace(
                "{tail}", "wandb.log({'test/Accuracy': 100 * correct / len(loader.dataset)})"
            ),
        },
        "src/mnist/train.py computes and records metrics",
        "hand-computed-accuracy-logged-to-tracker",
    ),
    Case(
        "MO008",
        "fail",
        {
            "src/mnist/train.py": _HAND_METRIC_TRAINING.replace("{tail}", "print(correct)"),
        },
        "no evaluation step computes metrics",
        "only-training-loss-logged",
    ),
]

# Counter-examples a code review built for the fifteenth round's rules: each gives the verdict
# it should.
CASES += [
    Case(  # data_validation.py checks inputs: the evaluation step is evaluate_model.py
        "MO003",
        "partial",
        {
            "src/data/data_validation.py": "import pandas as pd\n\ndef validate_data():\n"
            "    df = pd.read_csv('raw.csv')\n    assert not df.empty\n",
            "src/data/build_datasets.py": "import pandas as pd\n\ndef build_datasets():\n"
            "    return pd.read_csv('raw.csv')\n",
            "src/models/train_model.py": "from sklearn.linear_model import LogisticRegression\n\n"
            "def train(df):\n    return LogisticRegression().fit(df[['a']], df.y)\n",
            "src/models/evaluate_model.py": "from sklearn.metrics import f1_score\n\n"
            "def evaluate(m, df):\n    return f1_score(df.y, m.predict(df[['a']]))\n",
        },
        "evaluate (src/models/evaluate_model.py)",
        "review-data-validation-is-no-evaluation",
    ),
    Case(  # a model pickled under a tfidf_ name is still a model
        "MO003",
        "fail",
        {
            "spam_classifier.py": "import joblib\nimport pandas as pd\n"
            "from sklearn.feature_extraction.text import TfidfVectorizer\n"
            "from sklearn.naive_bayes import MultinomialNB\nfrom sklearn.pipeline import "
            "make_pipeline\n\ndf = pd.read_csv('spam.csv')\n"
            "tfidf_nb = make_pipeline(TfidfVectorizer(), MultinomialNB())\n"
            "tfidf_nb.fit(df.text, df.label)\njoblib.dump(tfidf_nb, 'model.joblib')\n",
        },
        "does it all",
        "review-tfidf-named-model",
    ),
    Case(  # a download script importing the shared config is still a side tool
        "MO007",
        "partial",
        {
            **_SENTENCE_TRAINING,
            "src/config.py": "EMB_DIM = 300\n",
            "src/train.py": "from src.config import EMB_DIM\n" + _SENTENCE_TRAINING["src/train.py"],
            "scripts/download_data.py": "import numpy as np\nfrom src.config import EMB_DIM\n\n"
            "np.random.seed(42)\nnp.save('emb.npy', np.random.rand(10, EMB_DIM))\n",
        },
        "neither runs nor imports",
        "review-download-data-script",
    ),
    Case(  # a seeded split that dvc.yaml runs as a stage is the run's seed
        "MO007",
        "pass",
        {
            **_SENTENCE_TRAINING,
            "src/stages/build.py": "import pandas as pd\nfrom sklearn.model_selection import "
            "train_test_split\n\ndf = pd.read_csv('all.csv')\n"
            "tr, te = train_test_split(df, random_state=0)\n",
            "dvc.yaml": "stages:\n  build:\n    cmd: python src/stages/build.py\n"
            "  train:\n    cmd: python src/train.py\n",
        },
        "seed set in src/stages/build.py",
        "review-seeded-dvc-stage",
    ),
    Case(  # a preprocessor built by its own module is a step of the saved pipeline
        "DE005",
        "pass",
        {
            "src/churn/preprocessing.py": "from sklearn.compose import ColumnTransformer\n"
            "from sklearn.preprocessing import StandardScaler\n\ndef make_preprocessor():\n"
            "    return ColumnTransformer([('num', StandardScaler(), ['a'])])\n",
            "src/churn/train.py": "import joblib\nimport pandas as pd\nfrom sklearn.pipeline import "
            "Pipeline\nfrom sklearn.linear_model import LogisticRegression\n"
            "from src.churn.preprocessing import make_preprocessor\n\ndef main():\n"
            "    df = pd.read_csv('d.csv')\n    pipe = Pipeline([('pre', make_preprocessor()), "
            "('clf', LogisticRegression())])\n    pipe.fit(df, df.y)\n"
            "    joblib.dump(pipe, 'model.pkl')\n",
            "app.py": _CLEANED_TRAINING["app.py"],
        },
        "preprocessing is part of the saved pipeline",
        "review-preprocessor-inside-pipeline",
    ),
    Case(  # a COPY that renames the script: the image has the program it starts
        "DE001",
        "pass",
        {
            **_STREAMLIT_APP,
            "Dockerfile": "FROM python:3.9.6\nWORKDIR /app\nCOPY requirements.txt .\n"
            "RUN pip install -r requirements.txt\nCOPY AIDRP.py ./app.py\n"
            "CMD streamlit run app.py\n",
        },
        "builds on a pinned base",
        "review-copy-renames-the-program",
    ),
    Case(  # tests that ask for an error code on bad input test the service's behaviour
        "MO005",
        "pass",
        {
            **_API_UNDER_TEST,
            "tests/test_api.py": "from fastapi.testclient import TestClient\n"
            "from serverless.api import app\n\nclient = TestClient(app)\n\n\n"
            "def test_rejects_bad_input():\n    assert client.post('/', json={}).status_code == 422\n"
            "\n\ndef test_unknown_route():\n    assert client.get('/nope').status_code == 404\n",
        },
        "meaningful",
        "review-error-status-tests",
    ),
    Case(  # unittest's spelling of the same smoke checks
        "MO005",
        "partial",
        {
            **_API_UNDER_TEST,
            "tests/test_api.py": "import unittest\nfrom fastapi.testclient import TestClient\n"
            "from serverless.api import app\n\n\nclass TestApi(unittest.TestCase):\n"
            "    def test_root(self):\n        r = TestClient(app).get('/')\n"
            "        self.assertEqual(r.status_code, 200)\n"
            "        self.assertIn('prediction', r.json())\n",
        },
        "a status code, a key",
        "review-unittest-status-smoke",
    ),
    Case(  # serving reading its own database is no data source of the training data
        "SC004",
        "fail",
        {
            **s.PIPELINE,
            "README.md": "# Churn\n\n## Serving\n\nThe API reads customer records from the "
            "Postgres database and scores 10,000 customers per minute.\n",
        },
        "no document has a section on data sources",
        "review-serving-database-is-no-source",
    ),
]

# The second code review's counter-examples.
CASES += [
    Case(  # FastAPI's named success code is a status check too
        "MO005",
        "partial",
        {
            **_API_UNDER_TEST,
            "tests/test_api.py": "from fastapi import status\nfrom fastapi.testclient import "
            "TestClient\nfrom serverless.api import app\n\nclient = TestClient(app)\n\n\n"
            "def test_root():\n    assert status.HTTP_200_OK == client.get('/').status_code\n",
        },
        "a status code, a key",
        "review-named-success-code",
    ),
    Case(  # an LLM's answer held in `response` is checked for what it says
        "MO005",
        "pass",
        {
            **_API_UNDER_TEST,
            "tests/test_answer.py": "from serverless.api import root\n\n\ndef test_answer():\n"
            "    response = str(root())\n    assert 'prediction' in response\n",
        },
        "meaningful",
        "review-llm-answer-in-response",
    ),
    Case(  # wandb's own example style: a capitalised key after another
        "MO008",
        "pass",
        {
            **s.PIPELINE,
            "src/churn/evaluate.py": "",
            "src/mnist/train.py": _HAND_METRIC_TRAINING.replace(
                "{tail}", "wandb.log({'epoch': 1, 'Test Accuracy': correct})"
            ),
        },
        "computes and records metrics",
        "review-capitalised-test-key",
    ),
    Case(  # `python -u app.py`: -u takes no value, app.py is the program
        "DE001",
        "partial",
        {
            **_STREAMLIT_APP,
            "Dockerfile": _STREAMLIT_IMAGE.replace(
                "CMD streamlit run --server.port 8080 {app}", 'CMD ["python", "-u", "app.py"]'
            ),
        },
        "starts app.py",
        "review-python-unbuffered-missing-app",
    ),
    Case(  # a check-mark bullet before a bold label is no heading
        "SC005",
        "fail",
        {
            **s.PIPELINE,
            "README.md": "# Tools compared\n\n## Tracking\n\n✔ **Limitations**\nnone found "
            "for our use\n",
        },
        "no document has a section on responsible use",
        "review-check-mark-bullet",
    ),
    Case(  # a keycap number before a bold title is a heading
        "SC004",
        "pass",
        {
            **s.PIPELINE,
            "README.md": "# Churn\n\n1️⃣ **Dataset**\n\nThe [Telco churn dataset]"
            "(https://www.kaggle.com/datasets/blastchar/telco-customer-churn): 7,043 "
            "customers exported from the billing system.\n",
        },
        "section 'Dataset' describes data sources",
        "review-keycap-heading",
    ),
]


# DA004: a notebook's markdown data dictionary listing the fields documents the data; the same
# heading over a sentence, or in a scratch notebook, does not.
def _analysis_notebook(heading: str, body: str) -> str:
    return json.dumps(
        {
            "cells": [
                {"cell_type": "markdown", "source": [f"## {heading}\n", body]},
                {
                    "cell_type": "code",
                    "source": ["import pandas as pd\n", "df = pd.read_csv('s.csv')"],
                },
            ],
            "nbformat": 4,
        }
    )


_FIELDS = (
    "- date: the day of the sale\n- store: store id, categorical\n"
    "- item: item id, categorical\n- sales: units sold that day\n"
)
CASES += [
    Case(
        "DA004",
        "pass",
        {**s.PIPELINE, "notebooks/eda.ipynb": _analysis_notebook("Data dictionary", _FIELDS)},
        "section 'Data dictionary' describes the data's meaning",
        "notebook-data-dictionary",
    ),
    Case(
        "DA004",
        "fail",
        {
            **s.PIPELINE,
            "notebooks/eda.ipynb": _analysis_notebook(
                "Data dictionary", "We will describe the fields later.\n"
            ),
        },
        "no document has a section on the data's meaning",
        "notebook-heading-without-fields",
    ),
    Case(
        "DA004",
        "fail",
        {**s.PIPELINE, "notebooks/99_scratch.ipynb": _analysis_notebook("Data fields", _FIELDS)},
        "no document has a section on the data's meaning",
        "scratch-notebook-fields",
    ),
    Case(  # "latest" holds "test" but names no test: the dictionary counts
        "DA004",
        "pass",
        {
            **s.PIPELINE,
            "notebooks/latest_eda.ipynb": _analysis_notebook("Data dictionary", _FIELDS),
        },
        "section 'Data dictionary' describes the data's meaning",
        "latest-notebook-is-no-scratch",
    ),
]

# MO003: a program chaining a data module, a model module and its training and evaluation
# passes even when other step-named modules exist that nothing chains (scripts/split.py,
# scripts/clean.py): the program is the pipeline.
CASES += [
    Case(
        "MO003",
        "pass",
        {
            "going_modular/inputs.py": _DATA_SETUP,
            "going_modular/engine.py": _ENGINE,
            "going_modular/net.py": CHAINED_STEPS["going_modular/model_builder.py"],
            "going_modular/main.py": CHAINED_STEPS["going_modular/main.py"]
            .replace("data_setup", "inputs")
            .replace("model_builder", "net"),
            "scripts/split_data.py": "import pandas as pd\n\ndf = pd.read_csv('all.csv')\n"
            "df.sample(frac=0.8).to_csv('train.csv')\n",
            "scripts/clean_data.py": "import pandas as pd\n\ndef clean(df):\n"
            "    return df.dropna()\n",
            "scripts/evaluate_model.py": "from sklearn.metrics import f1_score\n\n"
            "def evaluate(y, p):\n    return f1_score(y, p)\n",
            "scripts/train_baseline.py": "import pandas as pd\nfrom sklearn.linear_model import "
            "LogisticRegression\n\ndef train(df):\n    return LogisticRegression().fit(df[['a']], "
            "df.y)\n",
        },
        "runs steps kept in modules",
        "entry-chain-beside-unchained-step-scripts",
    ),
]

# MO004: a file the pipeline reads that only a notebook writes (cleaned, merged or split data,
# a tokenizer) keeps a step of the production path in a notebook: partial (held-out sets N
# and P). A module writing the same file, directly, through a constant or a saving helper,
# makes it a pipeline product.
_TRAIN_READS_CAPPED = (
    "import pandas as pd\nfrom sklearn.linear_model import LogisticRegression\n\n"
    "def main():\n    df = pd.read_csv('./data/processed/data_capped.csv')\n"
    "    return LogisticRegression().fit(df[['a']], df.y)\n\n"
    "if __name__ == '__main__':\n    main()\n"
)
_EDA_WRITES_CAPPED = _notebook(
    "import pandas as pd\n"
    "df = pd.read_csv('../data/raw/data.csv')\n"
    "output_path = '../data/processed/data_capped.csv'  # where the pipeline reads it\n"
    "df.clip(upper=df.quantile(0.99), axis=1).to_csv(output_path, index=False)\n"
)
CASES += [
    Case(
        "MO004",
        "partial",
        {"src/train.py": _TRAIN_READS_CAPPED, "notebooks/1.0-eda.ipynb": _EDA_WRITES_CAPPED},
        "the pipeline reads data_capped.csv (src/train.py), which only a notebook writes",
        "pipeline-input-made-by-notebook",
    ),
    Case(  # a DVC stage's dependency named in dvc.yaml, written by a notebook
        "MO004",
        "partial",
        {
            "src/train.py": "import sys\nimport pandas as pd\n\n"
            "df = pd.read_csv(sys.argv[1])\nmodel = fit(df)\n",
            "dvc.yaml": "stages:\n  train:\n    cmd: python src/train.py data/train_data.csv\n"
            "    deps:\n      - data/train_data.csv\n",
            "notebooks/DataPreparation.ipynb": _notebook(
                'merged_train.to_csv("../data/train_data.csv")'
            ),
        },
        "reads train_data.csv (dvc.yaml)",
        "dvc-dependency-made-by-notebook",
    ),
    Case(  # the tokenizer the dataset loads, trained and saved by a notebook
        "MO004",
        "partial",
        {
            "translator/dataset.py": "from os.path import join\nimport pandas as pd\n\n"
            "class Data:\n    def __init__(self, path):\n"
            "        self.data = pd.read_csv(join(path, 'dataset.tsv'), sep='\\t')\n",
            "train.py": "from translator.dataset import Data\n\nmodel.fit(Data('data'))\n",
            "prepare_data.ipynb": _notebook("translations.to_csv('data/dataset.tsv', sep='\\t')"),
        },
        "reads dataset.tsv",
        "dataset-made-by-notebook",
    ),
    Case(  # the training module writes it too, through a constant and a saving helper
        "MO004",
        "pass",
        {
            "src/train.py": _TRAIN_READS_CAPPED,
            "src/preprocess.py": "import os\n\ndef save_processed(df, path):\n"
            "    df.to_csv(path, index=False)\n\ndef run(df):\n"
            "    out = os.path.join('data', 'processed', 'data_capped.csv')\n"
            "    save_processed(df, out)\n",
            "notebooks/1.0-eda.ipynb": _EDA_WRITES_CAPPED,
        },
        "production code lives in modules",
        "pipeline-writes-it-too",
    ),
    Case(  # written with a write call on the same line (a schema the pipeline writes)
        "MO004",
        "pass",
        {
            "src/pipeline.py": "import json\n\ndef run(model, res_dir):\n"
            "    (res_dir / 'feature_schema.json').write_text(json.dumps(model.features))\n",
            "notebooks/train.ipynb": _notebook(
                "json.dump(features, open('feature_schema.json', 'w'))"
            ),
        },
        "production code lives in modules",
        "write-call-after-the-name",
    ),
    Case(  # another folder's file of the same name, a templated name, a commented path
        "MO004",
        "pass",
        {
            "src/train.py": "import pandas as pd\n\n"
            "# df = pd.read_csv('../data/processed/data_capped.csv')\n"
            "df = pd.read_csv('data/raw/data_capped.csv')\n"
            "tweets = pd.read_csv(f'{folder}/{n}tweets.csv')\nmodel.fit(df)\n",
            "notebooks/1.0-eda.ipynb": _EDA_WRITES_CAPPED,
            "notebooks/tweets.ipynb": _notebook("df.to_csv(f'{PATH}/zemmour_{len(df)}tweets.csv')"),
        },
        "production code lives in modules",
        "other-folder-template-or-comment",
    ),
    Case(  # an output key in a setting names where the pipeline writes it
        "MO004",
        "pass",
        {
            "src/train.py": _TRAIN_READS_CAPPED,
            "params.yaml": "clean:\n  output_path: data/processed/data_capped.csv\n",
            "notebooks/1.0-eda.ipynb": _EDA_WRITES_CAPPED,
        },
        "production code lives in modules",
        "setting-names-it-as-output",
    ),
]

# A W&B run's local folder (wandb/run-*/files/) keeps the run's config.yaml and a pip freeze of
# its environment: records of runs, neither the project's configuration nor its declared
# dependencies (held-out set Q).
_WANDB_RUN = "wandb/run-20250430_120721-29kgtvsa/files/"
CASES += [
    Case(
        "MO001",
        "fail",
        {
            "scripts/train.py": "EPOCHS = 40\nLEARNING_RATE = 1e-3\n\nmodel.fit(x, epochs=EPOCHS)\n",
            _WANDB_RUN + "config.yaml": "epochs:\n  value: 40\nlr:\n  value: 0.001\n",
        },
        "no config files",
        "wandb-run-config-is-a-record",
    ),
    Case(
        "MO006",
        "fail",
        {
            "scripts/train.py": "import torch\nimport streamlit\n",
            "requirements.txt": "torch\ntorchvision\nstreamlit\n",
            _WANDB_RUN
            + "requirements.txt": "torch==2.3.0\ntorchvision==0.18.0\nstreamlit==1.35.0\n"
            + "".join(f"pkg{i}==1.0.{i}\n" for i in range(40)),
        },
        "none pinned",
        "wandb-run-freeze-is-a-record",
    ),
]

# A copy of another project kept inside this one (a git submodule committed as files, a
# distribution with its own licence and CI, one whose package the project imports, a
# third_party/ folder): reviewers credit its code where the project uses it, not its tests or
# its documents (held-out sets P and Q: MMDetection and pythae copied beside the project).
_LIB_TESTS = "from pythae import f\n\n\ndef test_f():\n    assert f(2) == 4\n\n\ndef test_g():\n    assert f(3) == 9\n"
_LIB_README = (
    "# pythae\n\n## Results\n\nFID 31.2 and IS 8.1 on CIFAR-10 against 35.0 for the baseline.\n\n"
    "## Limitations\n\nThe models may encode biases of their training data; see our fairness "
    "and privacy assessment.\n"
)


def _own_package(holder: str) -> dict[str, str]:
    """The project's own package in a folder with a licence of its own (``holder``'s), its
    tests, and a script importing it; the root licensed to the churn team."""
    return {
        "LICENSE": "MIT License\n\nCopyright (c) 2024 Churn team\n",
        "churn/LICENSE": f"MIT License\n\n{holder}\n",
        "churn/pyproject.toml": "[project]\nname = 'churn'\n",
        "churn/src/churn/__init__.py": "",
        "churn/src/churn/model.py": "def train(x):\n    return x\n",
        "churn/tests/test_model.py": _LIB_TESTS.replace("pythae", "churn.model"),
        "scripts/train.py": "from churn.model import train\n\ntrain([1])\n",
    }


_USES_LIB = {
    "scripts/train.py": "from pythae.pipelines import TrainingPipeline\n\n"
    "TrainingPipeline(model=model).fit(train_data)\n",
}
CASES += [
    Case(
        "MO005",
        "fail",
        {
            **_USES_LIB,
            ".gitmodules": '[submodule "benchmark_VAE"]\n\tpath = benchmark_VAE\n'
            "\turl = https://github.com/clementchadebec/benchmark_VAE\n",
            "benchmark_VAE/tests/test_f.py": _LIB_TESTS,
        },
        "no test files",
        "submodule-tests-are-the-library's",
    ),
    Case(
        "MO005",
        "fail",
        {
            **_USES_LIB,
            "LICENSE": "MIT License\n\nCopyright (c) 2024 The VAE study group\n",
            "benchmark_VAE/LICENSE": "Apache License 2.0\n",
            "benchmark_VAE/setup.py": "from setuptools import setup\n\nsetup(name='pythae')\n",
            "benchmark_VAE/src/pythae/__init__.py": "",
            "benchmark_VAE/tests/test_f.py": _LIB_TESTS,
        },
        "no test files",
        "imported-distribution-tests-are-the-library's",
    ),
    Case(
        "MO005",
        "fail",
        {**_USES_LIB, "third_party/pythae/tests/test_f.py": _LIB_TESTS},
        "no test files",
        "third-party-folder-tests",
    ),
    Case(  # a distribution with its own CI folder was a repository of its own
        "SC003",
        "fail",
        {
            **_USES_LIB,
            "mmdetection/LICENSE": "Apache License 2.0\n",
            "mmdetection/setup.py": "from setuptools import setup\n\nsetup(name='mmdet')\n",
            "mmdetection/.github/workflows/build.yml": "on: push\njobs: {}\n",
            "mmdetection/README.md": _LIB_README,
        },
        "no document has a section on success metrics",
        "copied-repository-readme",
    ),
    Case(  # the project's own sub-package with a licence but nothing importing it, and the
        # project's own tests, still count
        "MO005",
        "pass",
        {
            **_USES_LIB,
            "tools/LICENSE": "MIT\n",
            "tools/setup.py": "from setuptools import setup\n\nsetup(name='tools')\n",
            "tools/helpers/__init__.py": "",
            "tools/tests/test_f.py": _LIB_TESTS.replace("pythae", "helpers"),
        },
        "meaningful test",
        "own-licensed-subpackage-tests-count",
    ),
    Case(
        "SC003",
        "pass",
        {**_USES_LIB, "README.md": _LIB_README.replace("# pythae", "# Our VAE study")},
        "describes success metrics",
        "own-readme-results",
    ),
]

# A template's labelled slots left as written ("- Predict: <target> for <unit of analysis>")
# state no problem; a plan ("Future work: serve via FastAPI for real-time inference") states
# no deployment (held-out set Q).
CASES += [
    Case(
        "SC001",
        "fail",
        {
            **s.PIPELINE,
            "reports/model_card.md": "# Model Card\n\n## Problem\n"
            "- Predict: <target> for <unit of analysis>\n"
            "- Decision enabled: <what action changes?>\n"
            "- Constraints: CPU-only; offline-first; batch inference\n",
        },
        "not filled in (template slots left unfilled)",
        "model-card-slots-unfilled",
    ),
    Case(
        "SC001",
        "pass",
        {
            **s.PIPELINE,
            "reports/model_card.md": "# Model Card\n\n## Problem\n"
            "- Predict: churn within 30 days for each <b>active</b> subscriber\n"
            "- Decision enabled: the retention team calls the riskiest 500 each week\n"
            "- Contact: Jane Doe <jane@example.com>\n",
        },
        "describes the problem",
        "model-card-filled-with-html-and-address",
    ),
    Case(
        "SC006",
        "fail",
        {
            **s.PIPELINE,
            "README.md": "# Cancer prediction\n\nA random forest on the Wisconsin data.\n\n"
            "## Future Work\n- Threshold tuning to reduce false negatives\n"
            "- Docker + GitHub Actions for reproducible deployment\n"
            "- Serve via FastAPI for real-time inference\n",
        },
        "no document has a section on the deployment scenario",
        "future-work-is-no-scenario",
    ),
]

# MO008: the module that records what a metrics module it imports computes (train.py writing
# holdout_metrics.json from metrics.py's function) records the evaluation (held-out sets P, Q).
_METRICS_MODULE = (
    "from sklearn.metrics import accuracy_score, roc_auc_score\n\n\n"
    "def classification_metrics(y, pred, proba):\n"
    "    return {'accuracy': accuracy_score(y, pred), 'roc_auc': roc_auc_score(y, proba)}\n"
)
_TRAIN_WITH_HELPER = (
    "import json\nfrom pathlib import Path\n\nimport pandas as pd\n"
    "from sklearn.linear_model import LogisticRegression\n\n"
    "from ml_baseline.metrics import classification_metrics\n\n\n"
    "def run_train(train, test):\n"
    "    model = LogisticRegression().fit(train[['a']], train.y)\n"
    "    metrics = classification_metrics(test.y, model.predict(test[['a']]), "
    "model.predict_proba(test[['a']])[:, 1])\n"
)
CASES += [
    Case(
        "MO008",
        "pass",
        {
            "src/ml_baseline/__init__.py": "",
            "src/ml_baseline/metrics.py": _METRICS_MODULE,
            "src/ml_baseline/train.py": _TRAIN_WITH_HELPER
            + "    Path('metrics').mkdir(exist_ok=True)\n"
            "    Path('metrics/holdout_metrics.json').write_text(json.dumps(metrics, indent=2))\n",
        },
        "records the metrics that src/ml_baseline/metrics.py computes",
        "recorded-by-the-importer",
    ),
    Case(
        "MO008",
        "partial",
        {
            "src/ml_baseline/__init__.py": "",
            "src/ml_baseline/metrics.py": _METRICS_MODULE,
            "src/ml_baseline/train.py": _TRAIN_WITH_HELPER + "    print('Metrics:', metrics)\n",
        },
        "but not recorded",
        "importer-only-prints",
    ),
]

# MO003: an MLflow Projects entry point chaining the step scripts runs the pipeline, as a
# Makefile or a shell script does; and a runner importing its steps through their packages'
# re-exports (`from pkg.modeling import train_model`) chains them (held-out set Q).
_STEP_SCRIPTS = {
    "src/data_processing.py": "import pandas as pd\nfrom sklearn.model_selection import "
    "train_test_split\n\ndf = pd.read_csv('data/raw/pii.csv').dropna()\n"
    "train, test = train_test_split(df, test_size=0.2, random_state=0)\n"
    "train.to_csv('data/processed/train.csv')\ntest.to_csv('data/processed/test.csv')\n",
    "src/train.py": "import joblib\nimport pandas as pd\nfrom sklearn.linear_model import "
    "LogisticRegression\n\ndf = pd.read_csv('data/processed/train.csv')\n"
    "model = LogisticRegression().fit(df[['a']], df.y)\njoblib.dump(model, 'models/model.pkl')\n",
    "src/evaluate.py": "import json\nimport joblib\nimport pandas as pd\nfrom sklearn.metrics "
    "import f1_score\n\ndf = pd.read_csv('data/processed/test.csv')\n"
    "model = joblib.load('models/model.pkl')\n"
    "json.dump({'f1': f1_score(df.y, model.predict(df[['a']]))}, open('metrics.json', 'w'))\n",
}
_PACKAGED_STEPS = {
    "pkg/__init__.py": "",
    "pkg/data/__init__.py": "from .dataset import prepare_data\n",
    "pkg/data/dataset.py": "import pandas as pd\nfrom sklearn.model_selection import "
    "train_test_split\n\n\ndef prepare_data(path):\n    df = pd.read_csv(path)\n"
    "    return train_test_split(df, test_size=0.2, random_state=0)\n",
    "pkg/features/__init__.py": "from .features import generate_features\n",
    "pkg/features/features.py": "from sklearn.preprocessing import StandardScaler\n\n\n"
    "def generate_features(df):\n    return StandardScaler().fit_transform(df[['a', 'b']])\n",
    "pkg/modeling/__init__.py": "from .train import main as train_model\n",
    "pkg/modeling/train.py": "import joblib\nfrom sklearn.linear_model import Ridge\n"
    "from sklearn.metrics import mean_squared_error\nfrom sklearn.model_selection import "
    "cross_val_score\n\n\ndef main(x, y):\n    print(cross_val_score(Ridge(), x, y))\n"
    "    model = Ridge().fit(x, y)\n    joblib.dump(model, 'models/ridge.pkl')\n"
    "    return mean_squared_error(y, model.predict(x))\n",
}
CASES += [
    Case(
        "MO003",
        "pass",
        {
            **_STEP_SCRIPTS,
            "MLproject": "name: pii\n\nentry_points:\n  full_pipeline:\n    command: "
            '"python src/data_processing.py && python src/train.py && python src/evaluate.py"\n',
        },
        "MLproject runs",
        "mlproject-entry-point-chains-steps",
    ),
    Case("MO003", "partial", dict(_STEP_SCRIPTS), "nothing runs them", "step-scripts-unchained"),
    Case(
        "MO003",
        "pass",
        {
            **_PACKAGED_STEPS,
            "pkg/engine.py": "from pkg.data import prepare_data\n"
            "from pkg.features import generate_features\nfrom pkg.modeling import train_model\n\n\n"
            "def run(path):\n    train, test = prepare_data(path)\n"
            "    return train_model(generate_features(train), train.y)\n",
        },
        "pkg/engine.py",
        "runner-imports-steps-through-packages",
    ),
]


# Review of the round's MO004 rule: what a mention does is read from the line (a read, a write,
# an output key or option), a constant's uses, or a setting's key; the pipeline's own outputs
# (a DVC stage's outs, a module writing through a mapping or a setting) are products.
_EDA_WRITES_TRAIN_CSV = _notebook("clean.to_csv('../data/processed/train.csv', index=False)\n")
_PREPARE_FROM_ARGV = (
    "import sys\nimport pandas as pd\n\nraw, out = sys.argv[1], sys.argv[2]\n"
    "pd.read_csv(raw).dropna().to_csv(out)\n"
)
CASES += [
    Case(  # the DVC stage that writes it lists it under outs:
        "MO004",
        "pass",
        {
            "src/prepare.py": _PREPARE_FROM_ARGV,
            "src/train.py": "import sys\nimport pandas as pd\n\ndf = pd.read_csv(sys.argv[1])\n"
            "model.fit(df)\n",
            "dvc.yaml": "stages:\n  prepare:\n    cmd: python src/prepare.py data/raw/houses.csv "
            "data/processed/train.csv\n    deps:\n      - data/raw/houses.csv\n    outs:\n"
            "      - data/processed/train.csv\n  train:\n    cmd: python src/train.py "
            "data/processed/train.csv\n    deps:\n      - data/processed/train.csv\n",
            "notebooks/01-eda.ipynb": _EDA_WRITES_TRAIN_CSV,
        },
        "production code lives in modules",
        "dvc-stage-outs-make-it",
    ),
    Case(  # a module writes to the setting that names it
        "MO004",
        "pass",
        {
            "src/prepare.py": "import pandas as pd\nimport yaml\n\n"
            "params = yaml.safe_load(open('params.yaml'))['data']\n"
            "pd.read_csv(params['raw_houses']).dropna().to_csv(params['processed_houses'])\n",
            "src/train.py": "import pandas as pd\nimport yaml\n\n"
            "params = yaml.safe_load(open('params.yaml'))['data']\n"
            "model.fit(pd.read_csv(params['processed_houses']))\n",
            "params.yaml": "data:\n  raw_houses: data/raw/houses.csv\n"
            "  processed_houses: data/processed/train.csv\n",
            "notebooks/01-eda.ipynb": _EDA_WRITES_TRAIN_CSV,
        },
        "production code lives in modules",
        "module-writes-to-the-setting",
    ),
    Case(  # the training module writes it through a dict of paths and a loop
        "MO004",
        "pass",
        {
            "src/train.py": "import joblib\nfrom pathlib import Path\n\nMODELS = Path('models')\n"
            "destinations = {\n    'logreg': MODELS / 'logreg.pkl',\n"
            "    'forest': MODELS / 'forest.pkl',\n}\n"
            "for name, dest in destinations.items():\n    joblib.dump(fitted[name], dest)\n",
            "notebooks/eda.ipynb": _notebook("joblib.dump(model, '../models/logreg.pkl')\n"),
        },
        "production code lives in modules",
        "written-through-a-mapping",
    ),
    Case(  # an "outputs/" folder in the path read is no output option
        "MO004",
        "partial",
        {
            "src/train.py": "import pandas as pd\n\ndf = pd.read_csv('outputs/data_capped.csv')\n"
            "model.fit(df)\n",
            "notebooks/eda.ipynb": _notebook(
                "df.clip(upper=9).to_csv('../outputs/data_capped.csv', index=False)\n"
            ),
        },
        "the pipeline reads data_capped.csv",
        "outputs-folder-read",
    ),
    Case(  # a path variable nothing uses (its only use commented out)
        "MO004",
        "pass",
        {
            "src/train.py": "import sys\n\n\ndef train(x_path):\n    return fit(x_path)\n\n\n"
            "if __name__ == '__main__':\n"
            "    X_train_path = '/Users/me/proj/experiments/X_train_split.csv'\n"
            "    # train(X_train_path)\n    train(sys.argv[1])\n",
            "notebooks/bias.ipynb": _notebook(
                "X_train.to_csv('/Users/me/proj/experiments/X_train_split.csv')\n"
            ),
        },
        "production code lives in modules",
        "unused-path-variable",
    ),
    Case(  # a config module's constant the cleaning module writes and the training reads
        "MO004",
        "pass",
        {
            "src/config.py": "CLEAN_PATH = 'data/processed/clean.csv'\n"
            "FEATURES_PATH = 'data/processed/features.csv'\n",
            "src/clean.py": "import pandas as pd\nfrom config import CLEAN_PATH\n\n"
            "pd.read_csv('data/raw/x.csv').dropna().to_csv(CLEAN_PATH)\n",
            "src/features.py": "import pandas as pd\nfrom config import CLEAN_PATH, FEATURES_PATH\n\n"
            "save_features(build(pd.read_csv(CLEAN_PATH)), FEATURES_PATH)\n",
            "src/train.py": "import pandas as pd\nfrom config import FEATURES_PATH\n\n"
            "model.fit(pd.read_csv(FEATURES_PATH))\n",
            "notebooks/eda.ipynb": _notebook(
                "clean.to_csv('../data/processed/clean.csv')\n"
                "feats.to_csv('../data/processed/features.csv')\n"
            ),
        },
        "production code lives in modules",
        "constants-written-elsewhere",
    ),
    Case(  # ... and read elsewhere, with nothing writing it
        "MO004",
        "partial",
        {
            "src/config.py": "FEATURES_PATH = 'data/processed/features.csv'\n",
            "src/train.py": "import pandas as pd\nfrom config import FEATURES_PATH\n\n"
            "model.fit(pd.read_csv(FEATURES_PATH))\n",
            "notebooks/eda.ipynb": _notebook("feats.to_csv('../data/processed/features.csv')\n"),
        },
        "reads features.csv (src/train.py)",
        "constant-read-elsewhere",
    ),
    Case(  # a heading that mentions a plan beside the deployment is still the deployment
        "SC006",
        "pass",
        {
            **s.PIPELINE,
            "README.md": "# Tickets\n\n## How to do inference in production\n\n"
            "The model is served by a FastAPI service deployed on Google Cloud Run. The helpdesk "
            "system calls POST /predict for every new ticket and routes it to a queue.\n",
        },
        "describes the deployment scenario",
        "how-to-do-inference-heading",
    ),
    Case(  # the project's own package, licensed as the project is, keeps its tests
        "MO005",
        "pass",
        _own_package("Copyright (c) 2024 Churn team"),
        "meaningful test",
        "own-package-same-licence",
    ),
]

# MO009: W&B's model registry (an artifact linked to it), a Lightning logger keeping each
# checkpoint as an artifact, and a model saved into a folder per run with the run's id in the
# metadata beside it are versioned (held-out sets O, Q).
_TRAIN_SAVES = (
    "import joblib\nfrom sklearn.linear_model import LogisticRegression\n\n\n"
    "def train(x, y):\n    model = LogisticRegression().fit(x, y)\n"
)
CASES += [
    Case(
        "MO009",
        "pass",
        {
            "src/train.py": _TRAIN_SAVES + "    joblib.dump(model, 'models/model.pkl')\n",
            "src/registry.py": "import wandb\n\n\ndef stage(artifact, entity):\n"
            "    artifact.link(target_path=f'{entity}/model-registry/fake-news', "
            "aliases=['best', 'staging'])\n",
        },
        "models are registered or logged",
        "wandb-registry-link",
    ),
    Case(
        "MO009",
        "pass",
        {
            "src/train.py": "from pytorch_lightning import Trainer\n"
            "from pytorch_lightning.loggers import WandbLogger\n\n"
            "logger = WandbLogger(project='x', log_model='all')\n"
            "Trainer(logger=logger).fit(model)\ntrainer.save_checkpoint('models/last.ckpt')\n",
        },
        "models are registered or logged",
        "lightning-logger-keeps-checkpoints",
    ),
    Case(
        "MO009",
        "pass",
        {
            "src/train.py": "import json\nimport time\nfrom pathlib import Path\n\n"
            + _TRAIN_SAVES
            + "    run_id = str(int(time.time()))\n    run_dir = Path('models/runs') / run_id\n"
            "    run_dir.mkdir(parents=True)\n    joblib.dump(model, run_dir / 'model.joblib')\n"
            "    meta = {'run_id': run_id, 'features': list(x.columns)}\n"
            "    (run_dir / 'run_meta.json').write_text(json.dumps(meta))\n",
        },
        "saves models with version metadata",
        "folder-per-run-with-its-id",
    ),
    Case(
        "MO009",
        "partial",
        {"src/train.py": _TRAIN_SAVES + "    joblib.dump(model, 'models/model.pkl')\n"},
        "without a version or registry",
        "fixed-file",
    ),
]

# SC001: who has the problem and why it matters, in other words (held-out set Q): sellers who
# would wait for an appraisal; evaluations in use that miss what matters.
CASES += [
    Case(
        "SC001",
        "pass",
        {
            **s.PIPELINE,
            **readme(
                "Use cases",
                "Home sellers get a quick automated price estimate without waiting for a "
                "professional appraisal; listing sites call the API for instant valuations.",
            ),
        },
        "describes the problem",
        "sellers-without-waiting",
    ),
    Case(
        "SC001",
        "pass",
        {
            **s.PIPELINE,
            **readme(
                "Motivation",
                "CTGAN generates synthetic census records for anonymisation, but standard "
                "evaluations miss validity and privacy failures of the generated data.",
            ),
        },
        "describes the problem",
        "standard-evaluations-miss",
    ),
]

# DE001: Dockerfiles named in lower case or with a dash (dockerfile-fastapi, Dockerfile-api)
# define the image; the image that builds the docs site installs no part of the project's
# runtime (held-out sets F, Q).
CASES += [
    Case(
        "DE001",
        "pass",
        {
            **s.SERVING,
            "dockerfile-fastapi": "FROM python:3.12.4-slim\nCOPY requirements.lock .\n"
            "RUN pip install --no-cache-dir -r requirements.lock\nCOPY . .\n"
            'CMD ["uvicorn", "churn.serve:app", "--host", "0.0.0.0"]\n',
            "requirements.lock": "scikit-learn==1.5.0\nfastapi==0.111.0\n",
        },
        "dockerfile-fastapi builds on a pinned base",
        "lower-case-dashed-dockerfile",
    ),
    Case(
        "MO006",
        "pass",
        {
            **s.SERVING,
            "requirements.txt": "scikit-learn==1.5.0\nfastapi==0.111.0\npandas==2.2.2\n",
            "dockerfile-docs": "FROM python:3.12.4-slim\nRUN pip install mkdocs mkdocs-material\n",
        },
        "pinned",
        "docs-image-installs-are-not-the-runtime",
    ),
]

# The second review of the round's rules (its trees, cut down).
_C1_PKG = {
    "README.md": "# Churn\n\nRun `python -m pkg.data`, then `pkg.features`, `pkg.train` and "
    "`pkg.evaluate`.\n",
    "pkg/__init__.py": "import logging\n\nlogger = logging.getLogger('churn')\n\n"
    "from pkg.data import load_data  # noqa: E402\n"
    "from pkg.features import build_features  # noqa: E402\n"
    "from pkg.train import train_model  # noqa: E402\n"
    "from pkg.evaluate import evaluate_model  # noqa: E402\n",
    "pkg/data.py": "import pandas as pd\nfrom sklearn.model_selection import train_test_split\n\n\n"
    "def load_data(path):\n    train, test = train_test_split(pd.read_csv(path), test_size=0.2)\n"
    "    train.to_csv('data/processed/train.csv')\n    return train, test\n",
    "pkg/features.py": "def build_features(df):\n    out = df.copy()\n"
    "    out['tenure_years'] = out['tenure'] / 12\n    return out\n",
    "pkg/evaluate.py": "import json\nimport joblib\nimport pandas as pd\n"
    "from sklearn.metrics import f1_score\n\n\ndef evaluate_model(path):\n"
    "    df = pd.read_csv(path)\n    model = joblib.load('models/model.pkl')\n"
    "    json.dump({'f1': f1_score(df.churn, model.predict(df))}, open('metrics.json', 'w'))\n",
    "pkg/train.py": "import joblib\nimport pandas as pd\n"
    "from sklearn.ensemble import RandomForestClassifier\n\nfrom pkg import logger\n\n\n"
    "def train_model(path):\n    df = pd.read_csv(path)\n"
    "    model = RandomForestClassifier().fit(df.drop(columns=['churn']), df.churn)\n"
    "    joblib.dump(model, 'models/model.pkl')\n    logger.info('trained')\n",
}
_CLEAN_NOTEBOOK = _notebook(
    "import pandas as pd\ndf = pd.read_csv('../data/raw/churn.csv')\n"
    "df.dropna().to_csv('../data/processed/clean.csv', index=False)\n"
)
_TRAIN_ON_CLEAN = "import sys\nimport pandas as pd\n\nmodel.fit(pd.read_csv(sys.argv[1]))\n"
CASES += [
    Case(  # train.py takes only the logger from the package that re-exports the steps
        "MO003", "partial", _C1_PKG, "nothing runs them", "package-logger-is-no-chain"
    ),
    Case(  # a prediction step importing a helper from training saves predictions, not metrics
        "MO008",
        "partial",
        {
            "src/__init__.py": "",
            "src/train.py": "import joblib\nfrom sklearn.linear_model import LogisticRegression\n"
            "from sklearn.metrics import accuracy_score\n\n\ndef build_features(df):\n"
            "    return df[['a', 'b']]\n\n\ndef train(df):\n"
            "    model = LogisticRegression().fit(build_features(df), df.y)\n"
            "    print('accuracy', accuracy_score(df.y, model.predict(build_features(df))))\n"
            "    joblib.dump(model, 'models/model.pkl')\n",
            "src/predict.py": "import joblib\nimport pandas as pd\n\n"
            "from src.train import build_features\n\nnew = pd.read_csv('data/new.csv')\n"
            "new['score'] = joblib.load('models/model.pkl').predict(build_features(new))\n"
            "new.to_csv('outputs/results.csv')\n",
        },
        "but not recorded",
        "prediction-step-records-no-metrics",
    ),
    Case(  # the Makefile makes the file through a variable
        "MO004",
        "pass",
        {
            "src/clean.py": _PREPARE_FROM_ARGV,
            "src/train.py": _TRAIN_ON_CLEAN,
            "Makefile": "RAW := data/raw/churn.csv\nCLEAN := data/processed/clean.csv\n\n"
            "$(CLEAN): $(RAW) src/clean.py\n\tpython src/clean.py $(RAW) $(CLEAN)\n\n"
            "train: $(CLEAN)\n\tpython src/train.py $(CLEAN)\n",
            "notebooks/01-eda.ipynb": _CLEAN_NOTEBOOK,
        },
        "production code lives in modules",
        "makefile-variable-target",
    ),
    Case(  # an argparse option's default names where the cleaning step writes
        "MO004",
        "pass",
        {
            "src/clean.py": "import argparse\nimport pandas as pd\n\np = argparse.ArgumentParser()\n"
            "p.add_argument('--raw', default='data/raw/churn.csv')\n"
            "p.add_argument('--output', default='data/processed/clean.csv')\n"
            "args = p.parse_args()\npd.read_csv(args.raw).dropna().to_csv(args.output)\n",
            "src/train.py": "import pandas as pd\n\nDATA = 'data/processed/clean.csv'\n\n\n"
            "def main():\n    model.fit(pd.read_csv(DATA))\n",
            "notebooks/01-eda.ipynb": _CLEAN_NOTEBOOK,
        },
        "production code lives in modules",
        "argparse-output-default",
    ),
    Case(  # the notebook reads the raw file and writes a sample: it writes the sample only
        "MO004",
        "pass",
        {
            "src/train.py": "import pandas as pd\n\nmodel.fit(pd.read_csv('data/raw/churn.csv'))\n",
            "notebooks/01-eda.ipynb": _notebook(
                "pd.read_csv('../data/raw/churn.csv').sample(500)"
                ".to_csv('../data/sample/churn_sample.csv')\n"
            ),
        },
        "production code lives in modules",
        "notebook-reads-raw-writes-sample",
    ),
    Case(  # open(path, "w") with the mode after the name writes it
        "MO004",
        "pass",
        {
            "src/train.py": "import json\n\n\ndef save(cfg, names):\n"
            "    with open(cfg.out_dir / 'feature_names.json', 'w') as f:\n"
            "        json.dump(names, f)\n",
            "notebooks/eda.ipynb": _notebook(
                "with open(MODELS_DIR / 'feature_names.json', 'w') as f:\n    json.dump(cols, f)\n"
            ),
        },
        "production code lives in modules",
        "open-for-writing-mode-after-name",
    ),
    Case(  # a file read and then converted on one line is read
        "MO004",
        "partial",
        {
            "src/prepare.py": "import pandas as pd\n\n"
            "pd.read_csv('data/processed/clean.csv').to_parquet('data/processed/clean.parquet')\n",
            "notebooks/01-eda.ipynb": _CLEAN_NOTEBOOK,
        },
        "reads clean.csv",
        "read-then-converted-on-one-line",
    ),
    Case(
        "SC006",
        "fail",
        {
            **s.PIPELINE,
            "README.md": "# Churn\n\nA churn model.\n\n## 6. Next steps\n\n"
            "- Serve the model behind a REST API on Cloud Run for the CRM to call\n\n"
            "## Project Roadmap\n\n- Deploy to Kubernetes\n\n## TODOs\n\n- real-time inference\n",
        },
        "no document has a section on the deployment scenario",
        "numbered-and-named-plans",
    ),
    Case(  # the project's own package, its licence a year apart from the root's
        "MO005",
        "pass",
        _own_package("Copyright (c) 2025 Churn Team (ACME)"),
        "meaningful test",
        "own-package-licence-year-apart",
    ),
    Case(  # a licensed, imported distribution in a project that licenses nothing
        "MO005",
        "fail",
        {
            **_USES_LIB,
            "benchmark_VAE/LICENSE": "Apache License 2.0\n",
            "benchmark_VAE/setup.py": "from setuptools import setup\n\nsetup(name='pythae')\n",
            "benchmark_VAE/src/pythae/__init__.py": "",
            "benchmark_VAE/tests/test_f.py": _LIB_TESTS,
        },
        "no test files",
        "imported-distribution-unlicensed-project",
    ),
]


# Seventeenth round (held-out set R's measurement).
_VALIDATOR = (
    "import logging\n\nlogger = logging.getLogger(__name__)\n\n\nclass DataValidator:\n"
    "    def validate_dataset(self, df):\n        missing = set(COLS) - set(df)\n"
    "        if missing:\n            raise ValueError(missing)\n        return df\n"
)
_TRAIN_ONLY = (
    "from sklearn.cluster import KMeans\n\n\ndef train(df):\n    return KMeans(4).fit(df)\n"
)
CASES += [
    Case(  # a validator class nothing but an EDA notebook imports
        "DA003",
        "partial",
        {
            "src/data/validator.py": _VALIDATOR,
            "src/models/train.py": _TRAIN_ONLY,
            "notebooks/01_eda.ipynb": _notebook("from data.validator import DataValidator\n"),
        },
        "nothing imports or runs that module",
        "validator-only-a-notebook-imports",
    ),
    Case(  # the same class, run by the training
        "DA003",
        "pass",
        {
            "src/data/validator.py": _VALIDATOR,
            "src/models/train.py": "from data.validator import DataValidator\n" + _TRAIN_ONLY,
        },
        "validation function in src/data/validator.py",
        "validator-the-training-imports",
    ),
    Case(  # a one-off script that validates at its top level is run, not imported
        "DA003",
        "pass",
        {
            "prep/validate_datasets.py": "import pandas as pd\n\n\ndef check_features(df):\n"
            "    missing = set(COLS) - set(df)\n    if missing:\n"
            "        raise ValueError(missing)\n\n\n"
            "check_features(pd.read_csv('bank_a.csv'))\n",
            "src/models/train.py": _TRAIN_ONLY,
        },
        "validation function in prep/validate_datasets.py",
        "validating-script",
    ),
    Case(  # "Run tests with coverage" above `run: |`, whose pytest may fail
        "DE002",
        "partial",
        {
            ".github/workflows/test.yml": "on: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n"
            "    steps:\n    - name: Run tests with coverage\n      run: |\n"
            "        pytest --cov=pkg || true\n    - name: Upload\n      run: coveralls\n",
        },
        "runs pytest, but every check step is allowed to fail",
        "step-named-coverage-above-run",
    ),
    Case(  # py.test, the old spelling
        "DE002",
        "pass",
        {
            ".circleci/config.yml": "version: 2\njobs:\n  test:\n    steps:\n      - run:\n"
            "          name: Run tests\n          command: |\n"
            "            py.test -vv packages/model/tests\n",
        },
        "runs py.test",
        "py-dot-test",
    ),
    Case(  # a sample.env whose keys are made up (ABCDEFGH) leaks nothing
        "DE008",
        "pass",
        {
            "sample.env": "PREFECT_API_KEY=ABCDEFGH\n\nWANDB_API_KEY=ABCDEFGHIJ\n"
            "WANDB_PROJECT=MLOPS-TEST-PROJECT\n",
            "src/train.py": "import os\n\nkey = os.environ['WANDB_API_KEY']\n",
        },
        "no secrets found",
        "sample-env-made-up-keys",
    ),
    Case(  # prints in an old folder put away are not the service's logging
        "DE007",
        "pass",
        {
            "app.py": "import joblib\nimport streamlit as st\n\nmodel = joblib.load('m.pkl')\n"
            "days = st.number_input('days')\nst.write(model.predict([[days]]))\n",
            "old_files_backup/setup_streamlit.py": "print('installing')\nprint('done')\n",
            "old_files_backup/app_lstm.py": "print('training')\n",
        },
        "logged by its framework",
        "prints-in-a-backup-folder",
    ),
    Case(  # serving and training share only a module of load_/save_ helpers
        "DE005",
        "partial",
        {
            "src/md/config.py": "ROOT = 'data'\n",
            "src/md/data/loaders.py": "import pandas as pd\nfrom md import config\n\n\n"
            "def load_raw_dataset(path):\n    return pd.read_csv(path)\n\n\n"
            "def save_processed_dataset(df, path):\n    df.to_csv(path)\n",
            "src/md/data/process.py": "from md.data.loaders import load_raw_dataset\n\n\n"
            "def process(path):\n    df = load_raw_dataset(path)\n    return df.dropna()\n",
            "src/md/train.py": "from sklearn.svm import SVC\nfrom md.data.process import process\n\n\n"
            "def train():\n    df = process('x.csv')\n    return SVC().fit(df, df.y)\n",
            "src/md/app.py": "from flask import Flask, request\nfrom md.data.loaders import "
            "load_raw_dataset\nfrom md import config\n\napp = Flask(__name__)\n\n\n"
            "@app.route('/predict', methods=['POST'])\ndef predict():\n"
            "    return str(model.predict([request.json['x']]))\n",
        },
        "no transformation module is shared",
        "shared-io-helpers-only",
    ),
    Case(  # a statistical bias of the data names no harm
        "SC005",
        "partial",
        readme(
            "Known Limitations",
            "### Sampling Bias\n\nThe backfill selects high-velocity repositories, creating "
            "momentum-biased training data. Accuracy drops for repositories under 100 stars.",
        ),
        "names no harm",
        "sampling-bias",
    ),
    Case(  # a title naming the risk the model predicts is no section on risks it poses
        "SC005",
        "fail",
        {
            "README.md": "# Heart-Disease-Prediction - Simple Heart Health Risk Tool\n\n"
            "Enter your age and blood pressure to see your risk of heart disease.\n",
        },
        "no document has a section on responsible use",
        "risk-tool-title",
    ),
    Case(  # make_classification's random_state fixes the sample, not the split or the model
        "MO007",
        "fail",
        {
            "src/training_pipeline.py": "from sklearn.datasets import make_classification\n"
            "from sklearn.model_selection import train_test_split\n"
            "from sklearn.tree import DecisionTreeClassifier\n\n\ndef run():\n"
            "    X, y = make_classification(random_state=0, n_samples=1000)\n"
            "    X_tr, X_te, y_tr, y_te = train_test_split(X, y)\n"
            "    return DecisionTreeClassifier(max_depth=3).fit(X_tr, y_tr)\n",
        },
        "no seed is set",
        "seed-only-on-synthetic-data",
    ),
]
CASES += [
    Case(  # ClearML's dataset store: each Dataset.create() is a new version
        "DA001",
        "pass",
        {
            "src/pipeline/init_data.py": "from clearml import Dataset\n\n\ndef upload(path):\n"
            "    ds = Dataset.create(dataset_name='heart', dataset_project='mlp')\n"
            "    ds.add_files(path)\n    ds.finalize(auto_upload=True)\n",
            "src/pipeline/train.py": "import pandas as pd\nfrom sklearn.svm import SVC\n\n\n"
            "def train():\n    df = pd.read_csv('heart.csv')\n    return SVC().fit(df, df.y)\n",
        },
        "versioned in a dataset store",
        "clearml-dataset-create",
    ),
    Case(  # a logger integration that fetches a dataset the user names versions nothing
        "DA001",
        "fail",
        {
            "utils/loggers/clearml_utils.py": "from clearml import Dataset\n\n\n"
            "def construct_dataset(url):\n    return Dataset.get(dataset_id=url)\n",
            "train.py": "import pandas as pd\nfrom sklearn.svm import SVC\n\n"
            "df = pd.read_csv('data.csv')\nSVC().fit(df, df.y)\n",
        },
        "no DVC files",
        "clearml-dataset-get-in-a-logger",
    ),
    Case(  # a ClearML task with an output URI uploads the checkpoints it saves
        "MO009",
        "pass",
        {
            "src/train_task.py": "from clearml import Task\nimport lightning as L\n\n\n"
            "def main(cfg):\n    task = Task.init(\n        project_name=cfg.project,\n"
            "        task_name=cfg.name,\n        output_uri=True,\n    )\n"
            "    L.Trainer().fit(model)\n",
        },
        "registered or logged",
        "clearml-output-uri",
    ),
]
# The round's code review: each a verdict the first version of a change got wrong.
CASES += [
    Case(  # a password holding a run of digits is a password
        "DE008",
        "fail",
        {"config/settings.yaml": "db:\n  host: db.acme.internal\n  password: Acme1234567!\n"},
        "password Acme",
        "password-holding-a-digit-run",
    ),
    Case(  # a validator a console script runs, its package under src/
        "DA003",
        "pass",
        {
            "pyproject.toml": '[project]\nname = "mypkg"\nversion = "0.1"\n'
            'dependencies = ["pandas==2.2.0"]\n\n[project.scripts]\n'
            'mypkg-validate = "mypkg.validation:main"\n',
            "src/mypkg/__init__.py": "",
            "src/mypkg/validation.py": "import pandas as pd\n\n\ndef validate_frame(df):\n"
            "    if df.isna().any().any():\n        raise ValueError('nulls')\n    return df\n\n\n"
            "def main():\n    validate_frame(pd.read_csv('data.csv'))\n",
        },
        "validation function in src/mypkg/validation.py",
        "validator-run-as-a-console-script",
    ),
    Case(  # a risk assessment that weighs discrimination is a responsible-use section
        "SC005",
        "pass",
        readme(
            "Risk assessment",
            "The model may discriminate against applicants from minority groups; we evaluate "
            "false positive rates separately by gender and ethnicity.",
        ),
        "describes responsible use",
        "risk-assessment-section",
    ),
    Case(  # a sampling bias against a group is a harm
        "SC005",
        "pass",
        readme(
            "Bias",
            "The dataset has sampling bias against women and older applicants, who are "
            "under-represented, so the model rejects more of them wrongly.",
        ),
        "describes responsible use",
        "sampling-bias-against-a-group",
    ),
    Case(  # a large spec named first does not hide the test script named next
        "DE002",
        "pass",
        {
            ".github/workflows/ci.yml": "on: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n"
            "    steps:\n      - run: npx @redocly/cli lint docs/openapi.yaml\n"
            "      - run: bash scripts/run_tests.sh\n",
            "docs/openapi.yaml": "openapi: 3.0.0\n" + "# x\n" * 90_000,
            "scripts/run_tests.sh": "#!/bin/sh\nset -e\npytest -q tests\n",
        },
        "runs pytest",
        "big-spec-before-the-test-script",
    ),
    Case(  # a folded YAML command whose option sits on the next line
        "DE002",
        "pass",
        {
            ".github/workflows/ci.yml": "on: [push]\njobs:\n  smoke:\n    runs-on: ubuntu-latest\n"
            "    steps:\n      - run: >-\n          python src/train.py\n          --epochs 1\n",
            "src/train.py": "import argparse\n",
        },
        "runs python src/train.py --e",
        "folded-command-option-on-next-line",
    ),
    Case(  # the split's own seed, around a generator's call
        "MO007",
        "pass",
        {
            "src/train.py": "from sklearn.datasets import make_classification\n"
            "from sklearn.model_selection import train_test_split\n\n"
            "X_tr, X_te, y_tr, y_te = train_test_split(*make_classification(n_samples=500), "
            "random_state=42)\n",
        },
        "seed set in src/train.py",
        "seed-around-a-generator-call",
    ),
    Case(  # a Kaggle download's archive/ folder holds data, and its README describes it
        "DA004",
        "pass",
        {
            "archive/README.md": "# Heart disease dataset\n\nColumns:\n\n"
            "- age: age of the patient in years\n- income: yearly income in dollars\n"
            "- label: 1 when the patient had heart disease, else 0\n",
            "archive/heart.csv": "age,income,label\n63,40000,1\n",
            "train.py": "import pandas as pd\nfrom sklearn.svm import SVC\n\n"
            "df = pd.read_csv('archive/heart.csv')\nSVC().fit(df, df.label)\n",
        },
        "data README",
        "data-readme-in-archive-folder",
    ),
]
CASES += [
    Case(  # metrics handed to the model registry with the model are recorded
        "MO008",
        "pass",
        {
            "src/pipelines/training.py": "from sklearn.metrics import accuracy_score\n"
            "from xgboost import XGBClassifier\nfrom pipelines.client import hops_client\n\n\n"
            "def train(X_train, y_train, X_test, y_test):\n"
            "    model = XGBClassifier().fit(X_train, y_train)\n"
            "    accuracy = accuracy_score(y_test, model.predict(X_test))\n"
            "    hops_client.register_model(\n        model,\n        'trend_predictor',\n"
            "        {'accuracy': accuracy},\n    )\n",
            "src/pipelines/client.py": "import hopsworks\n\nhops_client = hopsworks.login()\n",
        },
        "computes and records metrics",
        "metrics-given-to-the-model-registry",
    ),
]
CASES += [
    Case(  # a "People Counting System" is what the model does, not who owns it
        "SC002",
        "fail",
        {
            "README.md": "# Car detector\n\nYOLOv8 detects cars.\n\n## 4. People Counting System\n\n"
            "The tracker counts people crossing a line, Alice Smith's idea.\n",
        },
        "no document has a section on owners",
        "people-counting-heading",
    ),
]
# The round's second code review: verdicts the first version of a later change got wrong.
_TORCH_SAVE = (
    "import torch\n\n\ndef train(model, loader):\n    for x, y in loader:\n        model(x)\n"
    "    torch.save(model.state_dict(), 'models/net.pt')\n"
)
CASES += [
    Case(  # a pydantic response schema named OutputModel registers no model
        "MO009",
        "partial",
        {
            "src/train.py": _TORCH_SAVE,
            "src/schemas.py": "from pydantic import BaseModel\n\n\nclass OutputModel(BaseModel):\n"
            "    churn_probability: float\n\n\nEXAMPLE = OutputModel(churn_probability=0.2)\n",
        },
        "without a version or registry",
        "pydantic-output-model",
    ),
    Case(  # a commented-out Dataset.create() versions nothing
        "DA001",
        "fail",
        {
            "src/train.py": "from clearml import Task\nimport pandas as pd\n\n"
            "task = Task.init(project_name='churn', task_name='train')\n"
            "# TODO version the data:\n"
            "#   ds = Dataset.create(dataset_name='churn-raw', dataset_project='churn')\n"
            "df = pd.read_csv('data.csv')\nmodel.fit(df, df.y)\n",
        },
        "no DVC files",
        "commented-out-dataset-create",
    ),
    Case(  # a model server's image under examples/ is not the project's service
        "DE004",
        "fail",
        {
            "examples/tf_serving/Dockerfile": "FROM tensorflow/serving:2.14.0\n"
            "COPY models/ /models/\n",
            "src/train.py": "from sklearn.svm import SVC\nimport joblib\n\n"
            "joblib.dump(SVC().fit(X, y), 'model.joblib')\n",
        },
        "no serving app",
        "model-server-image-in-examples",
    ),
    Case(  # Triton's client SDK image runs a benchmark, not the model
        "DE004",
        "fail",
        {
            "perf/Dockerfile": "FROM nvcr.io/nvidia/tritonserver:24.01-py3-sdk\n"
            'COPY model_repository /models\nCMD ["bash", "run_perf.sh"]\n',
            "src/train.py": "from sklearn.svm import SVC\nimport joblib\n\n"
            "joblib.dump(SVC().fit(X, y), 'model.joblib')\n",
        },
        "no serving app",
        "triton-sdk-image",
    ),
    Case(  # a word of a description names no module that runs the validator
        "DA003",
        "partial",
        {
            "pyproject.toml": '[project]\nname = "churn"\nversion = "0.1"\n'
            'description = "Churn model: training pipeline with data validation"\n',
            "src/validation.py": "def validate_data(df):\n    if df.isna().any().any():\n"
            "        raise ValueError('nulls')\n    return df\n",
            "src/train.py": "from sklearn.svm import SVC\n\n\ndef train(df):\n"
            "    return SVC().fit(df, df.y)\n",
        },
        "nothing imports or runs that module",
        "validator-named-only-in-a-description",
    ),
    Case(  # the commonest real password is no made-up value
        "DE008",
        "fail",
        {
            "config/settings.yaml": "database:\n  host: churn-db.prod.internal\n  user: churn_app\n"
            '  password: "123456"\n',
        },
        "password 123",
        "six-digit-run-password",
    ),
    Case(  # a title naming the risk predicted, with "women" in its body, is no harm section
        "SC005",
        "fail",
        {
            "README.md": "# Maternal Health Risk Classification\n\nPredicts the risk level (low, "
            "mid, high) of pregnant women from age, blood pressure and blood sugar.\n",
        },
        "no document has a section on responsible use",
        "maternal-health-risk-title",
    ),
]
CASES += [
    Case(  # a pipeline step's own main.py is pipeline code, not a command-line front end
        "DE007",
        "fail",
        {
            "src/data/preprocessing/main.py": "import pandas as pd\n\n\ndef preprocess_data(cfg):\n"
            "    print(f'Initiating dataset preprocessing using {cfg}')\n"
            "    df = pd.read_csv(cfg.raw)\n    df.dropna().to_csv(cfg.out)\n"
            "    print(f'Dataset is preprocessed and saved to {cfg.out}')\n",
            "src/train.py": "from clearml import Task\nfrom sklearn.svm import SVC\n\n\n"
            "def train(df):\n    Task.init(project_name='p', task_name='t')\n"
            "    return SVC().fit(df, df.y)\n",
        },
        "print() call(s)",
        "step-main-py-prints",
    ),
]
CASES += [
    Case(  # the tests are quoted, not the linter a workflow runs first
        "DE002",
        "pass",
        {
            ".github/workflows/ci.yml": "on: [push]\njobs:\n  ci:\n    runs-on: ubuntu-latest\n"
            "    steps:\n      - run: ruff check .\n      - run: pytest -q\n",
        },
        "ci.yml runs pytest",
        "tests-quoted-before-the-linter",
    ),
]
