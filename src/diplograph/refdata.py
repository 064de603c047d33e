"""Generate the country reference data as Turtle from pycountry.

Today's states come from ISO 3166-1 (IRI by alpha-2 code, `country:AZ`), former
ones from ISO 3166-3 (IRI by the four-letter code, never reassigned:
`country:SUHH`). A translation is kept only if it belongs to its country (see
`belongs`): pycountry's catalogues hold a few wrong entries (its Slovak one
translates "Iran" as "Slovenčina"). Names people type that ISO does not give
are listed in `ALIASES`.

Usage: ``python -m diplograph.refdata [--output PATH]``. The output is
deterministic: countries are ordered by code and labels by language tag, and
no timestamp is written, so regenerating gives identical bytes.
"""

from __future__ import annotations

import argparse
import gettext
import re
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pycountry
import pyoxigraph as ox
from babel import Locale, UnknownLocaleError

from diplograph.atomic import write_atomically
from diplograph.namespaces import PREFIXES as NAMESPACES

DOMAIN = "iso3166-1"
FORMER_DOMAIN = "iso3166-3"
DATASET_IRI = "https://w3id.org/diplograph/resource/iso-3166-1"
FORMER_DATASET_IRI = "https://w3id.org/diplograph/resource/iso-3166-3"

PREFIXES: tuple[tuple[str, str], ...] = tuple(
    (name, NAMESPACES[name])
    for name in ("dg", "country", "rdfs", "skos", "xsd", "wd", "dcterms", "prov")
)

# Wikidata items stated in the project's design guide; no others are asserted.
WIKIDATA: dict[str, str] = {"AZ": "Q227", "KZ": "Q232", "UA": "Q212", "UZ": "Q265"}

# Names in English that people type and ISO does not give, by alpha-2 (today's
# states) or ISO 3166-3 code (former ones). A name given to two states (Korea) is
# meant to be ambiguous: looking it up lists both.
ALIASES: dict[str, tuple[str, ...]] = {
    "AE": ("UAE",),
    "BO": ("Bolivia",),
    "CD": ("DR Congo", "Democratic Republic of the Congo", "Congo-Kinshasa"),
    "CG": ("Republic of the Congo", "Congo-Brazzaville"),
    "CI": ("Ivory Coast",),
    "CV": ("Cape Verde",),
    "CZ": ("Czech Republic",),
    "GB": ("UK", "Britain", "Great Britain"),
    "KP": ("Korea",),
    "KR": ("Korea",),
    "MK": ("Macedonia",),
    "MM": ("Burma",),
    "NL": ("Holland",),
    "PS": ("Palestine", "State of Palestine"),
    "RU": ("Russia",),
    "SZ": ("Swaziland",),
    "TR": ("Turkey",),
    "US": ("USA", "United States of America", "America"),
    "VA": ("Vatican", "Vatican City", "Holy See"),
    "CSHH": ("Czechoslovakia",),
    "DDDE": ("East Germany", "GDR"),
    "RHZW": ("Rhodesia",),
    "SUHH": ("Soviet Union", "USSR", "Union of Soviet Socialist Republics"),
    "VDVN": ("North Vietnam",),
    "YDYE": ("South Yemen",),
    "YUCS": ("Yugoslavia",),
    "ZRCD": ("Zaire",),
}

# What became of a former state whose ISO 3166-3 code does not say it (the code's
# last two letters name the successor unless they are HH, "divided", or XX).
SUCCESSORS: dict[str, tuple[str, ...]] = {
    "ANHH": ("BQ", "CW", "SX"),
    "BYAA": ("BY",),
    "CSHH": ("CZ", "SK"),
    "CSXX": ("ME", "RS"),
    "FQHH": ("AQ", "TF"),
    "GEHH": ("KI", "TV"),
    "NTHH": ("IQ", "SA"),
    "PCHH": ("FM", "MH", "MP", "PW"),
    "SUHH": ("AM", "AZ", "BY", "EE", "GE", "KG", "KZ", "LT", "LV", "MD", "RU", "TJ", "TM",
             "UA", "UZ"),
    "YUCS": ("CSXX",),
}

# When a former state began and ceased to exist, where the ISO entry names one state
# (ISO 3166-3 itself gives only the date its code was withdrawn).
PERIODS: dict[str, tuple[str | None, str]] = {
    "CSHH": ("1918-10-28", "1992-12-31"),
    "CSXX": ("2003-02-04", "2006-06-05"),
    "DDDE": ("1949-10-07", "1990-10-03"),
    "SUHH": ("1922-12-30", "1991-12-26"),
    "YDYE": ("1967-11-30", "1990-05-22"),
    "YUCS": (None, "2003-02-04"),
    "ZRCD": ("1971-10-27", "1997-05-17"),
}

