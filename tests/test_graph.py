"""The front door, used from Python without the command line."""

from __future__ import annotations

import gzip
import hashlib
import io
from pathlib import Path

import pyoxigraph as ox
import pytest

from diplograph import Graph
from diplograph.errors import InputError, UsageError
from diplograph.project import Project
from diplograph.store.cache import KnowledgeGraph
from diplograph.store.folder import INFERRED

FACTS = Path(__file__).parent / "fixtures" / "facts"


@pytest.fixture(scope="module")
def front(project: Project, store_dir: Path, graph: KnowledgeGraph) -> Graph:
    return Graph.open(project.root, store_dir)


def test_a_named_query_takes_parameters_as_keywords(front: Graph) -> None:
    result = front.query("relations", country="Qazaxıstan")
    assert result.columns[:2] == ("relation", "partner_code")
    assert [row[1].value for row in result.rows if row[1]] == ["AZ"]


def test_a_repeatable_parameter_takes_a_list(front: Graph) -> None:
    both = front.query("votes", country=["KZ", "UZ"])
    alone = [front.query("votes", country=code) for code in ("KZ", "UZ")]
    assert len(both.rows) == sum(len(r.rows) for r in alone) > 0


def test_the_text_that_ran_holds_the_values(front: Graph) -> None:
    named = front.named("relations")
    result = front.run(named, {"country": "KZ"})
    assert "<https://w3id.org/diplograph/country/KZ>" in front.sparql_of(named, result)


def test_errors_are_the_library_errors(front: Graph) -> None:
    with pytest.raises(InputError):
        front.query("relations", country="Atlantis")
    with pytest.raises(UsageError):
        front.query("relations")
    with pytest.raises(InputError):
        front.sparql("SELECT * WHERE { SERVICE <http://example.org/> { ?s ?p ?o } }")


def test_sparql_and_explain(front: Graph) -> None:
    result = front.sparql("PREFIX dgr: <https://w3id.org/diplograph/resource/> "
                          "SELECT ?r WHERE { VALUES ?r { dgr:relation-AZ-KZ } }")
    supports = front.explain(result.rows[0])
    assert supports[0].sources == ("000_83205e02681364cb",)
    assert {q.language for q in supports[0].quotes} >= {"az", "en"}


def test_validate_reads_files(front: Graph) -> None:
    assert front.validate([FACTS / "good.ttl"]).conforms()
    assert not front.validate([FACTS / "end-before-start.ttl"]).conforms()


def test_export_holds_every_asserted_triple(front: Graph) -> None:
    sink = io.BytesIO()
    written = front.export(sink, ox.RdfFormat.N_TRIPLES)
    parsed = list(ox.parse(sink.getvalue(), format=ox.RdfFormat.N_TRIPLES))
    assert len(parsed) == written.triples > 50_000


def test_add_dry_run_changes_nothing(front: Graph) -> None:
    target = front.project.root / "data" / "additions.ttl"
    before = target.read_bytes() if target.exists() else None
    addition = front.add([FACTS / "good.ttl"], dry_run=True)
    assert addition.added and addition.block
    assert (target.read_bytes() if target.exists() else None) == before


def test_store_info_counts_what_the_store_holds(front: Graph, graph: KnowledgeGraph) -> None:
    info = front.store_info()
    assert info.path == graph.path and info.size > 0 and info.stores >= 1
    assert info.cache_size >= info.size
    assert info.counts[INFERRED] == sum(front.inferred().values()) > 0


def test_inferred_counts_each_property(front: Graph, graph: KnowledgeGraph) -> None:
    counts = front.inferred()
    assert len(counts) > 3
    for prop, n in counts.most_common(3):
        held = graph.store.quads_for_pattern(None, ox.NamedNode(prop), None, INFERRED)
        assert n == sum(1 for _ in held) > 0


def test_lint_and_completion_without_the_command_line(front: Graph) -> None:
    assert front.lint() == []
    assert {"AZ", "UZ", "KZ"} <= set(front.country_codes())


def test_a_manifest_counts_the_dump_it_describes(front: Graph) -> None:
    sink = io.BytesIO()
    written = front.export(sink, ox.RdfFormat.N_QUADS, compressed=True)
    sidecar = front.manifest(written)
    data = sink.getvalue()
    assert sidecar["bytes"] == len(data) and sidecar["sha256"] == hashlib.sha256(data).hexdigest()
    quads = list(ox.parse(gzip.decompress(data), format=ox.RdfFormat.N_QUADS))
    assert sidecar["triples"] == len(quads) == sum(sidecar["graphs"].values())


def test_limited_keeps_the_open_store(front: Graph) -> None:
    front.compile()
    unbounded = front.limited(None)
    assert unbounded.limits is None and unbounded.is_open
    assert unbounded.compiled is front.compiled
