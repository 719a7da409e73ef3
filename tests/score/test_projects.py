"""Monorepo detection: which folders are sub-projects of their own."""

from __future__ import annotations

from pathlib import Path

from mlscaffold.score.read.projects import find_projects


def _w(root: Path, rel: str, text: str = "x\n") -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_a_dockerfile_above_a_project_folder_makes_the_service_the_sub_project(tmp_path) -> None:
    _w(tmp_path, "cloudrun/api/Dockerfile", "FROM python:3.11-slim\nCOPY app /app\n")
    _w(tmp_path, "cloudrun/api/app/requirements.txt", "flask==3.0.0\n")
    _w(tmp_path, "trainer/requirements.txt", "scikit-learn==1.5.0\n")
    assert sorted(find_projects(str(tmp_path))) == ["cloudrun/api", "trainer"]


def test_a_docs_folder_below_a_dockerfile_does_not_make_a_sub_project(tmp_path) -> None:
    """A JS front end's Dockerfile beside its mkdocs docs/requirements.txt is no Python
    project: the repository stays one project (its model/ folder the only marker)."""
    _w(tmp_path, "model/requirements.txt", "scikit-learn==1.5.0\n")
    _w(tmp_path, "webapp/Dockerfile", "FROM node:20\n")
    _w(tmp_path, "webapp/package.json", "{}\n")
    _w(tmp_path, "webapp/docs/requirements.txt", "mkdocs==1.6.0\n")
    assert find_projects(str(tmp_path)) == []


def test_the_child_scan_does_not_depend_on_the_directory_order(tmp_path) -> None:
    """Among 80 child folders, the one with a marker is found wherever the file system lists
    it (the first version looked at the first 50 in scandir's order)."""
    _w(tmp_path, "svc/Dockerfile", "FROM python:3.11-slim\n")
    for n in range(80):
        (tmp_path / "svc" / f"d{n:02d}").mkdir()
    _w(tmp_path, "svc/d15/requirements.txt", "flask==3.0.0\n")
    _w(tmp_path, "trainer/requirements.txt", "scikit-learn==1.5.0\n")
    assert sorted(find_projects(str(tmp_path))) == ["svc", "trainer"]
