"""Lines found by their predicate are the lines a split into lines and a look at each
line's predicate would keep, whatever literals hold."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from diplograph.rdf.ntriples import lines_with, predicates_pattern

TERMS = ["<a>", "<p>", "<q>", "<pq>"]
LITERALS = ['"x"', '" <p> "', '"a <q> b"', '"<p>"']
LINE = st.builds(lambda s, p, o: f"{s} {p} {o} .", st.sampled_from(TERMS),
                 st.sampled_from(TERMS), st.sampled_from(TERMS + LITERALS))


@given(lines=st.lists(LINE), wanted=st.sets(st.sampled_from(TERMS), min_size=1),
       closed=st.booleans())
def test_lines_with_a_predicate_are_those_a_split_would_keep(
        lines: list[str], wanted: set[str], closed: bool) -> None:
    document = ("\n".join(lines) + ("\n" if closed and lines else "")).encode()
    expected = [line.encode() for line in lines if line.split(" ", 2)[1] in wanted]
    assert list(lines_with(document, predicates_pattern(wanted))) == expected
