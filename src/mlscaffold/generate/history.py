"""The template's versioned history: a git bundle whose tags are mlscaffold versions.

Why a bundle: copier can only update a project from a git template whose tags give ``_commit``,
and an installed wheel has no checkout and maybe no network. So the wheel carries
``_data/template.bundle`` (built by ``hatch_build.py`` with ``build``) holding one commit per
released template, tagged ``v<version>``. Before rendering, the bundle is materialised at a
stable user-level path (:data:`RECORDED_SOURCE`), which projects record as ``_src_path`` with
``~`` so that another account or machine finds its own copy. A cached bundle is never replaced by
one that lacks tags it has: histories are merged, so projects made by any mlscaffold release that
ever ran for this user stay updatable.

A source checkout has no packaged bundle; one is built on the fly from ``template/`` (plus the
repository's version tags) and cached, keyed by a fingerprint of the template's files.

``MLSCAFFOLD_TEMPLATE_HISTORY`` points at another history (a bundle, or a git repository whose
tags are versions) instead of the installed one; the tests use it to make template versions.

This module needs only the standard library and ``packaging`` at import time, so the build hook
can load it in an isolated build environment.

    python -m mlscaffold.generate.history build --out template.bundle [--version 1.2.0]
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from packaging.version import InvalidVersion, Version

HISTORY_ENV = "MLSCAFFOLD_TEMPLATE_HISTORY"
TAG_PREFIX = "v"
# Where projects say their template lives; copier expands the ``~`` for whoever updates.
RECORDED_SOURCE = "~/.local/share/mlscaffold/template.bundle"
PACKAGED_BUNDLE = Path(__file__).resolve().parents[1] / "_data" / "template.bundle"
_STATE_SUFFIX = ".json"
_IGNORED = ("__pycache__/", "*.py[cod]", ".DS_Store")
# Fixed identity and date: the same template files always give the same commit id.
_GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "mlscaffold",
    "GIT_AUTHOR_EMAIL": "mlscaffold@localhost",
    "GIT_COMMITTER_NAME": "mlscaffold",
    "GIT_COMMITTER_EMAIL": "mlscaffold@localhost",
    "GIT_AUTHOR_DATE": "2000-01-01T00:00:00+0000",
    "GIT_COMMITTER_DATE": "2000-01-01T00:00:00+0000",
}


class HistoryError(Exception):
    """The template history cannot be built, read or cached (message is one line)."""


@dataclass(frozen=True)
class History:
    """A materialised history: the path copier reads and the version mlscaffold offers."""

    recorded_source: str  # with ``~``: what projects write as ``_src_path``
    path: Path  # the same file, expanded
    latest_tag: str  # the version the installed mlscaffold generates and updates to

    @property
    def latest_version(self) -> Version:
        return Version(self.latest_tag)


def version_tag(version: str | Version) -> str:
    return f"{TAG_PREFIX}{Version(str(version))}"


def parse_version(tag: object) -> Version | None:
    """``"v1.2.0"`` -> Version("1.2.0"); anything else -> None."""
    if not isinstance(tag, str):
        return None
    try:
        return Version(tag)
    except InvalidVersion:
        return None


# --- git plumbing ---------------------------------------------------------------------------


def _git(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    git = shutil.which("git")
    if git is None:
        raise HistoryError("git is needed to version the template but is not installed")
    # The caller's GIT_DIR, GIT_INDEX_FILE... (e.g. inside a git hook) must not leak in.
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    full_env.update(_GIT_IDENTITY)
    full_env.update(env or {})
    done = subprocess.run(  # noqa: S603 - git with arguments built here, no shell
        [git, *args], cwd=cwd, env=full_env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        detail = " ".join(done.stderr.split()) or f"exit {done.returncode}"
        raise HistoryError(f"git {args[0]} failed: {detail}")
    return done.stdout


def bundle_tags(bundle: Path) -> dict[str, str]:
    """Version tags of a bundle (or repository): tag name -> commit id."""
    if bundle.is_dir():
        out = _git("show-ref", "--tags", cwd=bundle) if _has_tags(bundle) else ""
    else:
        out = _git("bundle", "list-heads", str(bundle))
    tags: dict[str, str] = {}
    for line in out.splitlines():
        sha, _, ref = line.partition(" ")
        name = ref.removeprefix("refs/tags/")
        if ref.startswith("refs/tags/") and not name.endswith("^{}") and parse_version(name):
            tags[name] = sha
    return tags


def _has_tags(repo: Path) -> bool:
    return bool(_git("tag", "--list", cwd=repo).strip())


def latest_tag(tags: dict[str, str] | list[str] | tuple[str, ...]) -> str:
    versions = [t for t in tags if parse_version(t) is not None]
    if not versions:
        raise HistoryError("the template history has no version tags")
    return max(versions, key=lambda t: parse_version(t) or Version("0"))


# --- building a history ---------------------------------------------------------------------


def template_fingerprint(template_dir: Path) -> str:
    """A digest of the template's files (names and bytes), ignoring caches."""
    digest = hashlib.sha256()
    for path in sorted(template_dir.rglob("*")):
        rel = path.relative_to(template_dir).as_posix()
        if "__pycache__" in path.parts or path.suffix in {".pyc", ".pyo"} or path.is_dir():
            continue
        digest.update(rel.encode() + b"\0")
        digest.update(path.read_bytes() if not path.is_symlink() else os.readlink(path).encode())
        digest.update(b"\0")
    return digest.hexdigest()


