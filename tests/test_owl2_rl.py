"""The W3C OWL 2 test cases of the RL profile (tests/corpus/w3c-owl2-tests/all.rdf):
for each, the native engine's entailments and inconsistencies equal owlrl's, and both
give the suite's expected answer (the conclusion entailed or not, the premise consistent
or not) except where owlrl is shown wrong (`OWLRL_WRONG`, with the reason)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import pyoxigraph as ox
import pytest

from conftest import CORPUS
from diplograph.reasoning.closure import entailed_ntriples, reason
from diplograph.reasoning.engines import Engine

TEST = "http://www.w3.org/2007/OWL/testOntology#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
SUITE = CORPUS / "w3c-owl2-tests" / "all.rdf"

#: Cases the suite expects otherwise than owlrl (and so the native engine) answers.
OWLRL_WRONG = {name: reason for reason, names in {
    "the conclusion is membership of a class expression (owl:complementOf, owl:unionOf): "
    "the OWL 2 RL rules derive assertions of named classes only": (
        "DisjointClasses-001", "DisjointClasses-003", "New-Feature-ObjectQCR-002",
        "WebOnt-I5.5-005"),
    "the conclusion is owl:differentFrom or owl:AllDifferent, which no OWL 2 RL rule "
    "derives (eq-diff1..3 only check them)": (
        "New-Feature-DisjointDataProperties-002", "New-Feature-DisjointObjectProperties-001",
        "New-Feature-DisjointObjectProperties-002", "owl2-rl-rules-fp-differentFrom",
        "owl2-rl-rules-ifp-differentFrom", "WebOnt-differentFrom-001"),
    "a functional data property with two different values: prp-fp equates the two "
    "literals, a contradiction owlrl skips rather than reports": ("New-Feature-Keys-006",),
    "owl:ReflexiveProperty is outside OWL 2 RL: no rule makes x p x": (
        "New-Feature-ReflexiveProperty-001",),
    "an annotation copied to an equivalent class holds under the Direct Semantics only; "
    "the RL rules copy along owl:sameAs, not owl:equivalentClass": (
        "WebOnt-I4.6-005-Direct", "WebOnt-equivalentClass-008-Direct"),
    "a range widened along the XSD datatype hierarchy (xsd:byte to xsd:short): owlrl has "
    "no datatype subsumption rule": ("WebOnt-I5.8-006", "WebOnt-I5.8-008", "WebOnt-I5.8-009"),
    "the conclusion comes from an owl:imports document, which is never fetched": (
        "WebOnt-imports-011",),
    "the conclusion is an owl:TransitiveProperty declaration implied by a property chain, "
    "a schema entailment the RL rules do not make": ("chain2trans1",),
}.items() for name in names}
#: Cases that cannot run: their premise is given only in OWL functional syntax.
NO_RDF_PREMISE = {"Plus and Minus Zero are Distinct", "functionality-clash",
                  "string-integer-clash"}


@dataclass(frozen=True)
class Case:
    """One test case: its identifier, test types, premise and conclusion (RDF/XML)."""

    name: str
    kinds: frozenset[str]
    premise: str | None
    conclusion: str | None


@cache
def rl_cases() -> dict[str, Case]:
    """Every approved test case of the RL profile, by identifier. The manifest declares
    XML entities with single quotes, which rdflib's parser reads and Oxigraph's does not."""
    import rdflib

    from diplograph.rdf.bridge import to_oxigraph

    manifest = ox.Store()
    manifest.extend(ox.Quad(*(to_oxigraph(x) for x in t))  # type: ignore[misc]
                    for t in rdflib.Graph().parse(SUITE, format="xml"))
    rows = manifest.query(f"""
        SELECT ?case ?name ?premise ?conclusion WHERE {{
          ?case <{TEST}profile> <{TEST}RL> ; <{TEST}identifier> ?name .
          OPTIONAL {{ ?case <{TEST}rdfXmlPremiseOntology> ?premise }}
          OPTIONAL {{ ?case <{TEST}rdfXmlConclusionOntology>
                            |<{TEST}rdfXmlNonConclusionOntology> ?conclusion }} }}""")
    cases = {}
    for row in rows:  # type: ignore[union-attr]
        kinds = frozenset(q.object.value.removeprefix(TEST)
                          for q in manifest.quads_for_pattern(row["case"], RDF_TYPE, None))
        cases[row["name"].value] = Case(
            row["name"].value, kinds, *(row[v].value if row[v] else None  # type: ignore[union-attr]
                                        for v in ("premise", "conclusion")))
    return cases


def parse(rdfxml: str) -> list[ox.Triple]:
    return [q.triple for q in ox.parse(rdfxml.encode(), format=ox.RdfFormat.RDF_XML,
                                       base_iri="http://example.org/")]


def entails(premise: list[ox.Triple], conclusion: list[ox.Triple], engine: Engine) -> bool:
    """Whether the closure of the premise (trivial entailments included) holds the
    conclusion, its blank nodes read as variables."""
    document = ox.serialize(premise, format=ox.RdfFormat.N_TRIPLES) or b""
    entailed = entailed_ntriples([document], engine)
    closure = ox.Store()
    for part in (document, entailed.nontrivial, entailed.trivial):
        lines = b"".join(line for line in part.splitlines(True) if not line.startswith(b'"'))
        if lines:  # owlrl types literals (dt-type2): no subject in RDF 1.1
            closure.load(lines, format=ox.RdfFormat.N_TRIPLES)

    def term(node: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
        return f"?b{node.value}" if isinstance(node, ox.BlankNode) else str(node)

    pattern = " ".join(f"{term(t.subject)} {term(t.predicate)} {term(t.object)} ."
                       for t in conclusion)
    answer = closure.query(f"ASK {{ {pattern} }}")
    assert isinstance(answer, ox.QueryBoolean)
    return bool(answer)


def verdicts(case: Case, engine: Engine) -> dict[str, bool]:
    """What an engine answers to each question the case asks."""
    assert case.premise is not None
    premise = parse(case.premise)
    answers = {"consistent": not reason(premise, engine).inconsistencies}
    if case.conclusion is not None and case.kinds & {"PositiveEntailmentTest",
                                                     "NegativeEntailmentTest"}:
        answers["entailed"] = entails(premise, parse(case.conclusion), engine)
    return answers


def expected(case: Case) -> dict[str, bool]:
    """The suite's answers: consistency, and whether the conclusion follows."""
    answers = {"consistent": "InconsistencyTest" not in case.kinds}
    if "PositiveEntailmentTest" in case.kinds:
        answers["entailed"] = True
    if "NegativeEntailmentTest" in case.kinds:
        answers["entailed"] = False
    return answers


def test_the_suite_has_every_rl_case() -> None:
    cases = rl_cases()
    assert len(cases) == 69
    assert {n for n, c in cases.items() if c.premise is None} == NO_RDF_PREMISE
    assert set(OWLRL_WRONG) <= set(cases)


@pytest.mark.parametrize("name", sorted(n for n in rl_cases() if n not in NO_RDF_PREMISE))
def test_native_engine_equals_owlrl_and_the_suite(name: str) -> None:
    case = rl_cases()[name]
    premise = parse(case.premise or "")
    native, reference = reason(premise, Engine.NATIVE), reason(premise, Engine.OWLRL)
    assert set(native.entailments) == set(reference.entailments)
    assert {(i.rule, i.focus) for i in native.inconsistencies} == \
        {(i.rule, i.focus) for i in reference.inconsistencies}
    answers = verdicts(case, Engine.OWLRL)
    assert verdicts(case, Engine.NATIVE) == answers
    if name in OWLRL_WRONG:
        assert answers != expected(case), f"owlrl now passes {name}: drop it from OWLRL_WRONG"
    else:
        assert answers == expected(case)