# gettext locale modifiers that name a script, mapped to ISO 15924 subtags.
SCRIPT_MODIFIERS: dict[str, str] = {
    "cyrillic": "Cyrl",
    "iqtelif": "Latn",  # Tatar written in the IQTElif Latin alphabet
    "latin": "Latn",
}

_LOCALE_RE = re.compile(
    r"^(?P<lang>[a-z]{2,3})(?:_(?P<region>[A-Z]{2}|[0-9]{3}))?(?:@(?P<mod>[a-z]+))?$"
)
@dataclass(frozen=True)
class Language:
    """A language's gettext catalogues of pycountry (today's and former states), its
    BCP 47 tag, CLDR's names of today's states (and which state a name is) and of
    languages in it (empty if CLDR lacks it), and each state's names of four letters
    or more in either source."""

    tag: str
    catalog: gettext.GNUTranslations
    former: gettext.GNUTranslations | None
    cldr: dict[str, str]
    cldr_owner: dict[str, str]
    language_names: frozenset[str]
    state_names: dict[str, frozenset[str]]


class _Untranslated(gettext.NullTranslations):
    """Fallback catalogue that signals a missing message instead of echoing it."""

    def gettext(self, message: str) -> str:
        """Raise KeyError so callers can tell a missing entry from an identical one."""
        raise KeyError(message)


def bcp47(locale: str) -> str | None:
    """Return the BCP 47 tag for a gettext locale name, or None if unmappable."""
    match = _LOCALE_RE.match(locale)
    if match is None:
        return None
    parts = [match["lang"]]
    if match["mod"] is not None:
        script = SCRIPT_MODIFIERS.get(match["mod"])
        if script is None:
            return None
        parts.append(script)
    if match["region"] is not None:
        parts.append(match["region"])
    return "-".join(parts)


def _catalog(domain: str, locales_dir: Path, locale: str) -> gettext.GNUTranslations | None:
    if not (locales_dir / locale / "LC_MESSAGES" / f"{domain}.mo").is_file():
        return None
    catalog = gettext.translation(domain, str(locales_dir), languages=[locale])
    catalog.add_fallback(_Untranslated())
    return catalog


def _language(tag: str, catalog: gettext.GNUTranslations,
              former: gettext.GNUTranslations | None) -> Language:
    try:
        locale = Locale.parse(tag.replace("-", "_"))
        cldr, languages = dict(locale.territories), set(locale.languages.values())
    except (UnknownLocaleError, ValueError):
        cldr, languages = {}, set()
    names: dict[str, set[str]] = {}
    for record in pycountry.countries:
        code = str(record.alpha_2)
        msgids = [record.name, getattr(record, "official_name", None)]
        texts = [translate(catalog, m) for m in msgids if m is not None]
        names[code] = {_letters(t) for t in [*texts, cldr.get(code)] if t is not None}
    owner = {_letters(n): code for code, n in cldr.items() if code in names}
    return Language(tag, catalog, former, cldr, owner, frozenset(_letters(n) for n in languages),
                    {code: frozenset(n for n in ns if len(n) >= 4) for code, ns in names.items()})


def load_languages(locales_dir: Path) -> tuple[list[Language], list[str]]:
    """Load every locale with an ISO 3166-1 catalogue; also return dropped locales."""
    languages: dict[str, Language] = {}
    dropped: list[str] = []
    for entry in sorted(locales_dir.iterdir()):
        catalog = _catalog(DOMAIN, locales_dir, entry.name)
        if catalog is None:
            continue
        tag = bcp47(entry.name)
        if tag is None or tag in languages:
            dropped.append(entry.name)
            continue
        former = _catalog(FORMER_DOMAIN, locales_dir, entry.name)
        languages[tag] = _language(tag, catalog, former)
    return [languages[tag] for tag in sorted(languages)], dropped


def clean(text: str) -> str:
    """Return text stripped and in Unicode NFC, as RDF recommends for literals."""
    return unicodedata.normalize("NFC", text.strip())


