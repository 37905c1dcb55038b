"""The case page read in one screen and the plan's explanations as codes (issue 12, items 3 and 6)."""

import datetime as dt
import importlib
import re
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import explanations, services
from cases.amounts import format_kronor
from cases.models import Case, RoutingDecision
from cases.rules import routing
from cases.rules.routing import ActiveUnit, DecisionInput, Member, decide
from tests.factories import notice_data, register

RAW_CODE = re.compile(r"[A-Z]{3,}_[A-Z_]+")


# --- explanations as data (pure) --------------------------------------------------------


def _input(**overrides) -> DecisionInput:
    values = {
        "notice_type": "RENT_ARREARS_TERMINATION", "notice_types_on_case": ("RENT_ARREARS_TERMINATION",),
        "received_date": dt.date(2026, 3, 2), "first_received_date": dt.date(2026, 3, 2),
        "members": (Member("TENANT", 35), Member("CHILD", 4, "LIVING")), "active_units": (), "housing_type": "ORDINARY",
        "phone_known": True, "contact_established": False, "letter_sent_date": None, "today": dt.date(2026, 3, 2),
    }
    return DecisionInput(**{**values, **overrides})


DECISIONS = {
    "family": _input(),
    "aktuell at two units": _input(active_units=(ActiveUnit("EKONOMISKT_BISTAND", None), ActiveUnit("VUXNA", None))),
    "individual at Kronofogden, 70": _input(
        notice_type="EVICTION_DATE", notice_types_on_case=("RENT_ARREARS_TERMINATION", "EVICTION_DATE"),
        members=(Member("TENANT", 70),), eviction_date=dt.date(2026, 4, 1), reply_deadline=dt.date(2026, 3, 20),
    ),
    "SHIS family": _input(housing_type="SHIS", next_meeting_date=dt.date(2026, 3, 11)),
    "family without contact, window passed": _input(today=dt.date(2026, 3, 30)),
}


@pytest.mark.parametrize("name", DECISIONS)
def test_every_sentence_is_stored_as_an_id_with_parameters_and_reads_back(name):
    decision = decide(DECISIONS[name])
    stored = routing.explanation_data(decision)
    assert stored and all(set(item) == {"id", "params"} and item["id"] in routing.SENTENCES for item in stored)
    # The Swedish words are the plan's own (what older decisions stored), and the migration reads them back.
    assert [routing.swedish_sentence(item) for item in stored] == list(decision.explanation)
    assert [explanations.parse(text) for text in decision.explanation] == stored


def test_sentences_are_worded_in_the_readers_language_with_the_units_current_name():
    item = {"id": "r1_one", "params": {"lead": "EKONOMISKT_BISTAND"}}
    names = {"EKONOMISKT_BISTAND": "Enheten för ekonomiskt stöd"}
    from django.utils import translation

    with translation.override("sv"):
        assert explanations.sentence(item, names) == (
            "Hushållet är redan aktuellt hos Enheten för ekonomiskt stöd, som ansvarar för ärendet (R1)."
        )
    with translation.override("en"):
        assert explanations.sentence(item, names) == (
            "The household is already known to Enheten för ekonomiskt stöd, which is responsible for the case (R1)."
        )
    # An old sentence that could not be read back is shown as it was stored.
    assert explanations.sentences(["Något som planen sa 2019."], names) == ["Något som planen sa 2019."]


def test_log_detail_codes_become_labels():
    from django.utils import translation

    with translation.override("en"):
        text = explanations.code_labels("översikt: namn, 3 träffar (notice_type=RENT_ARREARS_TERMINATION, unit=BARN_UNGA)",
                                        {"BARN_UNGA": "Barn och unga"})
    assert "RENT_ARREARS_TERMINATION" not in text and "BARN_UNGA" not in text
    assert "Barn och unga" in text and "rent arrears" in text.lower()


# --- the data migration ---------------------------------------------------------------


@pytest.mark.django_db
def test_migration_reads_stored_sentences_back_and_keeps_what_it_cannot(organisation, personas):
    case = register(organisation, personas["hyresradgivare"], children=("2019-02-01",)).case
    decision = RoutingDecision.objects.filter(case=case).first()
    words = [routing.swedish_sentence(item) for item in decision.explanation]
    unknown = "En mening som ingen regel längre säger (R2x)."
    RoutingDecision.objects.filter(pk=decision.pk).update(explanation=[*words, unknown])
    Case.objects.filter(pk=case.pk).update(explanation=words)

    migration = importlib.import_module("cases.migrations.0017_casepage")
    editor = SimpleNamespace(connection=connection)  # what the writer uses of the schema editor
    migration.to_data(apps, editor)  # on PostgreSQL each batch is one UPDATE … FROM (VALUES …)

    decision.refresh_from_db()
    case.refresh_from_db()
    assert decision.explanation[:-1] == case.explanation
    assert all(isinstance(item, dict) for item in case.explanation)
    assert decision.explanation[-1] == unknown
    migration.to_text(apps, editor)
    case.refresh_from_db()
    assert case.explanation == words


