"""Where a triple of an input file is written: the line of its predicate (or of its
object, in a list of objects), found from where its subject is first written.

Oxigraph's parsers give no positions for the triples they yield; the text is searched
instead, names and `a` in the text with strings, IRIs and comments blanked out, so a
word inside a literal is never taken for a term."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pyoxigraph as ox

from diplograph.rdf.reading import blank_noise

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_STATEMENT_END = re.compile(r"\.(?=\s|$)")  # in the blanked text: not in a name or number
_PREFIX_DECL = re.compile(r"@?prefix\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.I)
# a JSON-LD context's prefix, `"dgr": "https://w3id.org/diplograph/resource/"`
_JSON_PREFIX = re.compile(r'"([A-Za-z][\w.-]*)"\s*:\s*"([a-z][\w+.-]*:[^"\s]*[/#])"')


@dataclass
class InputText:
    """One input file's text, its declared prefixes and its text without literals."""

    name: str
    text: str
    prefixes: list[tuple[str, str]] = field(init=False)
    json_prefixes: list[tuple[str, str]] = field(init=False)
    code: str = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.prefixes = _PREFIX_DECL.findall(self.text)
        self.json_prefixes = _JSON_PREFIX.findall(self.text)
        self.code = blank_noise(self.text)

    def line(self, subject: ox.NamedNode | ox.BlankNode | ox.Triple,
             predicate: ox.NamedNode | None = None,
             value: object = None) -> int | None:
        """The line where the subject is first written, or, given a predicate, of that
        predicate in a statement about the subject (of the value, in a list of values);
        None if it is not written here."""
        if not isinstance(subject, ox.NamedNode):
            return None
        at = self._term_at(subject, 0)
        while at is not None and predicate is not None:
            found = self._term_at(predicate, at)
            end = _STATEMENT_END.search(self.code, at)
            if found is not None and (end is None or found < end.start()):
                written = self._value_at(value, found) if value is not None else None
                return self.text.count("\n", 0, found if written is None else written) + 1
            at = self._term_at(subject, at + 1)
        return None if at is None else self.text.count("\n", 0, at) + 1

    def _term_at(self, term: ox.NamedNode, start: int) -> int | None:
        """Where the IRI is first written at or after `start`, in full or prefixed (in
        JSON-LD and RDF/XML, quoted)."""
        spellings = [(self.text, f"<{term.value}>"), (self.text, f'"{term.value}"')]
        spellings += [(self.text, f'"{prefix}:{term.value[len(base):]}"')
                      for prefix, base in self.json_prefixes
                      if term.value.startswith(base) and len(term.value) > len(base)]
        spellings += [(self.code, f"{prefix}:{term.value[len(base):]}")
                      for prefix, base in self.prefixes
                      if term.value.startswith(base) and len(term.value) > len(base)]
        if term.value == RDF_TYPE:
            spellings.append((self.code, "a"))
        found = [at for text, spelling in spellings
                 if (at := written_at(text, spelling, start)) is not None]
        return min(found) if found else None

    def _value_at(self, value: object, start: int) -> int | None:
        if isinstance(value, ox.NamedNode):
            return self._term_at(value, start)
        if isinstance(value, ox.Literal):
            found = [at for quote in ('"', "'") if (at := self.text.find(
                quote + value.value, start)) >= 0]
            if not found and re.fullmatch(r"[+-]?[0-9.eE+-]+|true|false", value.value):
                found = [at for at in [written_at(self.code, value.value, start)]
                         if at is not None]
            return min(found) if found else None
        return None


def written_at(text: str, spelling: str, start: int = 0) -> int | None:
    """Where `spelling` first stands alone in the text (not inside a longer name)."""
    at = text.find(spelling, start)
    while at >= 0:
        before = text[at - 1] if at else " "
        after = text[at + len(spelling):at + len(spelling) + 1]
        if not (before.isalnum() or before in "_:/#-" or after.isalnum() or after in "_-:"):
            return at
        at = text.find(spelling, at + 1)
    return None
