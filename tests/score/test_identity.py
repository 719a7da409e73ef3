"""Repository identity read from .git without running git: HEAD, refs, packed-refs, the origin
URL without credentials, and nothing followed out of the repository."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from mlscaffold.score.identity import clean_remote, identify, remote_key
from tests.conftest import run_cli

GIT_ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.invalid",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.invalid",
}


def _git(root, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(root), *args], check=True, capture_output=True, text=True, env=GIT_ENV
    )
    return done.stdout.strip()


@pytest.fixture
def repo(tree):
    root = tree({"README.md": "# x\n", "services/churn/train.py": "m.fit(X, y)\n"})
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "first")
    _git(root, "remote", "add", "origin", "https://bot:ghp_s3cr3tT0ken@github.com/acme/churn.git")
    return root


def test_commit_branch_and_remote_without_credentials(repo) -> None:
    head = _git(repo, "rev-parse", "HEAD")
    out = run_cli("score", str(repo / "services" / "churn"), "-f", "json")
    assert out.returncode == 0, out.stderr
    identity = json.loads(out.stdout)["repository"]
    assert identity == {
        "root": str(repo),
        "path": "services/churn",
        "commit": head,
        "branch": "main",
        "remote": "https://github.com/acme/churn.git",
    }
    assert "s3cr3t" not in out.stdout and "bot:" not in out.stdout


def test_packed_refs_and_a_detached_head(repo) -> None:
    head = _git(repo, "rev-parse", "HEAD")
    _git(repo, "pack-refs", "--all")
    assert not (repo / ".git" / "refs" / "heads" / "main").exists()
    assert identify(str(repo)).commit == head
    _git(repo, "checkout", "-q", "--detach")
    found = identify(str(repo))
    assert (found.commit, found.branch) == (head, None)


def test_outside_git_the_path_is_relative_to_the_folder_given(tree) -> None:
    root = tree({"a/b/x.py": "x = 1\n"})
    found = identify(str(root / "a" / "b"), base=str(root))
    assert (found.root, found.path, found.commit, found.remote) == (None, "a/b", None, None)


def test_links_out_of_the_repository_are_not_followed(repo, tmp_path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "HEAD").write_text("0123456789abcdef0123456789abcdef01234567\n")
    (outside / "config").write_text('[remote "origin"]\n\turl = https://evil.example/x\n')
    git = repo / ".git"
    (git / "HEAD").unlink()
    os.symlink(outside / "HEAD", git / "HEAD")
    (git / "config").unlink()
    os.symlink(outside / "config", git / "config")
    found = identify(str(repo))
    assert (found.root, found.commit, found.remote) == (str(repo), None, None)
    # a ref folder that is a link
    (git / "HEAD").unlink()
    (git / "HEAD").write_text("ref: refs/heads/main\n")
    heads = git / "refs" / "heads"
    for child in heads.iterdir():
        child.unlink()
    heads.rmdir()
    (outside / "heads").mkdir()
    (outside / "heads" / "main").write_text("0123456789abcdef0123456789abcdef01234567\n")
    os.symlink(outside / "heads", heads)
    (git / "packed-refs").unlink(missing_ok=True)
    assert identify(str(repo)).commit is None


def test_a_gitdir_pointer_is_not_followed(tree, tmp_path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "HEAD").write_text("0123456789abcdef0123456789abcdef01234567\n")
    root = tree({".git": f"gitdir: {elsewhere}\n", "x.py": "x = 1\n"})
    found = identify(str(root))
    assert (found.root, found.commit) == (str(root), None)


@pytest.mark.parametrize(
    "head",
    [
        "ref: refs/heads/../../../../etc/passwd\n",
        "ref: /etc/passwd\n",
        "ref: refs/heads/main.lock\n",
        "\x00" * 5000,
        "not a ref\n",
    ],
)
def test_a_hostile_head_yields_no_commit(repo, head) -> None:
    (repo / ".git" / "HEAD").write_text(head)
    assert identify(str(repo)).commit is None


def test_hostile_config_is_read_safely(repo) -> None:
    config = repo / ".git" / "config"
    config.write_bytes(
        b'[core]\n\tfsmonitor = touch /tmp/x\n[remote "upstream"]\n\turl = https://u/x\n'
        b'[remote "origin"] url = "ssh://me:pw@host.example:2222/a/b.git" ; comment\n'
        + b"\xff\xfe"
        * 1000
    )
    assert identify(str(repo)).remote == "ssh://host.example:2222/a/b.git"
    config.write_bytes(b"[" * (300 * 1024))  # past the size cap and nonsense
    assert identify(str(repo)).remote is None


@pytest.mark.parametrize(
    "url, clean",
    [
        ("https://x-access-token:abc@github.com/o/r.git", "https://github.com/o/r.git"),
        ("https://github.com/o/r?token=abc#frag", "https://github.com/o/r"),
        ("git@github.com:o/r.git", "github.com:o/r.git"),
        ("/srv/git/r.git", "/srv/git/r.git"),
        ("https://[::1]:8080/r", "https://[::1]:8080/r"),
        ("https://h/\x1b[31mred", None),
        ("", None),
    ],
)
def test_clean_remote(url, clean) -> None:
    assert clean_remote(url) == clean


def test_remote_key_joins_the_spellings_of_one_repository() -> None:
    spellings = [
        "https://github.com/Acme/Churn.git",
        "git@github.com:acme/churn.git",
        "ssh://github.com/acme/churn/",
        "github.com:acme/churn",
    ]
    assert {remote_key(s) for s in spellings} == {"github.com/acme/churn"}
    assert remote_key("https://gitlab.com/acme/churn") != remote_key(spellings[0])
