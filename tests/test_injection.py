"""Attack strings fed to every parameter of every stored query are refused with a clear
error or matched as plain values: no extra rows, no change to the graph or its sources,
no network, file or process access, and never read as query syntax."""

from __future__ import annotations

import hashlib
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
import pytest

from conftest import ROOT, Run
from diplograph.errors import DiplographError
from diplograph.project import Project
from diplograph.rdf.reading import blank_noise
from diplograph.sparql.catalog import Catalog, NamedQuery, load_query
from diplograph.sparql.header import Parameter
from diplograph.sparql.labelling import label_lookups
from diplograph.sparql.running import Result, Values, run_named, run_sparql
from diplograph.sparql.safety import CHECKED
from diplograph.sparql.template import values_block
from diplograph.store.cache import KnowledgeGraph, Term

ATTACKS = (
    'France" || true || "',
    "France\\u0022 || true || \\u0022",
    "x> } ; DELETE WHERE { ?s ?p ?o } ; INSERT DATA { <x",
    "x\" } } ; DROP ALL ; SELECT * { ?s ?p ?o } #",
    "AZ\n} UNION { ?s ?p ?o }",
    "AZ\tFILTER(true)",
    "AZ\x00",
    "AZ\n",
    "http://example.org/a>b",
    "http://example.org/a b",
    "<https://w3id.org/diplograph/country/AZ>",
    "dgr:relation-AZ-KZ> . ?s ?p ?o",
    "en\") || true || (\"",
    "2008\" || true",
    "abstain\" || true || \"",
    "Kazakhstan@en\" || true || \"@en",
    "SERVICE <http://example.org/sparql> { ?s ?p ?o }",
)
EVENTS = ("socket.", "subprocess.", "os.system", "os.exec", "os.posix_spawn", "os.spawn",
          "os.fork", "urllib.", "http.", "ftplib.", "shutil.", "os.remove", "os.rename")
ALLOWED_READS = tuple(str(p) for p in {Path(sys.prefix), Path(sys.base_prefix), ROOT / "src",
                                       ROOT / "queries"})
audit: list[tuple[str, str]] | None = None


def _hook(event: str, args: tuple[object, ...]) -> None:
    if audit is None:
        return
    if event.startswith(EVENTS):
        audit.append((event, repr(args)[:200]))
    elif event == "open" and args and isinstance(args[0], str | Path):
        path = str(args[0])
        if not path.startswith(ALLOWED_READS) and f"/{CHECKED}/" not in path:
            audit.append((event, path))  # the query check's verdicts are its own memo


sys.addaudithook(_hook)


@contextmanager
def watching() -> Iterator[list[tuple[str, str]]]:
    """What the code under test did that it must not: network, processes, stray files."""
    global audit
    audit = []
    try:
        yield audit
    finally:
        audit = None


@pytest.fixture(scope="module")
def catalog(project: Project) -> Catalog:
    return Catalog.load(project.queries_dir)


def state(graph: KnowledgeGraph, project: Project) -> tuple[object, ...]:
    """The store's size and files, and the bytes of every source file."""
    return (sum(1 for _ in graph.store),
            sorted((p.name, p.stat().st_mtime_ns) for p in graph.path.iterdir()),
            [hashlib.sha256(p.read_bytes()).hexdigest() for p in project.source_files])


def required_values(named: NamedQuery) -> dict[str, tuple[str, ...]]:
    """The values of the first example that sets every required parameter."""
    return next(dict(e.params) for e in named.examples
                if all(p.name in e.params for p in named.parameters if p.required))


def cases(catalog: Catalog) -> Iterator[tuple[NamedQuery, Parameter, str]]:
    for named in catalog.queries.values():
        for parameter in named.parameters:
            for attack in ATTACKS:
                yield named, parameter, attack


def attempt(graph: KnowledgeGraph, named: NamedQuery, values: Values) -> Result | str:
    try:
        return run_named(graph, named, values)
    except DiplographError as exc:
        return exc.message


def syntax(sparql: str) -> str:
    """The query text with strings, IRIs and comments blanked and white space dropped:
    what the parser reads as syntax."""
    return re.sub(r"\s+", "", blank_noise(sparql))


def harmless(term: Term) -> Term:
    """A plain term of the same kind as `term`."""
    if isinstance(term, ox.Literal):
        return ox.Literal("x", language=term.language,
                          datatype=None if term.language else term.datatype)
    return ox.NamedNode("https://example.org/x")


