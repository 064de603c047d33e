"""The closure extended in the store: for every way of splitting a graph into an earlier
part and additions, the entailments and contradictions it finds are those of a full run,
or it declines."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from diplograph.reasoning.closure import Entailed, entailed_ntriples, extended_in_store
from test_reasoning import INCONSISTENT, WORKOUT, parse

NT = ox.RdfFormat.N_TRIPLES
MORE_FACTS = """
:f1 :knows :f2 ; :parent :a ; :role :leader ; a :Person .
:f2 :hires :f3 ; :mother :m9 .
:f4 a :Boss ; :ancestor :f1 .
:f5 a :Dog .
:f6 a :Red , :Blue .
"""


def ntriples(text: str) -> bytes:
    return ox.serialize(parse(text), format=NT) or b""


def lines(document: bytes) -> set[bytes]:
    return set(document.splitlines(True))


def stored(earlier: bytes, entailed: Entailed) -> ox.Store:
    """A store whose default graph holds the earlier triples and their entailments,
    blank nodes keeping their labels (as the compiler writes them)."""
    store = ox.Store()
    store.extend(ox.parse(earlier + entailed.nontrivial, NT))
    return store


def clash_keys(entailed: Entailed) -> set[tuple[str, str, str]]:
    return {(c.focus, c.rule, c.message) for c in entailed.clashes}


def check_every_split(document: bytes) -> int:
    """Extend at every cut of the document; return how many cuts extended."""
    cut_lines = document.splitlines(True)
    extended = 0
    for cut in range(len(cut_lines) + 1):
        earlier, added = b"".join(cut_lines[:cut]), b"".join(cut_lines[cut:])
        before = entailed_ntriples([earlier])
        if before.clashes:
            continue  # only a consistent closure is extended in the store
        gained = extended_in_store(stored(earlier, before), [added], before)
        if gained is None:
            continue
        extended += 1
        full = entailed_ntriples([earlier, added])
        assert lines(gained.nontrivial) == lines(full.nontrivial), cut
        assert lines(gained.trivial) == lines(full.trivial), cut
        assert clash_keys(gained) == clash_keys(full), cut
    return extended


@pytest.mark.parametrize("text", [WORKOUT, WORKOUT + MORE_FACTS])
def test_facts_at_the_end_extend_in_the_store(text: str) -> None:
    assert check_every_split(ntriples(text)) > 0


@pytest.mark.parametrize("text", [WORKOUT, WORKOUT + MORE_FACTS, INCONSISTENT,
                                  INCONSISTENT.replace(":rex a :Dog , :Cat .", "")
                                  + WORKOUT.split(":Agent", 1)[0] + MORE_FACTS])
def test_every_split_extends_in_the_store_as_a_full_run_or_declines(text: str) -> None:
    check_every_split(ntriples(text))


def test_facts_added_to_an_ontology_extend_in_the_store() -> None:
    document = ntriples(WORKOUT + MORE_FACTS)
    facts = ntriples(WORKOUT.split(":Agent", 1)[0] + MORE_FACTS)
    earlier = b"".join(sorted(lines(document) - lines(facts)))
    before = entailed_ntriples([earlier])
    gained = extended_in_store(stored(earlier, before), [facts], before)
    assert gained is not None and gained.nontrivial
    assert b"<http://example.org/f2> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> " \
           b"<http://example.org/Person> .\n" in gained.nontrivial  # prp-symp, then prp-rng


def test_a_new_member_of_two_disjoint_classes_is_a_contradiction() -> None:
    text = INCONSISTENT.split(":rex", 1)[0]
    earlier = ntriples(text)
    before = entailed_ntriples([earlier])
    assert not before.clashes
    added = ntriples(":rex a :Dog , :Cat .".join(["@prefix : <http://example.org/> .\n", ""]))
    gained = extended_in_store(stored(earlier, before), [added], before)
    assert gained is not None
    assert {c.rule for c in gained.clashes} == {"cax-dw"}
