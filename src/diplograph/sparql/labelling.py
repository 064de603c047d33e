"""A thing's name in one language looked up in the store's index of names
(`store.labels.names_in`) instead of the engine reading the thing's every label (a state
has 145): in a stored query, `OPTIONAL { ?x rdfs:label ?v FILTER(LANG(?v) = "xx") }` runs
as `BIND(<function>(?x, "xx") AS ?v)`, a function that looks the name up.

The two give the same rows where the OPTIONAL stands in the query's top-level group,
`?x` is bound there before it by a triple pattern (or is a `$` parameter given a value:
written in as a term, or in a VALUES block opening the group), `?v` is
used nowhere before it, and the thing has at most one label in that language. The first
three are checked in the text; where a thing has several labels in the language (or is
a blank node, or the store has no index of names), the function steps aside and the
query runs again as written. Only the local engine runs the rewritten text: endpoints
get the query as written."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from diplograph.rdf.reading import blank_noise
from diplograph.sparql.template import Bound, Template
from diplograph.store.cache import Function

FUNCTION = ox.NamedNode("urn:diplograph:function:label-in")
_XSD_STRING = ox.NamedNode("http://www.w3.org/2001/XMLSchema#string")
_RDFS = re.compile(r"PREFIX\s+rdfs:\s*<http://www\.w3\.org/2000/01/rdf-schema#>", re.I)
_OPTIONAL = re.compile(
    r"\b(?i:OPTIONAL)\s*\{\s*([?$]\w+)\s+rdfs:label\s+\?(\w+)\s+(?i:FILTER)\s*\(\s*"
    r"(?i:LANG)\s*\(\s*\?\2\s*\)\s*=\s*(\$\w+|\"[a-zA-Z0-9-]+\")\s*\)\s*\}")
_TOKEN = re.compile(r"[?$](\w+)|\bVALUES\b|[{}()]", re.I)


def _bound_before(code: str, start: int, end: int) -> set[str]:
    """The variables a triple pattern of the group `code[start:end]` binds outside any
    inner group, expression or VALUES clause (`$name` and `?name` are one variable)."""
    found: set[str] = set()
    braces = parens = 0
    after_values = False
    for token in _TOKEN.finditer(code, start, end):
        text = token.group()
        if text in "{}":
            braces += 1 if text == "{" else -1
            after_values = False
        elif text in "()":
            parens += 1 if text == "(" else -1
        elif text.upper() == "VALUES":
            after_values = True
        elif braces == 0 and parens == 0 and not after_values:
            found.add(token.group(1))
    return found


@dataclass(frozen=True)
class _Rewritten:
    """A stored query with its label lookups as function calls; the parameters that
    must be bound to a plain string (a language) for them to mean the same."""

    template: Template
    languages: tuple[str, ...]
    things: tuple[str, ...]  # parameters that must be given a value


@lru_cache(maxsize=64)
def _rewritten(template: Template) -> _Rewritten | None:
    """The query with each label lookup that can be a function call made one, or None
    if none can."""
    at = template.where
    if at is None or not _RDFS.search(template.text):
        return None
    code, text = template.code, template.text
    edits: list[tuple[int, int, str]] = []
    languages: list[str] = []
    things: list[str] = []
    for found in _OPTIONAL.finditer(text, at):
        start, end = found.span()
        thing, name, language = found.groups()
        depth = code.count("{", at, start) - code.count("}", at, start)
        parameter = thing.startswith("$") and thing[1:] in template.parameters
        if (depth != 0 or code[start:end] != blank_noise(found.group())
                or not (parameter or thing[1:] in _bound_before(code, at, start))
                or re.search(rf"[?$]{name}\b", code[at:start])):
            continue
        edits.append((start, end, f"BIND(<{FUNCTION.value}>({thing}, {language}) AS ?{name})"))
        if language.startswith("$"):
            languages.append(language[1:])
        if parameter:
            things.append(thing[1:])
    if not edits:
        return None
    pieces, last = [], 0
    for start, end, replacement in edits:
        pieces += [text[last:start], replacement]
        last = end
    return _Rewritten(Template.parse("".join(pieces) + text[last:]), tuple(languages),
                      tuple(things))


@dataclass
class LabelLookups:
    """A bound query text whose label lookups are calls of `FUNCTION`, and that function
    (`functions`); `stepped_aside` once a lookup could not answer as the pattern would."""

    text: str
    folder: Path
    stepped_aside: bool = field(default=False)

    @property
    def functions(self) -> dict[ox.NamedNode, Function]:
        return {FUNCTION: self}

    def __call__(self, thing: object, language: object) -> ox.Literal | None:
        """The one label of `thing` tagged `language`, None if it has none (a language
        that is not a plain string matches no tag); several: step aside."""
        from diplograph.store.labels import names_in  # here: SQLite only for a lookup

        if not isinstance(language, ox.Literal) or language.datatype != _XSD_STRING:
            return None
        names = names_in(self.folder, str(thing), language.value) \
            if isinstance(thing, ox.NamedNode) else None
        if names is None or len(names) > 1:
            self.stepped_aside = True
            return None
        return ox.Literal(names[0], language=language.value) if names else None


def label_lookups(folder: Path, template: Template, bound: Bound) -> LabelLookups | None:
    """The query bound to `bound` with its label lookups served by the store's index of
    names, or None where no lookup of the query can be (see the module's docstring)."""
    rewritten = _rewritten(template)
    if rewritten is None:
        return None
    if any(not bound.get(name) for name in rewritten.things):
        return None  # a thing left unbound: the pattern would list every label
    for name in rewritten.languages:
        value = bound.get(name, ())
        if len(value) != 1 or not isinstance(value[0], ox.Literal) \
                or value[0].datatype != _XSD_STRING:
            return None
    return LabelLookups(rewritten.template.bind(bound), folder)
