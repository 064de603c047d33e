"""Shared fixtures: the bundled project, one compiled store per test session, a CLI runner."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from diplograph.cli import cli
from diplograph.project import Project
from diplograph.store import KnowledgeGraph, open_graph

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "corpus"
W3C = CORPUS / "w3c-rdf-tests"

Run = Callable[..., Result]


@pytest.fixture(scope="session")
def project() -> Project:
    return Project(ROOT)


@pytest.fixture(scope="session")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("store")


@pytest.fixture(scope="session")
def graph(project: Project, store_dir: Path) -> KnowledgeGraph:
    return open_graph(project, store_dir)


@pytest.fixture
def run(project: Project, store_dir: Path, graph: KnowledgeGraph) -> Run:
    """Invoke the CLI on the bundled project; stdout and stderr kept apart."""

    def invoke(*args: str, input: str | None = None) -> Result:
        return CliRunner().invoke(
            cli, ["--project", str(project.root), "--store", str(store_dir), *args], input=input
        )

    return invoke


@pytest.fixture
def worker_pieces(monkeypatch: pytest.MonkeyPatch) -> list[dict[int, bytes]]:
    """What the worker process of each shared dump wrote, by piece, as dumps are made."""
    from diplograph import workers

    written: list[dict[int, bytes]] = []
    back = workers._Share.back

    def spy(share: workers._Share) -> dict[int, bytes]:
        written.append(back(share))
        return written[-1]

    monkeypatch.setattr(workers._Share, "back", spy)
    return written
