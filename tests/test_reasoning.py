"""OWL RL reasoning: the native engine against the owlrl reference, inconsistencies, stats."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter

import pyoxigraph as ox
import pytest

from conftest import ROOT, Run
from diplograph.project import Project
from diplograph.rdf.reading import read_triples
from diplograph.reasoning.closure import (
    Entailed,
    entailed_ntriples,
    extended_ntriples,
    inconsistencies,
    is_trivial,
    reason,
)
from diplograph.reasoning.engines import ENGINE_ENV, Engine, UnknownEngineError, default_engine
from diplograph.store.cache import KnowledgeGraph
from diplograph.store.folder import INFERRED
from oracles import entailments

PREFIXES = """
@prefix : <http://example.org/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""

# Every construct the native engine implements, with instances that trigger each rule.
WORKOUT = PREFIXES + """
:Agent a owl:Class . :Human a owl:Class ; rdfs:subClassOf :Agent .
:Person owl:equivalentClass :Human .
:Org a owl:Class ; rdfs:subClassOf :Agent .
:Party owl:unionOf ( :Person :Org ) .
:Leader owl:equivalentClass [ owl:intersectionOf ( :Person
    [ a owl:Restriction ; owl:onProperty :role ; owl:hasValue :leader ] ) ] .
:Boss a owl:Class ; rdfs:subClassOf [ a owl:Restriction ; owl:onProperty :role ;
    owl:hasValue :leader ] .
:knows a owl:SymmetricProperty ; rdfs:domain :Person ; rdfs:range :Person .
:ancestor a owl:TransitiveProperty .
:parent rdfs:subPropertyOf :ancestor .
:employs owl:inverseOf :worksFor . :worksFor rdfs:range :Org .
:hires owl:equivalentProperty :employs .
:passport a owl:InverseFunctionalProperty .
:mother a owl:FunctionalProperty .
:a :knows :b ; :parent :c ; :passport "P1" ; :mother :m1 , :m2 .
:c :parent :d . :d :parent :e .
:acme :hires :a .
:z :passport "P1" . :z :role :leader ; a :Person .
:boss1 a :Boss .
:x owl:sameAs :y . :y :knows :w .
"""

INCONSISTENT = PREFIXES + """
:Cat a owl:Class . :Dog a owl:Class ; owl:disjointWith :Cat .
[] a owl:AllDisjointClasses ; owl:members ( :Red :Green :Blue ) .
:rex a :Dog , :Cat .
:leaf a :Red , :Blue .
:void a owl:Nothing .
:p a owl:IrreflexiveProperty . :q a owl:AsymmetricProperty .
:r owl:propertyDisjointWith :s .
:n :p :n . :n :q :o . :o :q :n . :n :r :o ; :s :o .
:u owl:sameAs :v . :v owl:differentFrom :u .
"""


FIXTURES = ROOT / "tests" / "fixtures" / "facts"


def parse(text: str) -> list[ox.Triple]:
    return list(ox.parse(text, format=ox.RdfFormat.TURTLE))


def ex(name: str) -> ox.NamedNode:
    return ox.NamedNode("http://example.org/" + name)


TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
SAME = ox.NamedNode("http://www.w3.org/2002/07/owl#sameAs")
SUBCLASS = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")


def bundled_input(project: Project) -> list[ox.Triple]:
    """What compile_store gives the reasoner: ontology and data, not shapes."""
    return [t for path in project.source_files if path not in project.shapes_files
            for t in read_triples(path)]


@pytest.mark.slow
def test_native_engine_equals_owlrl_on_the_bundled_graph(project: Project) -> None:
    triples = bundled_input(project)
    native, reference = reason(triples, Engine.NATIVE), reason(triples, Engine.OWLRL)
    assert native.engine is Engine.NATIVE and reference.engine is Engine.OWLRL
    assert native.entailments == reference.entailments
    assert len(native.entailments) > 700
    dg = "https://w3id.org/diplograph/ontology#"
    country = "https://w3id.org/diplograph/country/"
    assert ox.Triple(ox.NamedNode(country + "UZ"), ox.NamedNode(dg + "hasDiplomaticRelationWith"),
                     ox.NamedNode(country + "AZ")) in native.entailments  # prp-symp
    assert native.inconsistencies == reference.inconsistencies == []


