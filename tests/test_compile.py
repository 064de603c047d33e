"""Compiling a store from broken sources: the error names the file, line and column,
and no store is published."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import ROOT
from diplograph.errors import RdfSyntaxError
from diplograph.project import Project
from diplograph.store.cache import open_graph
from diplograph.store.folder import COMPLETE

pytestmark = pytest.mark.slow  # every test here compiles stores of its own


@pytest.mark.parametrize(("text", "message"), [
    ("<http://e/a> <http://e/b> <http://e/c> .\n<http://e/a> <http://e/b> <rel> .\n",
     "data/broken.ttl:2:27: No scheme found in an absolute IRI"),
    ("<http://e/a> <http://e/b> .\n", "data/broken.ttl:1:"),
])
@pytest.mark.parametrize("earlier", [False, True], ids=["new store", "update"])
def test_a_broken_source_fails_with_its_position(tmp_path: Path, text: str, message: str,
                                                 earlier: bool) -> None:
    folder = tmp_path / "graph"
    shutil.copytree(ROOT / "ontology", folder / "ontology")
    shutil.copytree(ROOT / "queries", folder / "queries")
    (folder / "data").mkdir()
    if earlier:  # a store to update exists: the error and the outcome are the same
        (folder / "data" / "broken.ttl").write_text("<http://e/a> <http://e/b> <http://e/c> .")
        open_graph(Project(folder), tmp_path / "cache")
    stores = set((tmp_path / "cache").glob(f"*/{COMPLETE}"))
    (folder / "data" / "broken.ttl").write_text(text)
    with pytest.raises(RdfSyntaxError) as caught:
        open_graph(Project(folder), tmp_path / "cache")
    assert str(caught.value).startswith(message)
    assert set((tmp_path / "cache").glob(f"*/{COMPLETE}")) == stores, "nothing published"
    assert not list((tmp_path / "cache").glob(".build-*")), "no build folder left"
