"""Competency questions: what a user asks of the graph, answered through the named
queries (and SPARQL where no named query fits), each answer checked against the
words of the source document it comes from. Every expected answer names the
source's phrase that gives it, and the test first checks that phrase is in the
source, so an answer cannot drift from what the source says."""

from __future__ import annotations

from pathlib import Path

import pytest

from diplograph import Graph
from diplograph.project import Project
from diplograph.sparql.results import plain
from diplograph.sparql.running import Result
from diplograph.store.cache import KnowledgeGraph

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "data" / "sources" / "000_83205e02681364cb.txt"
PREFIXES = """PREFIX dg: <https://w3id.org/diplograph/ontology#>
PREFIX dgr: <https://w3id.org/diplograph/resource/>
PREFIX dgv: <https://w3id.org/diplograph/vocab/>
PREFIX schema: <https://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
DGR = "https://w3id.org/diplograph/resource/"


@pytest.fixture(scope="module")
def front(project: Project, store_dir: Path, graph: KnowledgeGraph) -> Graph:
    return Graph(project, store_dir, _compiled=graph)


def says(phrase: str) -> str:
    """The phrase, after checking the source says it (white space folded)."""
    text = " ".join(SOURCE.read_text(encoding="utf-8").split())
    assert " ".join(phrase.split()) in text, f"the source does not say {phrase!r}"
    return phrase


def rows(result: Result) -> list[dict[str, str]]:
    """Each row as column -> lexical form ('' when unbound)."""
    return [{c: plain(v) for c, v in zip(result.columns, row, strict=True)}
            for row in result.rows]


def column(result: Result, name: str) -> list[str]:
    return [row[name] for row in rows(result)]


# --- Relations, embassies, ambassadors ------------------------------------------------

def test_when_were_relations_with_uzbekistan_and_kazakhstan_established(front: Graph) -> None:
    says("Azərbaycan ilə Özbəkistan arasında diplomatik əlaqələr 2 oktyabr 1995-ci ildə")
    says("Qazaxıstan Respublikası arasında diplomatik əlaqələr 30 avqust 1992-ci il")
    established = {r["partner_code"]: r["established"]
                   for r in rows(front.query("relations", country="AZ"))}
    assert established == {"UZ": "1995-10-02", "KZ": "1992-08-30"}


def test_when_did_each_embassy_begin_to_operate(front: Graph) -> None:
    says("1996-cı ilin ortalarında Azərbaycan Respublikasının Özbəkistan Respublikasında, "
         "1998-ci ilin may ayında Özbəkistan Respublikasının Azərbaycan Respublikasında")
    says("9 yanvar 1993-cü ildə Qazaxıstan Respublikasının Azərbaycan Respublikasındakı, "
         "1 mart 2004-cü ildə Azərbaycan Respublikasının Qazaxıstan Respublikasındakı")
    opened = {(r["sending_code"], r["host_code"]): (r["opened"], r["qualifier"])
              for r in rows(front.query("embassies"))}
    assert opened[("AZ", "UZ")] == ("1996", "mid")
    assert opened[("UZ", "AZ")] == ("1998-05", "")
    assert opened[("KZ", "AZ")] == ("1993-01-09", "")
    assert opened[("AZ", "KZ")] == ("2004-03-01", "")


def test_who_were_kazakhstans_ambassadors_to_azerbaijan(front: Graph) -> None:
    says("İbrahim Amanqaliyev Qazaxıstan Respublikasının Azərbaycanda ilk səfiri olmuşdur")
    says("2008-ci ilin yanvar ayından etibarən Primbetov Serik Dostanoviç")
    text = " ".join(" ".join(r.values())
                    for r in rows(front.query("ambassadors", sending="KZ", host="AZ")))
    assert "Amangaliyev" in text and "Primbetov" in text
    assert "2008-01" in text


# --- Visits, meetings, who took part ----------------------------------------------------

def test_which_visits_were_made_between_azerbaijan_and_uzbekistan(front: Graph) -> None:
    says("İslam Kərimovun Azərbaycana 26-27 may 1996-cı il tarixdə ilk rəsmi səfəri")
    says("18-19 iyun 1997-ci il tarixdə Azərbaycan Respublikasının Prezidenti Heydər Əliyevin "
         "Özbəkistana rəsmi səfəri")
    says("23-24 mart 2004-cü il tarixdə Azərbaycan Prezidenti İlham Əliyev Özbəkistan "
         "Respublikasında dövlət səfərində olub")
    says("11-12 sentyabr 2008-ci il tarixdə Özbəkistan Respublikasının Prezidenti İslam Kərimov "
         "Azərbaycanda rəsmi səfərdə olub")
    visits = [(r["start"], r["from_code"], r["host_code"], r["visit_type"])
              for r in rows(front.query("visits", a="AZ", b="UZ"))]
    assert visits == [("1996-05-26", "UZ", "AZ", "official"),
                      ("1997-06-18", "AZ", "UZ", "official"),
                      ("2004-03-23", "AZ", "UZ", "state"),
                      ("2008-09-11", "UZ", "AZ", "official")]


def test_the_1996_visit_is_the_first_official_one(front: Graph) -> None:
    says("ilk rəsmi səfəri")
    answer = front.sparql(PREFIXES + """SELECT ?position WHERE {
        dgr:visit-1996-05-karimov-azerbaijan schema:position ?position }""")
    assert column(answer, "position") == ["1"]


def test_whom_heydar_aliyev_met_in_yalta_is_read_not_stated(front: Graph) -> None:
    """The source names Heydar Aliyev, but only "the President of Uzbekistan"."""
    says("Heydər Əliyev Yaltada Ukrayna Prezidenti L.Kuçmanın 60 illik yubileyi tədbirlərində "
         "yenidən Özbəkistan Prezidenti ilə görüşüb")
    meeting = DGR + "meeting-1998-08-09-yalta"

    def at_yalta(facts: str) -> set[str]:
        return {r["person_label"] for r in rows(front.query("participants", facts=facts))
                if r["event"] == meeting}

    assert at_yalta("all") == {"Heydar Aliyev", "Islam Karimov"}
    assert at_yalta("stated") == {"Heydar Aliyev"}
    why = rows(front.query("interpretations", subject="dgr:meeting-1998-08-09-yalta"))
    assert [(r["rule_code"], r["value_label"]) for r in why] == [("coreference", "Islam Karimov")]


def test_where_the_source_names_islam_karimov(front: Graph) -> None:
    """Stated: the 1996 visit and honour and the 2008 visit name him; "İ.Kərimov",
    "the President of Uzbekistan" and "the presidents" elsewhere are readings."""
    says("Özbəkistan Prezidenti İslam Kərimova Bakı Dövlət Universitetinin fəxri doktoru")
    named = rows(front.query("participants", person="Islam Karimov", facts="stated"))
    # the honour was conferred "during the visit": no date of its own, the visit's bounds
    assert [(r["date"], r["earliest"], r["latest"]) for r in named] == [
        ("1996-05-26", "1996-05-26", "1996-05-26"), ("", "1996-05-26", "1996-05-27"),
        ("2008-09-11", "2008-09-11", "2008-09-11")]
    every = rows(front.query("participants", person="Islam Karimov"))
    assert len(every) > len(named)
    read = {DGR + "meeting-1998-08-09-yalta", DGR + "meeting-2004-03-one-on-one",
            DGR + "event-2008-09-karimov-heydar-aliyev-foundation"}
    assert read <= {r["event"] for r in every} - {r["event"] for r in named}


def test_where_the_1996_visit_took_place_is_inferred(front: Graph) -> None:
    says("Bakıdakı kimi, Daşkənddə də 19 sənəd imzalanıb")
    why = rows(front.query("interpretations", subject="dgr:visit-1996-05-karimov-azerbaijan"))
    assert [(r["rule_code"], r["value_label"]) for r in why] == [("context", "Baku")]


def test_which_meetings_discussed_security(front: Graph) -> None:
    says("Cənubi Qafqazda və Mərkəzi Asiyada təhlükəsizlik məsələləri")
    answer = front.sparql(PREFIXES + """SELECT ?meeting ?words WHERE {
        ?meeting dg:topic ?topic . ?topic skos:broader dgv:security ;
        skos:prefLabel ?words FILTER(LANG(?words) = "az") }""")
    assert rows(answer) == [{
        "meeting": DGR + "meeting-2004-03-one-on-one",
        "words": says("Cənubi Qafqazda və Mərkəzi Asiyada təhlükəsizlik məsələləri")}]


def test_in_what_formats_the_presidents_met_in_2008(front: Graph) -> None:
    says("İki ölkə prezidentinin təkbətək və geniş tərkibdə görüşündən sonra")
    answer = front.sparql(PREFIXES + """SELECT ?format WHERE {
        dgr:meeting-2008-09-presidents-azerbaijan dg:meetingFormat/skos:notation ?format }
        ORDER BY ?format""")
    assert column(answer, "format") == ["extended", "one-on-one"]


# --- Agreements and honours ----------------------------------------------------------------

def test_which_agreements_azerbaijan_and_uzbekistan_signed(front: Graph) -> None:
    """Two treaties, and the 2008 agreements as the six items of the source's list."""
    says('"Azərbaycan Respublikası və Özbəkistan Respublikası arasında dostluq və əməkdaşlıq '
         'haqqında müqavilə" imzalanıb')
    says("humanitar sahədə, ticarət-iqtisadi və elmi-texniki əməkdaşlığın daha da inkişaf "
         "etdirilməsi tədbirləri haqqında sazişlər imzalanıb")
    # each was signed "during the visit": no date of its own, the visit's bounds
    every = rows(front.query("agreements", a="AZ", b="UZ"))
    assert [(r["signed"], r["earliest"]) for r in every] == [
        ("", "1996-05-26"), ("", "1997-06-18")] + [("", "2008-09-11")] * 6
    stated = rows(front.query("agreements", a="AZ", b="UZ", facts="stated"))
    assert [r["earliest"] for r in stated] == ["1996-05-26", "1997-06-18"]
    timeline = {r["item"] for r in rows(front.query("timeline", a="AZ", b="UZ"))}
    stated_timeline = {r["item"] for r in rows(front.query("timeline", a="AZ", b="UZ",
                                                           facts="stated"))}
    assert timeline - stated_timeline == {r["agreement"] for r in every[2:]}


