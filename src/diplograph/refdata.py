"""Generate the ISO 3166-1 country reference data as Turtle from pycountry.

Usage: ``python -m diplograph.refdata [--output PATH]``. The output is
deterministic: countries are ordered by alpha-2 code and labels by language
tag, and no timestamp is written, so regenerating gives identical bytes.
"""

from __future__ import annotations

import argparse
import gettext
import re
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import pycountry

from diplograph.atomic import write_atomically
from diplograph.namespaces import PREFIXES as NAMESPACES

DOMAIN = "iso3166-1"
DATASET_IRI = "https://w3id.org/diplograph/resource/iso-3166-1"

PREFIXES: tuple[tuple[str, str], ...] = tuple(
    (name, NAMESPACES[name])
    for name in ("dg", "country", "rdfs", "skos", "xsd", "wd", "dcterms", "prov")
)

# Wikidata items stated in the project's design guide; no others are asserted.
WIKIDATA: dict[str, str] = {"AZ": "Q227", "KZ": "Q232", "UA": "Q212", "UZ": "Q265"}

# gettext locale modifiers that name a script, mapped to ISO 15924 subtags.
SCRIPT_MODIFIERS: dict[str, str] = {
    "cyrillic": "Cyrl",
    "iqtelif": "Latn",  # Tatar written in the IQTElif Latin alphabet
    "latin": "Latn",
}

_LOCALE_RE = re.compile(
    r"^(?P<lang>[a-z]{2,3})(?:_(?P<region>[A-Z]{2}|[0-9]{3}))?(?:@(?P<mod>[a-z]+))?$"
)
_TURTLE_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


@dataclass(frozen=True)
class Language:
    """A gettext catalogue of pycountry together with its BCP 47 tag."""

    tag: str
    catalog: gettext.GNUTranslations


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


def load_languages(locales_dir: Path) -> tuple[list[Language], list[str]]:
    """Load every locale with an ISO 3166-1 catalogue; also return dropped locales."""
    languages: dict[str, Language] = {}
    dropped: list[str] = []
    for entry in sorted(locales_dir.iterdir()):
        if not (entry / "LC_MESSAGES" / f"{DOMAIN}.mo").is_file():
            continue
        tag = bcp47(entry.name)
        if tag is None or tag in languages:
            dropped.append(entry.name)
            continue
        catalog = gettext.translation(DOMAIN, str(locales_dir), languages=[entry.name])
        catalog.add_fallback(_Untranslated())
        languages[tag] = Language(tag, catalog)
    return [languages[tag] for tag in sorted(languages)], dropped


def clean(text: str) -> str:
    """Return text stripped and in Unicode NFC, as RDF recommends for literals."""
    return unicodedata.normalize("NFC", text.strip())


def translate(language: Language, message: str) -> str | None:
    """Return the cleaned translation of message, or None if the catalogue lacks one."""
    try:
        text = clean(language.catalog.gettext(message))
    except KeyError:
        return None
    return text or None


def literal(text: str, lang: str | None = None) -> str:
    """Serialise text as a Turtle string literal, optionally language-tagged."""
    escaped = "".join(_TURTLE_ESCAPES.get(char, char) for char in text)
    return f'"{escaped}"' + (f"@{lang}" if lang else "")


def _objects(predicate: str, objects: Sequence[str]) -> str:
    """Format one predicate with its objects, one object per line."""
    return f"    {predicate} " + " ,\n        ".join(objects)


def country_block(country: pycountry.db.Country, languages: Iterable[Language]) -> str:
    """Return the Turtle statements describing one country."""
    code: str = country.alpha_2
    name = clean(country.name)
    alternatives: list[str] = [  # raw msgids of names other than `name`
        alt
        for alt in (
            getattr(country, "official_name", None),
            getattr(country, "common_name", None),
        )
        if alt is not None and clean(alt) != name
    ]
    labels: list[tuple[str, str]] = [("en", name)]
    alt_labels: set[tuple[str, str]] = {("en", clean(alt)) for alt in alternatives}
    for language in languages:
        local_name = translate(language, country.name)
        if local_name is None:
            continue
        labels.append((language.tag, local_name))
        for alt in alternatives:
            local_alt = translate(language, alt)
            if local_alt is not None and local_alt != local_name:
                alt_labels.add((language.tag, local_alt))

    statements = [
        "    a dg:Country",
        f"    dg:alpha2 {literal(code)}",
        f"    dg:alpha3 {literal(country.alpha_3)}",
        f"    dg:numericCode {literal(country.numeric)}",
        f"    skos:prefLabel {literal(name, 'en')}",
        _objects("rdfs:label", [literal(t, lang) for lang, t in sorted(labels)]),
    ]
    if alt_labels:
        alts = [literal(t, lang) for lang, t in sorted(alt_labels)]
        statements.append(_objects("skos:altLabel", alts))
    if code in WIKIDATA:
        statements.append(f"    skos:exactMatch wd:{WIKIDATA[code]}")
    statements.append(f"    prov:wasDerivedFrom <{DATASET_IRI}>")
    return f"country:{code}\n" + " ;\n".join(statements) + " .\n"


def render(languages: Sequence[Language]) -> str:
    """Return the complete Turtle document for all pycountry countries."""
    source = f"pycountry {version('pycountry')}"
    header = [
        "# ISO 3166-1 country reference data for diplograph.",
        "# Generated by `python -m diplograph.refdata --output data/countries.ttl`",
        f"# from {source} (source: ISO 3166-1). Do not edit by hand.",
        "",
        *(f"@prefix {prefix}: <{iri}> ." for prefix, iri in PREFIXES),
        "",
        f"<{DATASET_IRI}> a prov:Entity ;",
        f"    dcterms:title {literal('ISO 3166-1 country codes and names', 'en')} ;",
        f"    dcterms:source {literal(source)} .",
        "",
    ]
    countries = sorted(pycountry.countries, key=lambda c: str(c.alpha_2))
    blocks = [country_block(country, languages) for country in countries]
    return "\n".join(header) + "\n" + "\n".join(blocks)


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