def test_native_engine_equals_owlrl_on_every_rule_it_implements() -> None:
    triples = parse(WORKOUT)
    native, reference = reason(triples, Engine.NATIVE), reason(triples, Engine.OWLRL)
    assert native.engine is Engine.NATIVE
    assert set(native.entailments) == set(reference.entailments)
    got = set(native.entailments)
    expected = [
        (ex("b"), ex("knows"), ex("a")),  # prp-symp
        (ex("a"), TYPE, ex("Agent")),  # prp-dom, cax-eqc, cax-sco
        (ex("a"), ex("ancestor"), ex("e")),  # prp-spo1, prp-trp
        (ex("a"), ex("worksFor"), ex("acme")),  # prp-eqp, prp-inv
        (ex("acme"), TYPE, ex("Party")),  # prp-rng, scm-uni
        (ex("z"), TYPE, ex("Leader")),  # cls-hv2, cls-int1
        (ex("boss1"), ex("role"), ex("leader")),  # cls-hv1
        (ex("a"), SAME, ex("z")),  # prp-ifp
        (ex("m1"), SAME, ex("m2")),  # prp-fp
        (ex("x"), ex("knows"), ex("w")),  # eq-sym, eq-rep-s
        (ex("Person"), ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf"),
         ex("Agent")),  # scm-eqc1, scm-sco
    ]
    for s, p, o in expected:
        assert ox.Triple(s, p, o) in got, (s, p, o)


@pytest.mark.parametrize("declared", ["", ":p a owl:DatatypeProperty ."])
def test_restrictions_to_one_value_are_equal_classes_only_for_a_declared_property(
        declared: str) -> None:
    # scm-hv reads p1 rdfs:subPropertyOf p2; with p1 = p2 that holds by scm-op/scm-dp,
    # of a declared property only
    triples = parse(PREFIXES + f"""
        :A owl:equivalentClass [ a owl:Restriction ; owl:onProperty :p ; owl:hasValue "v" ] .
        :B owl:equivalentClass [ a owl:Restriction ; owl:onProperty :p ; owl:hasValue "v" ] .
        :a a :A . {declared}""")
    native, reference = reason(triples, Engine.NATIVE), reason(triples, Engine.OWLRL)
    assert native.engine is Engine.NATIVE
    assert set(native.entailments) == set(reference.entailments)
    assert (ox.Triple(ex("A"), ox.NamedNode("http://www.w3.org/2002/07/owl#equivalentClass"),
                      ex("B")) in set(native.entailments)) == bool(declared)


def ntriples(triples: list[ox.Triple]) -> bytes:
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""


def same(a: Entailed, b: Entailed) -> bool:
    return all(sorted(x.splitlines()) == sorted(y.splitlines())
               for x, y in ((a.nontrivial, b.nontrivial), (a.trivial, b.trivial)))


@pytest.mark.slow
def test_added_facts_extend_the_earlier_closure_to_the_full_one(project: Project) -> None:
    graph = ntriples(bundled_input(project))
    facts = ntriples(list(read_triples(FIXTURES / "good.ttl")))
    extended = extended_ntriples([graph], [facts], entailed_ntriples([graph]))
    assert extended is not None and extended.nontrivial != entailed_ntriples([graph]).nontrivial
    assert same(extended, entailed_ntriples([graph, facts]))


