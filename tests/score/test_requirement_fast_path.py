"""The fast reading of everyday requirement strings agrees with packaging's on every string it
accepts, so skipping the packaging import changes no verdict."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st
from packaging.requirements import InvalidRequirement, Requirement

from mlscaffold.score.read.readers import deps

names = st.from_regex(
    r"[A-Za-z0-9][A-Za-z0-9._-]{0,12}(\[[ a-z0-9_.,-]{0,12}\] ?)?", fullmatch=True
)
ops = st.sampled_from(["==", "!=", "<=", ">=", "<", ">", "~=", "===", "=", ""])
# Non-ASCII digits (Arabic-Indic one, full-width two) are digits to \d, not to packaging.
versions = st.from_regex(
    r"[0-9\u0661\uff12]{1,3}(\.[0-9]{1,3}){0,3}(\.\*|rc1|a2|b|\+cpu)?(\.post1|post2|\.dev0)?",
    fullmatch=True,
)
spaces = st.sampled_from(["", " ", "\t"])
clause = st.tuples(spaces, ops, spaces, versions).map("".join)
marker_items = st.tuples(
    st.sampled_from(["python_version", "sys_platform", "extra", "platform_machine", "os.name",
                     "'3.12'", '"linux"', "python_implementation", "foo"]),
    spaces,
    st.sampled_from(["<", "==", "!=", ">=", "~=", "===", "in", "not in", "=", ""]),
    spaces,
    st.sampled_from(["'3.12'", '"linux"', "'a\\b'", "'x\u00e9'", "python_version", "'it''s'",
                     "'\t'", "''", "sys_platform"]),
).map("".join)  # fmt: skip
markers = st.lists(marker_items, min_size=1, max_size=3).flatmap(
    lambda items: st.sampled_from([" and ", " or ", "and", " AND "]).map(lambda op: op.join(items))
)
requirements = st.tuples(
    spaces,
    names,
    spaces,
    st.lists(clause, max_size=3).map(",".join),
    spaces,
    st.one_of(st.just(""), st.tuples(st.sampled_from([";", " ;", "; "]), markers).map("".join)),
).map("".join)


def _by_packaging(spec: str) -> tuple[str, str] | None:
    try:
        req = Requirement(spec)
    except (InvalidRequirement, ValueError, TypeError):
        return None
    specs = list(req.specifier)
    if any(s.operator in ("==", "===") for s in specs) and not any("*" in s.version for s in specs):
        pin = deps.EXACT
    elif any(s.operator not in (">=", ">", "!=") for s in specs):
        pin = deps.RANGE  # an upper bound (or a wildcard) holds versions back
    else:
        pin = deps.UNPINNED  # nothing, or only lower bounds
    return deps.normalise(req.name), pin


@settings(max_examples=800, deadline=None)
@given(requirements)
def test_fast_path_agrees_with_packaging(spec: str) -> None:
    if deps._SIMPLE_REQUIREMENT.fullmatch(spec):
        assert deps._classify_pep508(spec) == _by_packaging(spec), spec


@settings(max_examples=300, deadline=None)
@given(st.tuples(spaces, st.sampled_from([".", "'", '"', "-", "_", "[", "~", "é", "/"]),
                 requirements).map("".join))  # fmt: skip
def test_strings_that_cannot_be_requirements_are_refused_as_packaging_does(spec: str) -> None:
    """A string whose first character cannot start a PEP 508 name is refused without
    importing packaging (setup.py lists copied into requirements files, "./pkg")."""
    assert deps._classify_pep508(spec) is None
    assert _by_packaging(spec) is None, spec


def test_fast_path_takes_the_everyday_forms() -> None:
    for spec in (
        "numpy",
        "pandas==2.2.3",
        "scikit-learn>=1.4,<2",
        "mlflow >= 2",
        "uvicorn[standard]==0.30.1",
        "dask[dataframe, distributed]>=2024.1",
        "python-dateutil==2.9.0.post0",
        "torch==2.5.0rc1",
        "fastapi~=0.110",
        "backoff===1.11.1",
        "functions-framework==3.*",
        "distributed>=2022.5.0,!=2023.3.2,!=2023.4.*",
        "pillow>=11.1.0; python_version<'3.14'",
        'ts2vg<1.3; python_version < "3.13" and platform_machine != "aarch64"',
    ):
        assert deps._SIMPLE_REQUIREMENT.fullmatch(spec), spec
    assert deps._classify_pep508("pandas==2.2.3") == ("pandas", deps.EXACT)
    assert deps._classify_pep508("torch==2.1.0+cpu") == ("torch", deps.EXACT)  # packaging's path


def test_hashed_requirements_are_read_on_the_fast_path(monkeypatch) -> None:
    """pip-compile and uv write "pkg==1.2 \\" followed by --hash lines: each is read as the
    pinned requirement it is, without packaging (a generated lock file has thousands)."""
    text = (
        "accelerate==1.14.0 \\\n    --hash=sha256:41b9 \\\n    --hash=sha256:e943\n"
        "    # via docling\naiobotocore==3.8.0 \\\n    --hash=sha256:80a1\n"
    )

    def refuse(*_a, **_k):
        raise AssertionError("packaging was used")

    import packaging.requirements

    monkeypatch.setattr(packaging.requirements, "Requirement", refuse)
    found = deps.from_requirements("requirements.txt", text)
    assert [(d.name, d.pin, d.line) for d in found] == [
        ("accelerate", deps.EXACT, 1),
        ("aiobotocore", deps.EXACT, 5),
    ]


def test_continued_lines_are_joined_as_pip_joins_them() -> None:
    text = "torch \\\n    ==2.5.0\nnumpy\\\n>=1.26,<2 \\\n  --hash=sha256:ab\n# pandas==2\n"
    found = deps.from_requirements("requirements.txt", text)
    assert [(d.name, d.pin, d.line) for d in found] == [
        ("torch", deps.EXACT, 1),
        ("numpy", deps.RANGE, 3),
    ]


def test_a_run_of_backslashes_stays_bounded() -> None:
    found = deps.from_requirements("requirements.txt", "torch==2.5.0 \\\n" * 200_000 + "x\n")
    assert [d.name for d in found] == []  # one joined line, cut at its cap: not a requirement


def _logical_lines_joined_in_full(text: str):
    """The joining of backslash lines as it was before lock files' hash lines were skipped."""
    pending: list[str] = []
    size = start = 0
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.split(" #", 1)[0].strip()
        if line.startswith("#"):
            line = ""
        if line.endswith("\\"):
            if not pending:
                start = n
            if size < deps.MAX_JOINED_CHARS:
                pending.append(line[:-1])
                size += len(line)
            continue
        if pending:
            pending.append(line)
            line, n = " ".join(pending), start
            pending, size = [], 0
        yield n, line.split(" --", 1)[0].strip()
    if pending:
        yield start, " ".join(pending).split(" --", 1)[0].strip()


REQUIREMENT_LINES = [
    "numpy==1.26.4 \\", "    --hash=sha256:abc \\", "    --hash=sha256:def", "torch \\",
    "==2.5.0", "# via x", "--index-url https://x \\", "pandas", "x" * 3000 + " \\", "a #b \\",
    "--extra \\", "", "   \\", "scipy>=1 ; python_version>'3' \\", "-r other.txt",
]  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(REQUIREMENT_LINES), max_size=25))
@example([REQUIREMENT_LINES[8], REQUIREMENT_LINES[8], REQUIREMENT_LINES[1], "pandas"])
def test_lock_hash_lines_are_cut_as_the_full_join_cuts_them(lines: list[str]) -> None:
    text = "\n".join(lines)
    assert list(deps._logical_lines(text)) == list(_logical_lines_joined_in_full(text))


@given(st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,15}", fullmatch=True))
def test_normalised_names_as_pep_503_says(name: str) -> None:
    import re

    assert deps.normalise(name) == re.sub(r"[-_.]+", "-", name).lower()