def _letters(text: str) -> str:
    """Text without case, accents, spaces or punctuation, for comparing names."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)
                   and unicodedata.category(c)[0] in "LMN")  # vowel signs are letters


def _run(a: str, b: str) -> int:
    """The length of the longest run of letters `a` and `b` share."""
    return SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b)).size


def _resembles(name: str, reference: str) -> bool:
    """Whether `name` shares four letters in a row with `reference` (or all of a shorter
    one, as in 日本), or is spelled alike ("Anguilla" and "Angvila")."""
    if not name or not reference:
        return False
    return (_run(name, reference) >= min(4, len(reference))
            or SequenceMatcher(None, name, reference, autojunk=False).ratio() >= 0.5)


def belongs(name: str, code: str, language: Language) -> bool:
    """Whether `name` may name the state `code` in `language`, as far as CLDR knows the
    language, ignoring case, accents, spaces and punctuation. It must not be CLDR's
    name of another state ("Конго" is the Democratic Republic of the Congo in Kazakh).
    A language's name ("Slovenčina" for Iran) must be held by CLDR's name of the state
    or hold it. Any other name that does not resemble CLDR's must not hold another
    state's whole name ("Gweriniaeth Islamaidd Pacistan" for Afghanistan), unless the
    state's own names hold it too ("Guinea" in Equatorial Guinea's)."""
    letters, own = _letters(name), _letters(language.cldr.get(code, ""))
    if language.cldr_owner.get(letters, code) != code:
        return False
    if letters in language.language_names:
        return bool(own) and (letters in own or own in letters)  # Kongo is both
    if not own or _resembles(letters, own):
        return True
    mine = language.state_names.get(code, frozenset())
    return not any(
        other in letters and not any(other in own_name for own_name in mine)
        for other_code, others in language.state_names.items() if other_code != code
        for other in others
    )


def translate(catalog: gettext.GNUTranslations | None, message: str) -> str | None:
    """Return the cleaned translation of message, or None if the catalogue lacks one."""
    if catalog is None:
        return None
    try:
        text = clean(catalog.gettext(message))
    except KeyError:
        return None
    return text or None


def literal(text: str, lang: str | None = None) -> str:
    """A Turtle string literal, written by pyoxigraph (its N-Triples form: quotes,
    backslashes and control characters escaped), its language tag as CLDR writes it
    (Oxigraph would lower-case it: `pt-BR`, `sr-Latn` read better)."""
    return str(ox.Literal(text)) + (f"@{lang}" if lang else "")


def _objects(predicate: str, objects: Sequence[str]) -> str:
    """Format one predicate with its objects, one object per line."""
    return f"    {predicate} " + " ,\n        ".join(objects)


@dataclass
class Entry:
    """One state to describe: its code (the IRI's local name), ISO data and names."""

    code: str
    record: Any
    former: bool
    labels: set[tuple[str, str]]
    alt_labels: set[tuple[str, str]]


def _names(record: Any) -> tuple[str, list[str]]:
    """A pycountry record's name and the raw msgids of its other names."""
    name = clean(record.name)
    alternatives = [
        alt for alt in (getattr(record, "official_name", None),
                        getattr(record, "common_name", None))
        if alt is not None and clean(alt) != name
    ]
    return name, alternatives


def entry(record: Any, former: bool, languages: Iterable[Language]) -> Entry:
    """The names of one state in every language whose translation belongs to it."""
    code = str(record.alpha_4 if former else record.alpha_2)
    name, alternatives = _names(record)
    labels = {("en", name)}
    alt_labels = {("en", clean(alt)) for alt in alternatives}
    alt_labels |= {("en", alias) for alias in ALIASES.get(code, ())}
    for language in languages:
        catalog = language.former if former else language.catalog

        def kept(message: str, catalog: Any = catalog, language: Language = language
                 ) -> str | None:
            text = translate(catalog, message)
            return text if text and belongs(text, code, language) else None

        local_name = kept(record.name)
        if local_name is not None:
            labels.add((language.tag, local_name))
        for alt in alternatives:
            local_alt = kept(alt)
            if local_alt is not None and local_alt != local_name:
                alt_labels.add((language.tag, local_alt))
    return Entry(code, record, former, labels, alt_labels - labels)


def drop_shared(entries: Sequence[Entry], languages: Sequence[Language]) -> None:
    """Settle a translated name that two of today's states share in one language: the
    one whose CLDR name it holds most of keeps it ("Slovenská republika" is Slovakia's,
    not the Gambia's too); if not exactly one does, it names neither for sure. English
    names and aliases stay, so an ambiguous alias (Korea) lists both states. A former
    state may share its successor's names."""
    by_tag = {language.tag: language for language in languages}
    current = [e for e in entries if not e.former]
    owners: dict[tuple[str, str], list[str]] = {}
    for e in current:
        for label in {*e.labels, *e.alt_labels}:
            if label[0] != "en":
                owners.setdefault(label, []).append(e.code)

    def keeps(label: tuple[str, str], code: str) -> bool:
        codes = owners.get(label, [code])
        if len(codes) == 1:
            return True
        cldr = by_tag[label[0]].cldr
        letters = _letters(label[1])
        scores = {c: _run(letters, _letters(cldr[c])) / len(_letters(cldr[c]))
                  for c in codes if c in cldr and _letters(cldr[c])
                  and _resembles(letters, _letters(cldr[c]))}
        best = max(scores.values(), default=0.0)
        return [c for c, score in scores.items() if score == best] == [code]

    for e in current:
        e.labels = {label for label in e.labels if keeps(label, e.code)}
        e.alt_labels = {label for label in e.alt_labels if keeps(label, e.code)}


def successors(code: str) -> tuple[str, ...]:
    """The codes of what a former state became (by SUCCESSORS or its ISO 3166-3 code)."""
    if code in SUCCESSORS:
        return SUCCESSORS[code]
    return (code[2:],) if code[2:] not in ("HH", "XX") else ()


def _date(text: str) -> str:
    kind = {4: "gYear", 7: "gYearMonth", 10: "date"}[len(text)]
    return f'"{text}"^^xsd:{kind}'


def country_block(e: Entry) -> str:
    """Return the Turtle statements describing one state."""
    record = e.record
    name = clean(record.name)
    if e.former:
        statements = [
            "    a dg:Country , dg:FormerCountry",
            f"    dg:alpha4 {literal(e.code)}",
            f"    dg:formerAlpha2 {literal(record.alpha_2)}",
            f"    dg:formerAlpha3 {literal(record.alpha_3)}",
        ]
    else:
        statements = [
            "    a dg:Country",
            f"    dg:alpha2 {literal(e.code)}",
            f"    dg:alpha3 {literal(record.alpha_3)}",
            f"    dg:numericCode {literal(record.numeric)}",
        ]
    statements += [
        f"    skos:prefLabel {literal(name, 'en')}",
        _objects("rdfs:label", [literal(t, lang) for lang, t in sorted(e.labels)]),
    ]
    if e.alt_labels:
        alts = [literal(t, lang) for lang, t in sorted(e.alt_labels)]
        statements.append(_objects("skos:altLabel", alts))
    if e.former:
        start, end = PERIODS.get(e.code, (None, None))
        if start is not None:
            statements.append(f"    dg:inception {_date(start)}")
        if end is not None:
            statements.append(f"    dg:dissolution {_date(end)}")
        statements.append(f"    dg:codeWithdrawn {_date(record.withdrawal_date)}")
        if successors(e.code):
            statements.append(_objects(
                "dg:replacedBy", [f"country:{code}" for code in successors(e.code)]))
        if getattr(record, "comment", None):
            statements.append(f"    rdfs:comment {literal(clean(record.comment), 'en')}")
    if e.code in WIKIDATA:
        statements.append(f"    skos:exactMatch wd:{WIKIDATA[e.code]}")
    dataset = FORMER_DATASET_IRI if e.former else DATASET_IRI
    statements.append(f"    prov:wasDerivedFrom <{dataset}>")
    return f"country:{e.code}\n" + " ;\n".join(statements) + " .\n"


def render(languages: Sequence[Language]) -> str:
    """Return the complete Turtle document for all pycountry states, today's and former."""
    source = f"pycountry {version('pycountry')}"
    header = [
        "# ISO 3166-1 and ISO 3166-3 country reference data for diplograph.",
        "# Generated by `python -m diplograph.refdata --output data/countries.ttl`",
        f"# from {source} (source: ISO 3166-1 and ISO 3166-3; translations checked",
        f"# against CLDR {version('babel')} as shipped by Babel). Do not edit by hand.",
        "",
        *(f"@prefix {prefix}: <{iri}> ." for prefix, iri in PREFIXES),
        "",
        f"<{DATASET_IRI}> a prov:Entity ;",
        f"    dcterms:title {literal('ISO 3166-1 country codes and names', 'en')} ;",
        f"    dcterms:source {literal(source)} .",
        "",
        f"<{FORMER_DATASET_IRI}> a prov:Entity ;",
        f"    dcterms:title {literal('ISO 3166-3 codes and names of former countries', 'en')} ;",
        f"    dcterms:source {literal(source)} .",
        "",
    ]
    entries = [entry(c, False, languages)
               for c in sorted(pycountry.countries, key=lambda c: str(c.alpha_2))]
    entries += [entry(c, True, languages)
                for c in sorted(pycountry.historic_countries, key=lambda c: str(c.alpha_4))]
    drop_shared(entries, languages)
    return "\n".join(header) + "\n" + "\n".join(country_block(e) for e in entries)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: write the Turtle to --output or to stdout."""
    parser = argparse.ArgumentParser(
        prog="python -m diplograph.refdata",
        description="Generate ISO 3166-1 country reference data as Turtle.",
    )
    parser.add_argument("--output", type=Path, help="file to write (default: stdout)")
    args = parser.parse_args(argv)
    languages, dropped = load_languages(Path(pycountry.LOCALES_DIR))
    if dropped:
        print(f"dropped unmappable locales: {', '.join(dropped)}", file=sys.stderr)
    data = render(languages).encode("utf-8")
    if args.output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        write_atomically(args.output, data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