def test_every_split_of_the_rule_workout_extends_to_the_full_closure_or_declines() -> None:
    lines = ntriples(parse(WORKOUT)).splitlines(True)
    extended = 0
    for cut in range(len(lines) + 1):
        earlier, added = b"".join(lines[:cut]), b"".join(lines[cut:])
        result = extended_ntriples([earlier], [added], entailed_ntriples([earlier]))
        if result is not None:
            extended += 1
            assert same(result, entailed_ntriples([earlier, added])), cut
    assert 0 < extended < len(lines) + 1  # facts at the end extend; axioms decline


def test_an_entailment_stated_later_leaves_the_entailments() -> None:
    earlier = ntriples(parse(PREFIXES + ":rel a owl:SymmetricProperty . :az :rel :tr ."))
    added = ntriples(parse(PREFIXES + ":tr :rel :az ."))  # was entailed (prp-symp)
    assert added in entailed_ntriples([earlier]).nontrivial
    extended = extended_ntriples([earlier], [added], entailed_ntriples([earlier]))
    assert extended is not None and same(extended, entailed_ntriples([earlier, added]))
    assert added not in extended.nontrivial


def test_a_closure_another_engine_found_is_not_extended() -> None:
    earlier = ntriples(parse(WORKOUT))
    by_owlrl = entailed_ntriples([earlier], Engine.OWLRL)
    assert by_owlrl.engine is Engine.OWLRL
    added = ntriples(parse(PREFIXES + ":newcomer :knows :a ."))
    assert extended_ntriples([earlier], [added], by_owlrl) is None
    assert extended_ntriples([earlier], [added], entailed_ntriples([earlier])) is not None


def test_a_restriction_completed_by_additions_is_reasoned_in_full() -> None:
    earlier = ntriples(parse(PREFIXES + """
        :r a owl:Restriction ; owl:onProperty :p .  :x :p :v .
        :d a owl:Restriction ; owl:onProperty :q ; owl:hasValue :v .
    """))
    added = ntriples(parse(PREFIXES + ":r owl:hasValue :v ."))  # no new term: :r, :v known
    full = entailed_ntriples([earlier, added])
    assert b"<http://example.org/x> " + str(TYPE).encode() + b" <http://example.org/r>" \
        in full.nontrivial  # cls-hv2 on a fact the earlier closure already held
    assert extended_ntriples([earlier], [added], entailed_ntriples([earlier])) is None


def test_trivial_entailments_are_not_reported() -> None:
    found = entailments(parse(WORKOUT))
    assert not any(is_trivial(t) for t in found)
    assert not any(t.subject == t.object and t.predicate == SAME for t in found)
    assert not any(isinstance(t.subject, ox.BlankNode) for t in found)
    assert not any(t.object.value == "http://www.w3.org/2002/07/owl#Thing" for t in found)


def test_both_engines_report_the_same_inconsistencies() -> None:
    triples = parse(INCONSISTENT)
    found = inconsistencies(triples, Engine.NATIVE)
    assert found == inconsistencies(triples, Engine.OWLRL)
    assert {(i.focus, i.rule) for i in found} == {
        (ex("rex"), "cax-dw"), (ex("leaf"), "cax-adc"), (ex("void"), "cls-nothing2"),
        (ex("n"), "prp-irp"), (ex("n"), "prp-asyp"), (ex("o"), "prp-asyp"),
        (ex("n"), "prp-pdw"), (ex("u"), "eq-diff1"), (ex("v"), "eq-diff1"),
    }
    rex = next(i for i in found if i.rule == "cax-dw")
    assert rex.message == ("http://example.org/rex is both a http://example.org/Dog and a "
                           "http://example.org/Cat, which are disjoint")