def _repo_template_versions(repo: Path, subdir: str, below: Version) -> list[tuple[Version, str]]:
    """(version, tree id of ``subdir``) for each version tag of ``repo`` older than ``below``."""
    if not (repo / ".git").exists():
        return []
    found = []
    for tag in _git("tag", "--list", cwd=repo).split():
        version = parse_version(tag)
        if version is None or version >= below:
            continue
        with contextlib.suppress(HistoryError):  # a release before the template existed
            tree = _git("rev-parse", "--verify", f"{tag}^{{commit}}:{subdir}", cwd=repo).strip()
            found.append((version, tree))
    return sorted(found)


def build_bundle(
    out: Path,
    template_dir: Path,
    version: str | Version,
    repo: Path | None = None,
    subdir: str = "template",
) -> dict[str, str]:
    """Write a bundle of ``repo``'s released ``subdir`` trees plus ``template_dir`` as ``version``.

    Older versions come from the repository's version tags (each tag's ``subdir`` tree, tagged
    with that version); the working template becomes the newest commit, tagged ``version``.
    Returns the bundle's tags.
    """
    current = Version(str(version))
    with tempfile.TemporaryDirectory(prefix="mlscaffold-history-") as tmp:
        work = Path(tmp)
        git_dir = work / "history.git"
        _git("init", "--quiet", "--bare", str(git_dir))
        if repo is not None and (repo / ".git").exists():
            # Borrow the repository's objects instead of copying them.
            objects = _git("rev-parse", "--path-format=absolute", "--git-common-dir", cwd=repo)
            alternates = git_dir / "objects" / "info" / "alternates"
            alternates.write_text(str(Path(objects.strip()) / "objects") + "\n")
        gd = f"--git-dir={git_dir}"
        parent: str | None = None
        tags: dict[str, str] = {}
        trees = _repo_template_versions(repo, subdir, current) if repo is not None else []
        excludes = work / "exclude"
        excludes.write_text("\n".join(_IGNORED) + "\n")
        index_env = {"GIT_INDEX_FILE": str(work / "index")}
        _git(
            gd,
            f"--work-tree={template_dir}",
            "-c",
            f"core.excludesFile={excludes}",
            "add",
            "--all",
            env=index_env,
        )
        working_tree = _git(gd, "write-tree", env=index_env).strip()
        for release, tree in [*trees, (current, working_tree)]:
            tag = version_tag(release)
            args = [gd, "commit-tree", tree, "-m", f"mlscaffold template {release}"]
            if parent is not None:
                args += ["-p", parent]
            parent = _git(*args).strip()
            _git(gd, "tag", tag, parent)
            tags[tag] = parent
        if parent is None:  # unreachable: the working template is always committed
            raise HistoryError("no template version to bundle")
        _git(gd, "update-ref", "refs/heads/main", parent)
        _git(gd, "symbolic-ref", "HEAD", "refs/heads/main")
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_name(out.name + ".partial")
        _git(gd, "bundle", "create", "--quiet", str(partial), "HEAD", "--all")
        os.replace(partial, out)
    return tags