def test_the_2008_agreements_read_as_their_rendering(front: Graph) -> None:
    """The humanitarian item shares its head with the trade one: no agreement on
    "cooperation in the humanitarian field" alone, no word the source lacks."""
    says("humanitar sahədə, ticarət-iqtisadi")
    titles = column(front.query("agreements", a="AZ", b="UZ", lang="az"), "title")
    assert ("Humanitar sahədə, ticarət-iqtisadi və elmi-texniki əməkdaşlığın daha da inkişaf "
            "etdirilməsi tədbirləri haqqında saziş") in titles
    assert "Humanitar sahədə əməkdaşlıq haqqında saziş" not in titles
    for title in titles[2:]:  # each item is the source's words and "haqqında saziş"
        says(title.removesuffix(" haqqında saziş")[1:])


def test_a_translated_title_is_left_out_of_stated_facts(front: Graph) -> None:
    quoted = says("Azərbaycan Respublikası və Özbəkistan Respublikası arasında dostluq və "
                  "əməkdaşlıq haqqında müqavilə")
    stated = rows(front.query("agreements", a="AZ", b="UZ", facts="stated"))
    assert stated[0]["title"] == quoted
    every = rows(front.query("agreements", a="AZ", b="UZ"))
    assert every[0]["title"].startswith("Treaty on friendship and cooperation")