# --- the case page -------------------------------------------------------------------


def _family_case(organisation, personas, *, serial=840, notices=1, tasks=0, contacts=0):
    advisor = personas["hyresradgivare"]
    today = timezone.localdate()
    received = today - dt.timedelta(days=20)
    case = register(organisation, advisor, notice=notice_data(received=str(received), served=str(received - dt.timedelta(days=1))),
                    children=("2016-05-01",), serial=serial, surname=f"Familj{serial}", street=f"Gatan {serial}").case
    for i in range(1, notices):
        register(organisation, advisor, notice=notice_data(received=str(received + dt.timedelta(days=i)), served=None,
                                                           debt=f"{1000 + i}.00"),
                 children=("2016-05-01",), serial=serial, surname=f"Familj{serial}", street=f"Gatan {serial}",
                 today=today)
    unit = case.lead_unit
    for i in range(tasks):
        services.task_create(case=case, user=advisor, kind="MANUAL", unit=unit, due_date=today + dt.timedelta(days=i),
                             title=f"Uppgift {i}")
    for i in range(contacts):
        services.contact_register(case=case, user=advisor, date=today, channel="PHONE", established=False,
                                  note=f"Försök {i}")
    return Case.objects.get(pk=case.pk)


def _page_queries(client, case) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_case_page_takes_the_same_number_of_queries_for_a_small_and_a_big_case(client, organisation, personas):
    small = _family_case(organisation, personas, serial=841, notices=2)
    big = _family_case(organisation, personas, serial=842, notices=10, tasks=34, contacts=20)
    assert small.notices.count() == 2 and big.notices.count() == 10
    assert small.tasks.count() <= 6 and big.tasks.count() >= 40 and big.contacts.count() == 20
    client.force_login(personas["hyresradgivare"])
    _page_queries(client, small)  # the session and roles are loaded once
    small_count, big_count = _page_queries(client, small), _page_queries(client, big)
    assert small_count == big_count


@pytest.mark.django_db
def test_later_decisions_show_only_what_changed(client, organisation, personas):
    case = _family_case(organisation, personas, serial=843)
    advisor = personas["hyresradgivare"]
    services.contact_register(case=case, user=advisor, date=timezone.localdate(), channel="PHONE", established=True)
    client.force_login(advisor)
    response = client.get(reverse("cases:detail", args=[case.pk]))
    decisions = [e for e in response.context["timeline"] if e.kind == "decision"]
    full = [e for e in decisions if e.full]
    assert len(full) == 1
    first = RoutingDecision.objects.filter(case=case).order_by("created_at", "id").first()
    assert full[0].obj == first and len(full[0].lines) == len(first.explanation)
    later = [e for e in decisions if not e.full]
    assert later, "the contact changed the plan's decision"
    for entry in later:
        # Not a copy: each line is new, none repeats the first decision's sentences unchanged.
        assert len(entry.lines) < len(first.explanation)
    html = response.content.decode()
    assert html.count("Familj med barn som inte är aktuell: hyresrådgivaren ansvarar (R2).") == 1


@pytest.mark.django_db
def test_timeline_filter_works_without_javascript_and_the_future_stands_apart(client, organisation, personas):
    case = _family_case(organisation, personas, serial=844, contacts=1)
    client.force_login(personas["hyresradgivare"])
    url = reverse("cases:detail", args=[case.pk])
    everything = client.get(url).context
    now = timezone.now()
    assert all(e.at <= now for e in everything["timeline"])
    kinds = {e.kind for e in everything["timeline"]}
    assert {"notice", "decision", "contact"} <= kinds
    contacts = client.get(url + "?visa=kontakter").context
    assert contacts["timeline"] and {e.kind for e in contacts["timeline"]} <= {"contact", "consent"}
    assert client.get(url + "?visa=underrattelser").context["timeline"][0].kind == "notice"
    # An unknown filter shows everything.
    assert len(client.get(url + "?visa=nonsens").context["timeline"]) == len(everything["timeline"])


@pytest.mark.django_db
def test_underrattelser_show_every_field_entered_at_intake(client, organisation, personas):
    advisor = personas["hyresradgivare"]
    today = timezone.localdate()
    notice = notice_data(received=str(today - dt.timedelta(days=2)), served=str(today - dt.timedelta(days=3)))
    notice.agent = "Inkasso AB"
    notice.debt_months = 3
    notice.monthly_rent = 8450
    notice.termination_date = today - dt.timedelta(days=5)
    notice.description = "Hyran för tre månader obetald."
    case = register(organisation, advisor, notice=notice, serial=845).case
    client.force_login(advisor)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sv"
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    section = html[html.index('id="underrattelser"'):html.index('id="tilldelningar"')]
    for text in ("Inkasso AB", "Antal månader skuld", ">3<", format_kronor(8450), "Hyran för tre månader obetald.", "Uppsägningsdatum",
                 str(notice.termination_date), "AB Familjebostäder", "H-1234", "Avsändare", "Hyresvärd"):
        assert text in section, text


