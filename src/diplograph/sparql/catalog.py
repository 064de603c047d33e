"""The stored query catalog: `queries/*.rq`, each SPARQL with a `#+` YAML header, checked
when it is first asked for (a valid header, parameters declared exactly: running one
query reads no other), when it first runs (no remote access, no update, parameters
placed where values can stand: `placement`) and on demand against the graph's
vocabulary (`lint`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from diplograph.errors import InputError
from diplograph.sparql.header import Example, Parameter, read_header, template_error
from diplograph.sparql.syntax import keyword
from diplograph.sparql.template import Bound, Template

#: a `?name` variable (a parameter must be written `$name`), the whole name
_VARIABLE = re.compile(r"\?(\w+)")
#: `<$name`, which reads as the start of an IRI, the whole name
_IRI_LIKE = re.compile(r"<\$(\w+)")


@dataclass(frozen=True)
class NamedQuery:
    """A stored SPARQL template; its parameters are the `$name` variables."""

    name: str
    path: Path
    summary: str
    description: str
    parameters: tuple[Parameter, ...]
    examples: tuple[Example, ...]
    tags: tuple[str, ...]
    #: the SPARQL, lexed once
    template: Template

    @property
    def text(self) -> str:
        """The file's text, header and SPARQL."""
        return self.template.text

    @property
    def header(self) -> str:
        """The `#+` header lines, as written."""
        return "\n".join(line for line in self.text.splitlines() if line.startswith("#+"))

    def parameter(self, name: str) -> Parameter:
        """The declared parameter of that name."""
        for p in self.parameters:
            if p.name == name:
                return p
        raise InputError(f"query {self.name!r} has no parameter {name!r}",
                         hint=f"`diplograph query {self.name} --help` lists them")

    def bind(self, bound: Bound) -> str:
        """The query as it runs with these values (see `Template.bind`)."""
        return self.template.bind(bound)


def _check_variables(path: Path, template: Template, parameters: tuple[Parameter, ...]) -> None:
    """The declared parameters are exactly the `$` variables, each standing where a
    value can be written in."""
    code, used = template.code, template.parameters
    declared = {p.name for p in parameters}
    if used - declared:
        raise template_error(path, f"${sorted(used - declared)[0]} is used but not declared "
                                   "in `params`")
    selected = {o.name for o in template.occurrences
                if template.projections and _within(o.start, template.projections[0])}
    as_variables = set(_VARIABLE.findall(code))
    after_as = _after_as(code, sorted(declared))
    iri_like = {m.group(1) for m in _IRI_LIKE.finditer(template.text)
                if "#" not in template.text[template.text.rfind("\n", 0, m.start()) + 1:m.start()]}
    for name in sorted(declared):
        if name not in used:
            raise template_error(path, f"parameter {name!r} is declared but the query never "
                                       f"uses ${name}")
        if name in as_variables:
            raise template_error(path, f"write parameter {name!r} as ${name} everywhere, not "
                                       f"?{name}")
        if name in after_as:
            raise template_error(path, f"${name} is replaced by its value, so it cannot follow "
                                       "AS or BOUND (use COALESCE)")
        if name in iri_like:
            raise template_error(path, f"write `< ${name}`: `<${name}` reads as the start of an "
                                       "IRI")
        if name not in selected:
            raise template_error(path, f"parameter ${name} must be in the SELECT list to be "
                                       "bound")


def _after_as(code: str, names: list[str]) -> set[str]:
    """The names written `$name` just after AS or BOUND (a parenthesis between allowed,
    in any case): one pattern for all of them, as compiling one per name cost a cold
    query more than the rest of loading its template."""
    if not names:
        return set()
    alternatives = "|".join(f"(?P<p{i}>{re.escape(name)})" for i, name in enumerate(names))
    pattern = re.compile(keyword("AS|BOUND") + rf"\s*\(?\s*\$(?:{alternatives})\b", re.I)
    return {names[int(str(m.lastgroup)[1:])] for m in pattern.finditer(code)}


def _within(at: int, span: tuple[int, int]) -> bool:
    return span[0] <= at < span[1]


def load_query(path: Path, cache: Path | None = None) -> NamedQuery:
    """Read and check one template: a valid header (its YAML document kept in `cache`),
    and declared parameters exactly the variables the query is given. What it may touch
    is checked when it first runs (`placement`): parsing every template would slow every
    command."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise template_error(path, f"not UTF-8 text (byte {exc.start})") from exc
    header = read_header(path, text, cache)
    template = Template.parse(text)
    _check_variables(path, template, header.parameters)
    if template.where is None:
        raise template_error(path, "no SELECT ... WHERE { } found")
    return NamedQuery(name=path.stem, path=path, summary=header.summary,
                      description=header.description, parameters=header.parameters,
                      examples=header.examples, tags=header.tags, template=template)


class Catalog:
    """Every named query of a project, by name. A template is read and checked when it is
    first asked for: running one query does not read the others."""

    def __init__(self, paths: dict[str, Path], cache: Path | None = None) -> None:
        self.paths = paths
        self.cache = cache
        self._loaded: dict[str, NamedQuery] = {}

    @classmethod
    def load(cls, folder: Path, cache: Path | None = None) -> Catalog:
        """The catalog of `folder/*.rq` (no template read yet; headers' YAML documents
        kept in the cache folder `cache`)."""
        return cls({path.stem: path for path in sorted(folder.glob("*.rq"))}, cache)

    @property
    def names(self) -> list[str]:
        """Every query's name, sorted."""
        return list(self.paths)

    @property
    def queries(self) -> dict[str, NamedQuery]:
        """Every query by name, each template read: an error if one is bad."""
        return {name: self.get(name) for name in self.paths}

    def get(self, name: str) -> NamedQuery:
        """The query of that name, or an error suggesting the closest names."""
        if name in self._loaded:
            return self._loaded[name]
        if name in self.paths:
            self._loaded[name] = load_query(self.paths[name], self.cache)
            return self._loaded[name]
        from difflib import get_close_matches

        close = get_close_matches(name, self.paths, n=3)
        hint = f"did you mean {', '.join(close)}?" if close else "`diplograph queries` lists them"
        raise InputError(f"no query named {name!r}", hint=hint)