def test_who_received_honorary_doctorates(front: Graph) -> None:
    says("Özbəkistan Prezidenti İslam Kərimova Bakı Dövlət Universitetinin fəxri doktoru "
         "diplomu təqdim olunub")
    says("19 iyun 1997-ci il tarixdə Azərbaycan Prezidentinə Daşkənd Universitetinin fəxri "
         "doktoru diplomu təqdim olunub")
    every = [(r["recipient_label"], r["date"], r["earliest"])
             for r in rows(front.query("honours"))]
    assert every == [("Islam Karimov", "", "1996-05-26"),  # "during the visit"
                     ("Heydar Aliyev", "1997-06-19", "1997-06-19")]
    stated = [r["recipient_label"] for r in rows(front.query("honours", facts="stated"))]
    assert stated == ["Islam Karimov"]


# --- Kazakhstan: the brochure incident, the vote -------------------------------------------

def test_when_the_kazakh_note_arrived(front: Graph) -> None:
    """"daxil olmuş" is received: the date is when it arrived, not when it was sent."""
    says("2006-cı ilin 11 avqust tarixində Qazaxıstan XİN-dən Səfirliyimizin ünvanına daxil "
         "olmuş notada")
    note = DGR + "note-2006-08-11-kz-mfa-to-az-embassy"
    timeline = rows(front.query("timeline", a="AZ", b="KZ"))
    assert [r["date"] for r in timeline if r["item"] == note] == ["2006-08-11"]
    dated = front.sparql(PREFIXES + f"""SELECT ?sent ?received WHERE {{
        OPTIONAL {{ <{note}> schema:dateSent ?sent }}
        OPTIONAL {{ <{note}> schema:dateReceived ?received }} }}""")
    assert rows(dated) == [{"sent": "", "received": "2006-08-11"}]