def bundle_repository(repo: Path, out: Path) -> dict[str, str]:
    """Bundle an existing template repository (every branch and tag)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    _git("bundle", "create", "--quiet", str(partial), "--all", cwd=repo)
    os.replace(partial, out)
    return bundle_tags(out)


# --- the user-level cache -------------------------------------------------------------------


def cache_path() -> Path:
    return Path(RECORDED_SOURCE).expanduser()


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Serialise writers of the cache (parallel ``mlscaffold new`` runs share it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no advisory locks, writes stay atomic
        yield
        return
    with open(path.with_name(path.name + ".lock"), "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _read_state(cache: Path) -> dict[str, str]:
    """Which sources the cached bundle already holds: identity -> the source's latest tag."""
    try:
        state = json.loads(cache.with_name(cache.name + _STATE_SUFFIX).read_text())
    except (OSError, ValueError):
        return {}
    sources = state.get("sources") if isinstance(state, dict) else None
    return {str(k): str(v) for k, v in sources.items()} if isinstance(sources, dict) else {}


def _write_state(cache: Path, sources: dict[str, str]) -> None:
    state_file = cache.with_name(cache.name + _STATE_SUFFIX)
    partial = state_file.with_name(state_file.name + ".partial")
    partial.write_text(json.dumps({"sources": sources}, indent=2, sort_keys=True) + "\n")
    os.replace(partial, state_file)


def _merge_into_cache(cache: Path, source: Path) -> None:
    """Replace ``cache`` by the union of both bundles' tags; ``source`` wins on a clash."""
    with tempfile.TemporaryDirectory(prefix="mlscaffold-merge-") as tmp:
        git_dir = Path(tmp) / "merge.git"
        _git("init", "--quiet", "--bare", str(git_dir))
        gd = f"--git-dir={git_dir}"
        _git(gd, "fetch", "--quiet", str(cache), "refs/tags/*:refs/tags/*")
        _git(gd, "fetch", "--quiet", "--force", str(source), "refs/tags/*:refs/tags/*")
        tags = bundle_tags(git_dir)
        _git(gd, "update-ref", "refs/heads/main", tags[latest_tag(tags)])
        _git(gd, "symbolic-ref", "HEAD", "refs/heads/main")
        partial = cache.with_name(cache.name + ".partial")
        _git(gd, "bundle", "create", "--quiet", str(partial), "HEAD", "--all")
        os.replace(partial, cache)


def materialise(source: Path, identity: str, latest: str | None = None) -> History:
    """Make the user-level cache hold ``source``'s tags (keeping its own) and describe it.

    ``identity`` names the source's content; when the cache already holds it, nothing is done.
    """
    cache = cache_path()
    try:
        with _locked(cache):
            known = _read_state(cache)
            if cache.is_file() and identity in known:
                return History(RECORDED_SOURCE, cache, known[identity])
            source_tags = bundle_tags(source)
            top = latest or latest_tag(source_tags)
            cached_tags = bundle_tags(cache) if cache.is_file() else {}
            if set(cached_tags) <= set(source_tags):
                partial = cache.with_name(cache.name + ".partial")
                shutil.copyfile(source, partial)
                os.replace(partial, cache)
                known = {}
            else:  # the cache has versions this source lacks: keep them
                _merge_into_cache(cache, source)
                # The source's tags replaced same-named ones; sources built on those may differ.
                known = {k: v for k, v in known.items() if v not in source_tags}
            known[identity] = top
            _write_state(cache, known)
            return History(RECORDED_SOURCE, cache, top)
    except OSError as exc:
        raise HistoryError(
            f"cannot write the template history at {cache}: {exc.strerror or exc}"
        ) from exc


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def installed_history() -> History:
    """Materialise the history this installation ships (or is pointed at) and describe it."""
    override = os.environ.get(HISTORY_ENV)
    if override:
        return _override_history(Path(override).expanduser())
    if PACKAGED_BUNDLE.is_file():
        return materialise(PACKAGED_BUNDLE, f"bundle:{_file_digest(PACKAGED_BUNDLE)}")
    return _checkout_history()