def test_a_list_of_disjoint_terms_costs_one_clash_per_extra_membership() -> None:
    """An individual in k members of an owl:AllDisjointClasses list is one clash for each
    member after its first (k - 1), never one for every two (k(k-1)/2): the check is
    linear in the memberships, whatever the length of the list."""
    found = inconsistencies(parse(PREFIXES + """
        [] a owl:AllDisjointClasses ; owl:members (:C1 :C2 :C3 :C4 :C5 :C6) .
        :a a :C1 , :C3 , :C4 , :C6 .  :b a :C2 , :C5 .  :c a :C2 .
        [] a owl:AllDisjointProperties ; owl:members (:p :q :r) .  :a :p :b ; :q :b ; :r :b .
        [] a owl:AllDifferent ; owl:members (:u :v :w :u) .  :v owl:sameAs :w .
    """), Engine.NATIVE)
    assert Counter((i.focus.value.rsplit("/", 1)[1], i.rule) for i in found) == {
        ("a", "cax-adc"): 3, ("b", "cax-adc"): 1, ("a", "prp-adp"): 2,
        ("u", "eq-diff2"): 1, ("v", "eq-diff2"): 1}
    assert {i.message for i in found if i.focus == ex("a") and i.rule == "cax-adc"} == {
        f"http://example.org/a is both a http://example.org/C1 and a http://example.org/{c}, "
        "which are disjoint" for c in ("C3", "C4", "C6")}


@pytest.mark.slow
def test_a_list_of_50k_disjoint_classes_is_checked_within_a_memory_ceiling() -> None:
    """A 1 MB file that names 50k disjoint classes: every two of them would be 1.25e9
    pairs, far past the 1 GiB this check may use."""
    members = " ".join(f":DisjointClassNo{i}" for i in range(50_000))
    text = PREFIXES + f"[] a owl:AllDisjointClasses ; owl:members ({members}) .\n" \
        ":x a :DisjointClassNo7 , :DisjointClassNo49999 .  :y a :DisjointClassNo8 .\n"
    assert len(text) > 1_000_000
    script = """
import resource, sys
import pyoxigraph as ox
from diplograph.reasoning.closure import inconsistencies
from diplograph.reasoning.engines import Engine
triples = list(ox.parse(sys.stdin.buffer.read(), format=ox.RdfFormat.TURTLE))
with open("/proc/self/statm") as statm:
    size = int(statm.read().split()[0]) * resource.getpagesize()
resource.setrlimit(resource.RLIMIT_AS, (size + 2**30, size + 2**30))
for clash in inconsistencies(triples, Engine.NATIVE):
    print(clash.focus.value, clash.rule)
"""
    done = subprocess.run([sys.executable, "-c", script], input=text.encode(),
                          capture_output=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr.decode()[-500:]
    assert done.stdout.decode().splitlines() == ["http://example.org/x cax-adc"]


def test_a_construct_the_native_engine_lacks_falls_back_to_owlrl() -> None:
    triples = parse(PREFIXES + """
        :Parent owl:equivalentClass [ a owl:Restriction ; owl:onProperty :child ;
                                      owl:someValuesFrom owl:Thing ] .
        :a :child :b .""")
    result = reason(triples, Engine.NATIVE)
    assert result.engine is Engine.OWLRL
    assert ox.Triple(ex("a"), TYPE, ex("Parent")) in result.entailments


def test_the_engine_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENGINE_ENV, raising=False)
    assert default_engine() is Engine.NATIVE
    monkeypatch.setenv(ENGINE_ENV, "owlrl")
    assert reason(parse(WORKOUT)).engine is Engine.OWLRL
    monkeypatch.setenv(ENGINE_ENV, "fast")
    with pytest.raises(UnknownEngineError, match="unknown reasoner 'fast'"):
        default_engine()


def test_reason_stats_counts_the_inferred_graph_by_property(run: Run,
                                                            graph: KnowledgeGraph) -> None:
    inferred = list(graph.store.quads_for_pattern(None, None, None, INFERRED))
    result = run("reason", "--stats")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"{len(inferred)} triples inferred"
    counts = Counter(q.predicate.value for q in inferred)
    assert lines[1].split() == [str(counts[TYPE.value]), "rdf:type"]
    assert sum(int(line.split()[0]) for line in lines[1:]) == len(inferred)
    assert run("reason").stdout == lines[0] + "\n"