def check_attack(graph: KnowledgeGraph, named: NamedQuery, parameter: Parameter,
                 attack: str, texts: list[str]) -> bool:
    """Refused with a one-line error naming the parameter (False), or matched as a plain
    value (True): no more rows than without it, the same rows through --show-sparql."""
    base = required_values(named)
    texts.clear()
    outcome = attempt(graph, named, {**base, parameter.name: attack})
    if isinstance(outcome, str):
        assert "\n" not in outcome and f"--{parameter.name}" in outcome, outcome
        return False
    shown = named.bind(outcome.bound)  # what --show-sparql prints, as it ran (with its
    # names in one language looked up in the label index, see `labelling`)
    lookups = label_lookups(graph.path, named.template, outcome.bound)
    assert texts == [shown if lookups is None else lookups.text]
    (term,) = outcome.bound[parameter.name]
    assert syntax(shown) == syntax(named.bind({**outcome.bound,
                                                          parameter.name: (harmless(term),)}))
    if isinstance(term, ox.Literal) and term.value == attack:
        if parameter.required:
            assert outcome.rows == (), (named.name, parameter.name, attack)
        else:
            unset = {k: v for k, v in base.items() if k != parameter.name}
            assert set(outcome.rows) <= set(run_named(graph, named, unset).rows)
        printed = run_sparql(graph, shown)
        keep = [printed.columns.index(c) for c in outcome.columns]
        shown_rows = dict.fromkeys(tuple(r[i] for i in keep) for r in printed.rows)
        assert list(shown_rows) == list(outcome.rows)
    else:  # whitespace around a code or name is trimmed: the plain value it names
        clean = run_named(graph, named, {**base, parameter.name: attack.strip()})
        assert outcome.rows == clean.rows, (named.name, parameter.name, attack)
    return True


@pytest.mark.slow
def test_every_attack_on_every_parameter_is_refused_or_a_plain_value(
    graph: KnowledgeGraph, catalog: Catalog, project: Project, monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = state(graph, project)
    texts: list[str] = []
    real_query = KnowledgeGraph.query

    def spy(self: KnowledgeGraph, sparql: str, *args: object, **kwargs: object) -> object:
        texts.append(sparql)
        return real_query(self, sparql, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(KnowledgeGraph, "query", spy)
    with watching() as events:
        outcomes = [check_attack(graph, named, parameter, attack, texts)
                    for named, parameter, attack in cases(catalog)]
    assert events == []
    assert outcomes.count(False) > 150 and outcomes.count(True) > 20
    assert state(graph, project) == before


@pytest.mark.parametrize("attack", (*ATTACKS, "a\x00b", "\n\r\t", "\\", '\\\\u0022"', "é\u2028"))
def test_bound_values_carry_any_string_exactly(attack: str, tmp_path: Path) -> None:
    store = ox.Store()
    path = tmp_path / "echo.rq"
    path.write_text("#+ summary: Echo.\n#+ params: {v: {type: string}}\n"
                    "SELECT $v ?w WHERE { BIND($v AS ?w) }\n")
    named = load_query(path)
    for literal in (ox.Literal(attack), ox.Literal(attack, language="en")):
        inlined = named.bind({"v": (literal,)})
        listed = "SELECT $v WHERE {" + values_block({"v": (literal, ox.Literal("x"))}) + " }"
        [solution] = list(store.query(inlined))  # type: ignore[arg-type]
        assert solution["v"] == solution["w"] == literal
        assert [s["v"] for s in store.query(listed)] == [literal, ox.Literal("x")]  # type: ignore[union-attr]


@pytest.mark.parametrize("attack", ATTACKS[:8])
def test_the_cli_refuses_or_answers_in_one_line(run: Run, attack: str) -> None:
    for args in (["search", "--text", attack], ["relations", "--country", attack],
                 ["sources", "--subject", attack], ["names", "--name", attack],
                 ["timeline", "--a", "AZ", "--b", "UZ", "--from", attack]):
        result = run("query", *args, "--format", "csv")
        assert result.exit_code in (0, 3), (args, result.output)
        if result.exit_code == 3:
            assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith("error: ")
        else:
            assert result.stdout.count("\n") <= 3, (args, result.stdout)