def test_the_incident_is_not_dated_by_the_brochure(front: Graph) -> None:
    says("2006-cı ilin iyul ayında AR XİN tərəfindən qeyri-rəsmi mənbələr vasitəsilə")
    timeline = rows(front.query("timeline", a="AZ", b="KZ"))
    dated = {r["item"].removeprefix(DGR): r["date"] for r in timeline}
    assert dated["event-2006-07-mfa-obtains-brochure"] == "2006-07"
    # the incident has no date of its own; that it began by the end of July 2006
    # follows from its part, the brochure obtained then
    assert dated["incident-2006-karabakh-map-in-exhibition-brochure"] == ""


def test_who_sent_the_impersonal_appeal_is_read(front: Graph) -> None:
    says("eyni zamanda QR-in Bakıdakı Səfirliyinə müraciət edilmişdir")
    why = rows(front.query("interpretations", subject="dgr:appeal-2006-to-kz-embassy-in-baku"))
    assert [(r["rule_code"], r["property"]) for r in why] == [
        ("context", "https://schema.org/sender")]


def test_how_kazakhstan_voted_on_the_occupied_territories_draft(front: Graph) -> None:
    says("qətnamə layihəsinə dair keçirilmiş səsvermədə Qazaxıstan Respublikası bitərəf səs "
         "vermişdir")
    votes = rows(front.query("votes", country="KZ"))
    assert [(r["vote"], r["date"]) for r in votes] == [("abstain", "2008-03-14")]


# --- Places, people, culture, quantities ---------------------------------------------------

def test_which_state_yalta_is_in_is_not_said(front: Graph) -> None:
    says("Yaltada Ukrayna Prezidenti")
    answer = front.sparql(PREFIXES + "ASK { dgr:city-yalta dg:inCountry ?state }")
    assert answer.boolean is False


def test_where_the_monuments_stand(front: Graph) -> None:
    says("Bakıda Əlişir Nəvainin, Daşkənddə isə Nizami Gəncəvinin abidələri ucaldılmışdır")
    monuments = {(r["commemorates_label"], r["city_label"], r["country_code"])
                 for r in rows(front.query("monuments"))}
    assert monuments == {("Alisher Navoi", "Baku", "AZ"), ("Nizami Ganjavi", "Tashkent", "UZ")}


def test_the_ballet_has_no_invented_english_title(front: Graph) -> None:
    says('Arif Məlikovun özbək yazıçısı Şərəf Rəşidovun əsəri əsasında yaratdığı '
         '"İki qəlbin dastanı baleti"')
    answer = front.sparql(PREFIXES + """SELECT ?title ?composer ?author WHERE {
        ?ballet schema:genre dgv:ballet ; dcterms:title ?title ;
          schema:composer/rdfs:label ?composer ; schema:isBasedOn/schema:author/rdfs:label ?author
        FILTER(LANG(?composer) = "en" && LANG(?author) = "en") }""")
    assert rows(answer) == [{"title": "İki qəlbin dastanı", "composer": "Arif Malikov",
                             "author": "Sharof Rashidov"}]
    assert not front.sparql(PREFIXES + 'ASK { ?x ?p ?o FILTER(CONTAINS(STR(?o), "Two Hearts")) }'
                            ).boolean


