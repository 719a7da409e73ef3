"""DE005 compares only candidate pairs of functions (shared token shingles, possible lengths),
then decides with difflib's ratio as before. The candidates must never lose a copy that
comparing every pair finds: checked here on generated serving/training modules, where the
serving side copies a training function with edits (constants, renamed locals, statements
added, dropped or swapped), against the all-pairs comparison the rule used to make."""

from __future__ import annotations

import difflib
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from mlscaffold.score.judge.rules import skew
from mlscaffold.score.read.readers import python

STATEMENTS = [
    "df = df.copy()",
    'df["age"] = df["age"].fillna(df["age"].median())',
    'df["income_log"] = np.log1p(df["income"])',
    'df = df[df["tenure"] >= 0]',
    'df["ratio"] = df["a"] / (df["b"] + 1)',
    'df["city"] = df["city"].str.lower().str.strip()',
    'X = df[FEATURES].to_numpy(dtype="float32")',
    "X = scaler.transform(X)",
    'df["bucket"] = pd.cut(df["age"], bins=[0, 18, 35, 60, 120])',
    "df = pd.get_dummies(df, columns=CATEGORICAL)",
    "for col in NUMERIC:\n        df[col] = (df[col] - MEANS[col]) / STDS[col]",
    'if "label" in df:\n        df = df.drop(columns=["label"])',
    "tokens = [t.lower() for t in text.split() if t not in STOP]",
    "vec = np.zeros(len(VOCAB))",
    "return df",
]


class _Index:
    """What the rule reads of an index: each module's definitions and size, and a memo."""

    def __init__(self, modules: dict[str, str]) -> None:
        self.modules = modules
        self.memo: dict = {}
        self.by_path = {p: SimpleNamespace(size=len(c.encode())) for p, c in modules.items()}

    def module_info(self, path: str):
        return python.module_info(self.modules[path])

    def code(self, path: str) -> str | None:
        return self.modules.get(path)


def _module(functions: list[list[str]], prefix: str) -> str:
    return "\n\n".join(
        f"def {prefix}_{i}(df):\n    " + "\n    ".join(body) for i, body in enumerate(functions)
    )


def _all_pairs(index: _Index, serving: list[str], training: list[str]) -> bool:
    """The rule's old comparison: every serving function with every training transformation
    (here every training function: all are named for one)."""
    train = [f for p in training for f in skew._normalised_functions(index, p)]
    for s_path in serving:
        for fn in skew._normalised_functions(index, s_path):
            if fn.statements < skew.MIN_STATEMENTS:
                continue
            for other in train:
                if other.statements < skew.MIN_STATEMENTS or other.path == s_path:
                    continue
                matcher = difflib.SequenceMatcher(None, fn.dump, other.dump, autojunk=False)
                if matcher.ratio() >= skew.SIMILARITY:
                    return True
    return False


bodies = st.lists(st.sampled_from(STATEMENTS), min_size=3, max_size=9)


@st.composite
def edited(draw, body: list[str]) -> list[str]:
    out = list(body)
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["const", "add", "drop", "swap", "rename"]))
        i = draw(st.integers(0, len(out) - 1))
        if kind == "const":
            out[i] = out[i].replace("0", "7").replace('"age"', '"years"')
        elif kind == "add":
            out.insert(i, draw(st.sampled_from(STATEMENTS)))
        elif kind == "drop" and len(out) > 3:
            out.pop(i)
        elif kind == "swap" and i + 1 < len(out):
            out[i], out[i + 1] = out[i + 1], out[i]
        else:
            out[i] = out[i].replace("df", "frame")
    return out


@settings(max_examples=120, deadline=None)
@given(st.data(), st.lists(bodies, min_size=1, max_size=4), st.lists(bodies, max_size=2))
def test_candidates_find_every_copy_all_pairs_find(data, training_fns, other_fns) -> None:
    copied = data.draw(st.sampled_from(training_fns))
    serving_fns = [data.draw(edited(copied)), *other_fns]
    index = _Index(
        {
            "serve/app.py": _module(serving_fns, "serve"),
            "train/fit.py": _module(training_fns, "clean"),
        }
    )
    found = skew._reimplementation(index, ["serve/app.py"], ["train/fit.py"])
    assert (found is not None) == _all_pairs(index, ["serve/app.py"], ["train/fit.py"])


def test_thousands_of_functions_cost_no_pairwise_comparison() -> None:
    """500 serving and 2,000 training functions, none a copy: one candidate check each at most
    (the all-pairs comparison made a million)."""
    import time

    training = [[STATEMENTS[i % 13], STATEMENTS[(i * 7) % 13], f"x = {i}", f"y = x * {i}"]
                for i in range(2_000)]  # fmt: skip
    serving = [[f"z = {i} + w", f"w = z ** {i}", "q = [w] * 3"] for i in range(500)]
    index = _Index(
        {"serve/app.py": _module(serving, "s"), "train/fit.py": _module(training, "features")}
    )
    started = time.process_time()
    skew._reimplementation(index, ["serve/app.py"], ["train/fit.py"])
    assert time.process_time() - started < 5.0