def test_literal_valued_cardinalities_reach_the_reasoner() -> None:
    axioms = PREFIXES + """@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        :Single rdfs:subClassOf [ a owl:Restriction ; owl:onProperty :spouse ;
                                  owl:maxCardinality "1"^^xsd:nonNegativeInteger ] .
        :Monk rdfs:subClassOf [ a owl:Restriction ; owl:onProperty :spouse ;
                                owl:maxCardinality "0"^^xsd:nonNegativeInteger ] .
        :a a :Single ; :spouse :b , :c .
        :m a :Monk ; :spouse :d ."""
    result = reason(parse(axioms), Engine.NATIVE)
    assert result.engine is Engine.OWLRL  # cls-maxc2 is owlrl's
    assert ox.Triple(ex("b"), SAME, ex("c")) in result.entailments
    [clash] = result.inconsistencies
    assert (clash.focus, clash.rule) == (ex("m"), "cls-maxc1")
    assert ox.Triple(ex("m"), ex("spouse"), ex("d")) in clash.triples


def test_a_literal_has_value_makes_members_natively() -> None:
    triples = parse(PREFIXES + """
        :Adult owl:equivalentClass [ a owl:Restriction ; owl:onProperty :age ;
                                     owl:hasValue "adult" ] .
        :x :age "adult" .  :y a :Adult .""")
    native, reference = reason(triples, Engine.NATIVE), reason(triples, Engine.OWLRL)
    assert native.engine is Engine.NATIVE
    assert set(native.entailments) == set(reference.entailments)
    assert ox.Triple(ex("x"), TYPE, ex("Adult")) in native.entailments  # cls-hv2
    assert ox.Triple(ex("y"), ex("age"), ox.Literal("adult")) in native.entailments  # cls-hv1


def test_negative_property_assertions_are_checked_by_both_engines() -> None:
    triples = parse(PREFIXES + """
        [] a owl:NegativePropertyAssertion ; owl:sourceIndividual :a ;
           owl:assertionProperty :p ; owl:targetIndividual :b .
        [] a owl:NegativePropertyAssertion ; owl:sourceIndividual :a ;
           owl:assertionProperty :name ; owl:targetValue "Al" .
        :q rdfs:subPropertyOf :p .  :a :q :b ; :name "Al" .""")
    for engine in Engine:
        found = reason(triples, engine)
        assert found.engine is engine
        assert {(i.focus, i.rule) for i in found.inconsistencies} == {
            (ex("a"), "prp-npa1"), (ex("a"), "prp-npa2")}


def test_a_fallback_keeps_what_owlrl_reports() -> None:
    triples = parse(PREFIXES + """@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        :C rdfs:subClassOf [ a owl:Restriction ; owl:onProperty :p ; owl:onClass :D ;
                             owl:maxQualifiedCardinality "0"^^xsd:nonNegativeInteger ] .
        :x a :C ; :p :y .  :y a :D .
        :s owl:sameAs :t .  :s owl:differentFrom :t .""")
    found = reason(triples, Engine.NATIVE)
    assert found.engine is Engine.OWLRL
    assert {(i.focus, i.rule) for i in found.inconsistencies} == {
        (ex("x"), "cls-maxqc1"), (ex("s"), "eq-diff1"), (ex("t"), "eq-diff1")}


def test_same_as_between_classes_and_labels_of_equals() -> None:
    triples = parse(PREFIXES + """
        :C1 a owl:Class ; owl:sameAs :C2 ; rdfs:label "one" .  :x a :C1 .""")
    native, reference = reason(triples, Engine.NATIVE), reason(triples, Engine.OWLRL)
    assert set(native.entailments) == set(reference.entailments)
    for entailed in [(ex("C1"), SUBCLASS, ex("C2")),
                     (ex("x"), TYPE, ex("C2")),
                     (ex("C2"), ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
                      ox.Literal("one"))]:
        assert ox.Triple(*entailed) in native.entailments
