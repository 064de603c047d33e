"""The compiled store: reused while the sources are unchanged, rebuilt when one
changes, never left half-built, and managed with `diplograph store`."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner

from conftest import ROOT
from diplograph.cli import cli
from diplograph.project import Project
from diplograph.store import COMPLETE, open_graph, rebuild


def small_project(tmp_path: Path) -> Project:
    folder = tmp_path / "graph"
    shutil.copytree(ROOT / "ontology", folder / "ontology")
    shutil.copytree(ROOT / "queries", folder / "queries")
    (folder / "data").mkdir()
    shutil.copy(ROOT / "data" / "sources.ttl", folder / "data")
    return Project(folder)


def test_a_store_is_reused_until_a_source_changes(tmp_path: Path) -> None:
    project, cache = small_project(tmp_path), tmp_path / "cache"
    first = open_graph(project, cache)
    assert open_graph(project, cache).path == first.path
    source = project.root / "data" / "sources.ttl"
    source.write_text(source.read_text() + "\n# a comment changes the bytes\n")
    assert open_graph(project, cache).path != first.path


def test_store_info_rebuild_and_clear(tmp_path: Path) -> None:
    project, cache = small_project(tmp_path), tmp_path / "cache"
    args = ["--project", str(project.root), "--store", str(cache), "store"]
    info = CliRunner().invoke(cli, [*args, "info"])
    assert info.exit_code == 0, info.output
    assert "8  https://w3id.org/diplograph/graph/asserted/data/sources.ttl" in info.stdout
    assert info.stdout.splitlines()[-1].endswith("triples in all")
    before = open_graph(project, cache).counts()
    rebuilt = CliRunner().invoke(cli, [*args, "rebuild"])
    assert rebuilt.exit_code == 0 and "rebuilt" in rebuilt.stderr
    assert open_graph(project, cache).counts() == before
    cleared = CliRunner().invoke(cli, [*args, "clear"])
    assert cleared.exit_code == 0 and "removed 1 stores" in cleared.stderr
    assert not [p for p in cache.iterdir() if (p / COMPLETE).exists()]


def test_a_killed_compile_leaves_no_store_and_is_cleaned_up(tmp_path: Path) -> None:
    project, cache = small_project(tmp_path), tmp_path / "cache"
    for delay in (0.3, 0.6, 0.9, 1.2):
        process = subprocess.Popen(
            [sys.executable, "-m", "diplograph", "--project", str(project.root), "--store",
             str(cache), "store", "rebuild"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        published = [p for p in cache.glob("[0-9a-f]*") if p.is_dir()] if cache.exists() else []
        assert all((p / COMPLETE).is_file() for p in published), "published stores are whole"
    graph = rebuild(project, cache)
    assert graph.counts()
    assert not list(cache.glob(".build-*")), "builds of killed processes are removed"