def questions_dir() -> Path | None:
    """A directory whose copier.yml holds the questions of the installed history's newest version.

    mlscaffold reads questions before rendering (to reject unknown answers and pick defaults).
    An overriding repository is read from its work tree; an overriding bundle cannot be read
    without a clone, so copier alone validates its answers.
    """
    override = os.environ.get(HISTORY_ENV)
    if override:
        path = Path(override).expanduser()
        return path if path.is_dir() else None
    from mlscaffold.resources import data_dir

    return data_dir("template")


def installed_template_dir() -> Path | None:
    """The template directory whose files are the installed history's newest tag, if any.

    The wheel's ``_data/template`` and its bundle come from the same files at build time; a
    checkout's history is keyed by the fingerprint of ``template/``. An override has no such
    directory.
    """
    if os.environ.get(HISTORY_ENV):
        return None
    from mlscaffold.resources import data_dir

    return data_dir("template")


def record_source(answers_file: Path, recorded_source: str, tag: str) -> None:
    """Write ``_commit`` and ``_src_path`` into an answers file rendered from a plain directory.

    Copier records them itself when it renders from the bundle; rendering the same tree from the
    directory gives the same files, so only these two lines differ.
    """
    lines = answers_file.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith(("_commit:", "_src_path:"))]
    at = next((i for i, line in enumerate(kept) if not line.startswith("#")), len(kept))
    kept[at:at] = [f"_commit: {tag}\n", f"_src_path: {recorded_source}\n"]
    answers_file.write_text("".join(kept), encoding="utf-8")


def _override_history(source: Path) -> History:
    if source.is_dir() and (source / ".git").exists():
        refs = _git("show-ref", cwd=source)
        identity = "repo:" + hashlib.sha256(f"{source.resolve()}\n{refs}".encode()).hexdigest()
        known = _read_state(cache_path())
        if cache_path().is_file() and identity in known:
            return History(RECORDED_SOURCE, cache_path(), known[identity])
        with tempfile.TemporaryDirectory(prefix="mlscaffold-history-") as tmp:
            bundle = Path(tmp) / "template.bundle"
            bundle_repository(source, bundle)
            return materialise(bundle, identity)
    if source.is_file():
        return materialise(source, f"bundle:{_file_digest(source)}")
    raise HistoryError(f"{HISTORY_ENV}={source} is neither a git bundle nor a git repository")


def _checkout_history() -> History:
    """A source checkout: build the history from ``template/`` once per template content."""
    from mlscaffold import __version__
    from mlscaffold.resources import data_dir

    template_dir = data_dir("template")
    repo = template_dir.parent
    tags = _git("tag", "--list", cwd=repo) if (repo / ".git").exists() else ""
    identity = (
        "checkout:"
        + hashlib.sha256(
            f"{__version__}\n{template_fingerprint(template_dir)}\n{tags}".encode()
        ).hexdigest()
    )
    cache = cache_path()
    known = _read_state(cache)
    if cache.is_file() and identity in known:  # the common case: no git work at all
        return History(RECORDED_SOURCE, cache, known[identity])
    with tempfile.TemporaryDirectory(prefix="mlscaffold-history-") as tmp:
        bundle = Path(tmp) / "template.bundle"
        build_bundle(bundle, template_dir, __version__, repo=repo)
        return materialise(bundle, identity, latest=version_tag(__version__))


# --- command line (used by hatch_build.py and by hand) ---------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mlscaffold.generate.history")
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="build the template history bundle")
    build.add_argument("--out", type=Path, required=True)
    build.add_argument("--template", type=Path, default=None, help="default: ./template")
    build.add_argument("--version", default=None, help="default: mlscaffold's version")
    build.add_argument("--repo", type=Path, default=None, help="git repository with release tags")
    args = parser.parse_args(argv)
    root = Path(__file__).resolve().parents[3]
    template_dir = args.template or root / "template"
    version = args.version
    if version is None:
        from mlscaffold import __version__ as version
    repo = args.repo or template_dir.resolve().parent
    try:
        tags = build_bundle(args.out, template_dir, version, repo=repo)
    except HistoryError as exc:
        print(f"history: error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {args.out} with tags {', '.join(sorted(tags, key=parse_version))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