def test_how_many_azerbaijanis_live_in_uzbekistan(front: Graph) -> None:
    says("Bu gün 40 mindən çox azərbaycanlı")
    says("on minlərlə azərbaycanlı Özbəkistan torpağında sığınacaq tapıb")
    answer = front.sparql(PREFIXES + """SELECT ?of ?min ?max ?words WHERE {
        ?of dg:peopleCount ?n . ?n rdfs:label ?words FILTER(LANG(?words) = "en")
        OPTIONAL { ?n schema:minValue ?min } OPTIONAL { ?n schema:maxValue ?max } }
        ORDER BY ?of""")
    assert rows(answer) == [
        {"of": DGR + "diaspora-azerbaijanis-in-uzbekistan", "min": "40000", "max": "",
         "words": "more than 40,000"},
        {"of": DGR + "event-1930s-azerbaijani-refuge-in-uzbekistan", "min": "10000",
         "max": "99999", "words": "tens of thousands"}]
    read = rows(front.query("interpretations", rule="quantity"))
    assert {r["property"] for r in read} == {"https://schema.org/minValue",
                                             "https://schema.org/maxValue"}


# --- Stated facts only, as a whole ---------------------------------------------------------

@pytest.mark.parametrize("name", ["agreements", "honours", "participants", "timeline"])
def test_stated_facts_are_fewer_rows_of_the_same_facts(front: Graph, name: str) -> None:
    params = {"a": "AZ", "b": "UZ"} if name in ("agreements", "timeline") else {}
    every = rows(front.query(name, **params))
    stated = rows(front.query(name, facts="stated", **params))
    key = {"honours": "award", "agreements": "agreement", "timeline": "item"}.get(name, "event")
    assert 0 < len(stated) < len(every)
    assert {r[key] for r in stated} <= {r[key] for r in every}


def test_stated_participants_leave_out_exactly_the_marked_ones(front: Graph) -> None:
    def pairs(facts: str) -> set[tuple[str, str]]:
        return {(r["event"], r["participant"])
                for r in rows(front.query("participants", facts=facts))}

    marked = {(r["node"], r["value"]) for r in rows(front.query("interpretations"))
              if r["property"].endswith("#participant")}
    assert len(marked) >= 10
    assert pairs("all") - pairs("stated") == marked
    assert marked <= pairs("all")


def test_every_interpretation_names_a_triple_of_the_graph(front: Graph) -> None:
    dangling = front.sparql(PREFIXES + """SELECT ?i WHERE {
        ?i a dg:Interpretation ; dg:statementSubject ?s ; dg:statementPredicate ?p ;
           dg:statementObject ?o FILTER NOT EXISTS { ?s ?p ?o } }""")
    assert rows(dangling) == []
    rules = {r["rule_code"] for r in rows(front.query("interpretations"))}
    assert rules == {"coreference", "context", "list-split", "translation", "quantity"}


@pytest.mark.slow
def test_an_interpretation_of_a_triple_the_graph_lacks_is_refused(front: Graph,
                                                                 tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.ttl"
    wrong.write_text(PREFIXES + """
        PREFIX prov: <http://www.w3.org/ns/prov#>
        dgr:interpretation-wrong a dg:Interpretation ;
            rdfs:label "Ilham Aliyev was in Yalta"@en ;
            dg:statementSubject dgr:meeting-1998-08-09-yalta ;
            dg:statementPredicate dg:participant ;
            dg:statementObject dgr:person-ilham-aliyev ;
            dg:interpretationRule dgv:coreference ;
            skos:note "A wrong reading."@en ;
            prov:wasDerivedFrom dgr:source-000 ;
            dg:quote "Görüşdə ikitərəfli maraq doğuran məsələlər müzakirə olunub."@az .
        """, encoding="utf-8")
    report = front.validate([wrong])
    assert not report.conforms()
    assert [plain(f.value) for f in report.findings
            if "does not hold" in f.message] == [DGR + "person-ilham-aliyev"]