# --- every page in English: no Swedish rule sentence, no raw code -------------------------


class _Text(HTMLParser):
    """The visible text of a page: no tags, scripts or styles."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


@pytest.mark.django_db
def test_every_page_in_english_has_no_swedish_rule_sentence_and_no_raw_code(client, organisation, personas):
    advisor = personas["hyresradgivare"]
    today = timezone.localdate()
    received = str(today - dt.timedelta(days=20))
    family = _family_case(organisation, personas, serial=846, contacts=1)
    single = register(organisation, advisor, notice=notice_data("EVICTION_APPLICATION", received=received, served=None),
                      serial=847, surname="Ensam", tenant_birth="19500101").case
    aktuell = register(organisation, advisor, notice=notice_data(received=received), serial=848, surname="Aktuell",
                       active_units=("EKONOMISKT_BISTAND",), children=("2018-01-01",)).case
    services.run_daily_checks(today=today)
    cases = [family, single, aktuell]
    swedish = {routing.swedish_sentence(item) for c in Case.objects.filter(pk__in=[c.pk for c in cases])
               for item in c.explanation if isinstance(item, dict)}
    swedish |= {routing.swedish_sentence(item) for d in RoutingDecision.objects.filter(case__in=cases)
                for item in d.explanation if isinstance(item, dict)}
    assert len(swedish) > 10
    pages = {
        "hyresradgivare": [reverse("cases:my_cases") + "?notice_type=RENT_ARREARS_TERMINATION", reverse("cases:overview"),
                           *(reverse("cases:detail", args=[c.pk]) for c in cases),
                           *(reverse("cases:detail", args=[family.pk]) + f"?visa={key}&hela=1" for key in
                             ("kontakter", "underrattelser", "uppgifter", "bosam", "beslut")),
                           *(reverse("cases:decision", args=[c.pk]) for c in cases)],
        "barn": [reverse("cases:my_cases"), reverse("cases:detail", args=[family.pk])],
        "chef": [reverse("cases:overview") + f"?unit={family.lead_unit_id}",
                 reverse("cases:audit_review") + f"?month={today:%Y-%m}"],
        "ordforande": ["/bosam/"],
        "styrgrupp": ["/avvikelser/", "/statistik/"],
    }
    checked = 0
    for username, urls in pages.items():
        client.force_login(personas[username])
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            html = response.content.decode()
            assert '<html lang="en"' in html, url
            text = visible_text(html)
            assert not RAW_CODE.findall(text), (url, RAW_CODE.findall(text)[:5])
            found = [s for s in swedish if s in text]
            assert not found, (url, found[:2])
            checked += 1
    assert checked >= 20


@pytest.mark.django_db
def test_deviations_the_application_wrote_are_worded_in_the_readers_language(client, organisation, personas):
    from cases.models import Deviation

    case = _family_case(organisation, personas, serial=849)
    services.run_daily_checks(today=timezone.localdate())
    overdue = Deviation.objects.filter(case=case, kind="TASK_OVERDUE").first()
    assert overdue is not None and "skulle vara klar" in overdue.description
    Deviation.objects.create(organisation=organisation, case=case, kind="MANUAL", automatic=False,
                             description="Handläggaren var sjuk.", created_by=personas["hyresradgivare"])
    client.force_login(personas["hyresradgivare"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    text = visible_text(client.get(reverse("cases:detail", args=[case.pk]) + "?visa=beslut&hela=1").content.decode())
    assert "skulle vara klar" not in text
    assert "was due on" in text
    assert "Handläggaren var sjuk." in text  # a person's words stay as written


def test_task_notes_the_application_wrote_are_worded_in_the_readers_language():
    from django.utils import translation

    with translation.override("en"):
        assert explanations.task_note("Behandlat på BOSAM 2026-12-01.") == "Discussed at BOSAM on 2026-12-01."
        assert explanations.task_note("Kontakt etablerad, hembesöket behövs inte (R2d).") == (
            "Contact established; the home visit is not needed (R2d)."
        )
        assert explanations.task_note("Ringde, inget svar.") == "Ringde, inget svar."


def test_housing_names_inside_a_sentence_keep_their_capitals():
    from django.utils import translation

    with translation.override("sv"):
        assert explanations.sentence({"id": "r7", "params": {"housing": "SHIS", "lead": "BOSTAD"}}, {}).startswith(
            "Hushållet bor i en SHIS-lägenhet: särskild rutin där Bostadsenheten leder"
        )
        assert "i en försökslägenhet:" in explanations.sentence({"id": "r7", "params": {"housing": "TRIAL_FLAT", "lead": "BOSTAD"}}, {})
