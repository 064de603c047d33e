# ruff: noqa: RUF001  (Russian text: Cyrillic letters that look Latin are meant)
"""The words the pictures add themselves (titles, legends, notes, tooltips' phrasing) in
English, Azerbaijani and Russian; any other language falls back to English.

A message is a `str.format` template, or one template per plural form where it holds a
`{count}`: English (one, other), Russian (one, few, many); Azerbaijani keeps a noun
singular after a number, so it needs one."""

from __future__ import annotations

from collections.abc import Callable

Message = str | tuple[str, ...]

MESSAGES: dict[str, dict[str, Message]] = {
    "en": {
        "timeline.title": ("{pair}: {count} dated event{years}",
                           "{pair}: {count} dated events{years}"),
        "timeline.none": "no dated events",
        "timeline.day": "a day",
        "timeline.span": "a month, a year or an interval",
        "timeline.uncertain": "≈ uncertain: early, mid or late in the period",
        "timeline.after": "{date} or later",
        "timeline.before": "by {date}",
        "map.title": ("{home}: diplomatic relations with {count} state",
                      "{home}: diplomatic relations with {count} states"),
        "map.year": "year diplomatic relations were established",
        "map.undated": "relations, year unknown",
        "map.embassy_abroad": "embassy of {home} there",
        "map.embassy_home": "the partner's embassy in {home}",
        "map.missing": "not on the map: {names}",
        "map.since": "{name}: diplomatic relations since {year}",
        "map.related": "{name}: diplomatic relations",
        "network.title": ("Relations, visits and agreements between {count} state",
                          "Relations, visits and agreements between {count} states"),
        "network.where": "{title} in {regions}",
        "network.none": "No relations, visits or agreements between two states",
        "network.state": "{name}: {count} relations, visits and agreements",
        "network.relations": ("{count} relation", "{count} relations"),
        "network.visits": ("{count} visit", "{count} visits"),
        "network.agreements": ("{count} agreement", "{count} agreements"),
        "network.note": "edge width: relations + visits + agreements between the two states",
        "network.cut": ("; the heaviest edge of {total} drawn",
                        "; the {count} heaviest of {total} edges drawn"),
        "region.Africa": "Africa",
        "region.Americas": "Americas",
        "region.Antarctica": "Antarctica",
        "region.Asia": "Asia",
        "region.Europe": "Europe",
        "region.Oceania": "Oceania",
        "page.links": ("{count} linked item", "{count} linked items"),
        "months": "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec",
    },
    "az": {
        "timeline.title": "{pair}: {count} tarixli hadisə{years}",
        "timeline.none": "tarixli hadisə yoxdur",
        "timeline.day": "bir gün",
        "timeline.span": "ay, il və ya dövr",
        "timeline.uncertain": "≈ qeyri-dəqiq: dövrün əvvəli, ortası və ya sonu",
        "timeline.after": "{date} və ya daha sonra",
        "timeline.before": "ən gec {date}",
        "map.title": "{home}: {count} dövlətlə diplomatik münasibətlər",
        "map.year": "diplomatik münasibətlərin qurulduğu il",
        "map.undated": "münasibətlər var, qurulduğu il məlum deyil",
        "map.embassy_abroad": "tərəfdaş ölkədə {home} səfirliyi",
        "map.embassy_home": "{home} ərazisində tərəfdaş ölkənin səfirliyi",
        "map.missing": "xəritədə göstərilməyib: {names}",
        "map.since": "{name}: diplomatik münasibətlər (qurulduğu il: {year})",
        "map.related": "{name}: diplomatik münasibətlər",
        "network.title": "{count} dövlət arasında münasibətlər, səfərlər və sazişlər",
        "network.where": "{title} ({regions})",
        "network.none": "İki dövlət arasında münasibət, səfər və ya saziş yoxdur",
        "network.state": "{name}: münasibətlər, səfərlər və sazişlər, cəmi {count}",
        "network.relations": "{count} münasibət",
        "network.visits": "{count} səfər",
        "network.agreements": "{count} saziş",
        "network.note": "xəttin qalınlığı: iki dövlət arasındakı münasibətlərin, səfərlərin "
                        "və sazişlərin sayı",
        "network.cut": "; {total} əlaqədən ən güclü {count} əlaqə göstərilib",
        "region.Africa": "Afrika",
        "region.Americas": "Amerika",
        "region.Antarctica": "Antarktida",
        "region.Asia": "Asiya",
        "region.Europe": "Avropa",
        "region.Oceania": "Okeaniya",
        "page.links": "{count} keçid",
        "months": "yan fev mar apr may iyn iyl avq sen okt noy dek",
    },
    "ru": {
        "timeline.title": ("{pair}: {count} датированное событие{years}",
                           "{pair}: {count} датированных события{years}",
                           "{pair}: {count} датированных событий{years}"),
        "timeline.none": "нет датированных событий",
        "timeline.day": "день",
        "timeline.span": "месяц, год или период",
        "timeline.uncertain": "≈ неточно: начало, середина или конец периода",
        "timeline.after": "не ранее {date}",
        "timeline.before": "не позднее {date}",
        "map.title": ("{home}: дипломатические отношения с {count} государством",
                      "{home}: дипломатические отношения с {count} государствами",
                      "{home}: дипломатические отношения с {count} государствами"),
        "map.year": "год установления дипломатических отношений",
        "map.undated": "отношения установлены, год неизвестен",
        "map.embassy_abroad": "посольство страны {home} в стране-партнёре",
        "map.embassy_home": "посольство страны-партнёра в стране {home}",
        "map.missing": "нет на карте: {names}",
        "map.since": "{name}: дипломатические отношения с {year} года",
        "map.related": "{name}: дипломатические отношения",
        "network.title": ("Отношения, визиты и соглашения между {count} государством",
                          "Отношения, визиты и соглашения между {count} государствами",
                          "Отношения, визиты и соглашения между {count} государствами"),
        "network.where": "{title} ({regions})",
        "network.none": "Нет отношений, визитов или соглашений между двумя государствами",
        "network.state": "{name}: отношения, визиты и соглашения, всего {count}",
        "network.relations": "отношения: {count}",
        "network.visits": ("{count} визит", "{count} визита", "{count} визитов"),
        "network.agreements": ("{count} соглашение", "{count} соглашения",
                               "{count} соглашений"),
        "network.note": "толщина линии: число отношений, визитов и соглашений между двумя "
                        "государствами",
        "network.cut": ("; показана {count} самая сильная связь из {total}",
                        "; показаны {count} самые сильные связи из {total}",
                        "; показаны {count} самых сильных связей из {total}"),
        "region.Africa": "Африка",
        "region.Americas": "Америка",
        "region.Antarctica": "Антарктида",
        "region.Asia": "Азия",
        "region.Europe": "Европа",
        "region.Oceania": "Океания",
        "page.links": ("{count} ссылка", "{count} ссылки", "{count} ссылок"),
        "months": "янв. февр. март апр. май июнь июль авг. сент. окт. нояб. дек.",
    },
}


def _english(count: int) -> int:
    return 0 if count == 1 else 1


def _russian(count: int) -> int:
    if count % 10 == 1 and count % 100 != 11:
        return 0
    if 2 <= count % 10 <= 4 and not 12 <= count % 100 <= 14:
        return 1
    return 2


PLURAL: dict[str, Callable[[int], int]] = {"en": _english, "ru": _russian}


def language_of(lang: str) -> str:
    """The language whose messages serve `lang` (`ru-RU` is Russian), else English."""
    tag = lang.lower().split("-")[0]
    return tag if tag in MESSAGES else "en"


def template(lang: str, key: str, count: int | None = None) -> str:
    """The message for `key` in `lang`, in the plural form for `count`."""
    tag = language_of(lang)
    message = MESSAGES[tag][key]
    if isinstance(message, str):
        return message
    assert count is not None, f"{key} needs a count"
    return message[PLURAL[tag](count)]


def say(lang: str, key: str, count: int | None = None, **values: object) -> str:
    """The message for `key` in `lang`, filled in."""
    return template(lang, key, count).format(count=count, **values)


def months(lang: str) -> list[str]:
    """The twelve months' short names in `lang`, as CLDR names them standing alone."""
    return say(lang, "months").split()
