"""The columns an import understands: key, heading, meaning, example, and the headings
landlords commonly use for it (recognised automatically, case and punctuation ignored).

The keys are the intake form's field names (cases/intake/forms.py) so that a row is
validated by that very form; the tenant's and co-tenant's columns map onto its members.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Column:
    key: str
    heading: str
    meaning: str
    example: str
    synonyms: tuple[str, ...] = ()
    required: bool = False


# The example row uses a test personnummer (the 98xx series) and a landlord valid by checksum only.
COLUMNS: tuple[Column, ...] = (
    Column("landlord_reference", _("Referens"),
           _("Hyresvärdens referens för underrättelsen (ärende- eller kundnummer). Krävs: raden känns igen på den vid en ny import."),
           "MALL-0001",
           ("referens", "hyresvardens referens", "ert arende", "arendenummer", "kundnummer", "ref", "referensnummer"), True),
    Column("notice_type", _("Typ"),
           _("Typ av underrättelse: kod (t.ex. RENT_ARREARS_TERMINATION) eller benämning. Tomt = uppsägning pga hyresskuld."),
           "RENT_ARREARS_TERMINATION", ("typ", "typ av underrattelse", "arendetyp", "underrattelsetyp")),
    Column("tenant_name", _("Namn"), _("Kontraktsinnehavarens namn."), "Test Testsson",
           ("namn", "hyresgast", "kontraktsinnehavare", "hyresgastens namn", "kund", "kundnamn"), True),
    Column("tenant_pin", _("Personnummer"), _("Kontraktsinnehavarens personnummer eller samordningsnummer (ÅÅÅÅMMDD-NNNN)."),
           "19790521-9908", ("personnummer", "pnr", "personnr", "person nr", "samordningsnummer", "hyresgastens personnummer")),
    Column("co_tenant_name", _("Medhyresgäst"), _("Namn på en andra kontraktsinnehavare, om det finns."), "",
           ("medhyresgast", "medhyresgastens namn", "namn 2", "andra hyresgast")),
    Column("co_tenant_pin", _("Medhyresgästens personnummer"), _("Den andra kontraktsinnehavarens personnummer."), "",
           ("medhyresgastens personnummer", "personnummer 2", "pnr 2")),
    Column("street_address", _("Adress"), _("Lägenhetens gatuadress."), "Sockenvägen 290",
           ("adress", "gatuadress", "lagenhetsadress", "objektsadress"), True),
    Column("apartment_number", _("Lägenhetsnummer"), _("Lägenhetsnumret, fyra siffror."), "1102",
           ("lagenhetsnummer", "lgh nr", "lghnr", "lagenhetsnr", "lgh")),
    Column("object_number", _("Objektnummer"), _("Hyresvärdens objektnummer: siffror och bokstäver, högst 10 tecken."), "",
           ("objektnummer", "objektnr", "objekt nr", "objekt")),
    Column("postal_code", _("Postnummer"), _("Fem siffror."), "120 40", ("postnummer", "postnr")),
    Column("city", _("Ort"), _("Postort."), "Årsta", ("ort", "postort", "stad")),
    Column("area", _("Område"), _("Stadsdelsområde."), "Årsta", ("omrade", "stadsdel", "stadsdelsomrade")),
    Column("housing_type", _("Boendeform"),
           _("ORDINARY, TRIAL_FLAT, TRAINING_FLAT, SHIS eller OTHER (eller benämning). Tomt = förstahandskontrakt."),
           "ORDINARY", ("boendeform", "kontraktstyp")),
    Column("phone", _("Telefon"), _("Hushållets telefonnummer."), "070-1234567", ("telefon", "telefonnummer", "tel", "mobil")),
    Column("preferred_language", _("Språk för brev"),
           _("Språk för brev: kod (sv, sv-easy, en, ar, so, fi, fa, ti …, se codes.md) eller språkets namn. Tomt = inte angivet."),
           "", ("sprak", "sprak for brev", "brevsprak", "language")),
    Column("debt_amount", _("Skuld"), _("Hyresskulden i kronor."), "18450", ("skuld", "hyresskuld", "skuld kr", "belopp", "skuldbelopp")),
    Column("debt_months", _("Antal månader skuld"), _("Hur många månadshyror skulden motsvarar."), "2",
           ("antal manader skuld", "manader", "antal manader")),
    Column("recovery_amount", _("Återvinningsbelopp"), _("Belopp som krävs för att återvinna hyresrätten (kr)."), "18450",
           ("atervinningsbelopp", "belopp for att atervinna", "belopp att betala for atervinning")),
    Column("monthly_rent", _("Månadshyra"), _("Månadshyran i kronor."), "9225", ("manadshyra", "hyra", "hyra per manad")),
    Column("document_date", _("Handlingens datum"), _("Datum på underrättelsen (ÅÅÅÅ-MM-DD)."), "2026-11-16",
           ("handlingens datum", "datum", "brevdatum", "utskicksdatum", "underrattelsedatum")),
    Column("served_date", _("Delgivningsdatum"), _("Dagen hyresgästen delgavs uppsägningen. Tomt om det inte är känt."), "2026-11-17",
           ("delgivningsdatum", "delgiven", "delgivning", "delgivningsdag")),
    Column("termination_date", _("Uppsägningsdatum"), _("Datum för uppsägningen."), "2026-11-16",
           ("uppsagningsdatum", "uppsagd", "uppsagning")),
    Column("warning_date", _("Datum för tillsägelse"), _("Vid störningar: datum för tillsägelsen."), "",
           ("tillsagelsedatum", "datum for tillsagelse")),
    Column("eviction_date", _("Avhysningsdatum"), _("Datum för avhysning, om det är bestämt."), "", ("avhysningsdatum", "avhysning")),
    Column("received_date", _("Inkom"), _("Datum då listan inkom till socialtjänsten. Tomt = importdagen."), "",
           ("inkom", "inkommen", "inkomstdatum", "mottagen")),
    Column("landlord_name", _("Hyresvärd"), _("Hyresvärdens namn. Tomt = hyresvärden som valts för importen."), "AB Familjebostäder",
           ("hyresvard", "hyresvardens namn", "fastighetsagare", "bolag")),
    Column("landlord_org_number", _("Organisationsnummer"), _("Hyresvärdens organisationsnummer (NNNNNN-NNNN)."), "556035-8672",
           ("organisationsnummer", "orgnr", "org nr", "hyresvardens organisationsnummer")),
    Column("agent", _("Ombud"), _("Ombud, t.ex. inkassobolag."), "", ("ombud", "inkassobolag")),
    Column("kronofogden_reference", _("Målnummer"), _("Kronofogdens målnummer."), "", ("malnummer", "kronofogdens malnummer")),
    Column("description", _("Beskrivning"), _("Fritext."), "", ("beskrivning", "kommentar", "anteckning", "ovrigt")),
)

BY_KEY = {column.key: column for column in COLUMNS}


def normalise_heading(text: str) -> str:
    """'Lgh.nr' → 'lgh nr', 'Återvinnings-belopp' → 'atervinnings belopp': compare headings without case, accents or punctuation."""
    decomposed = unicodedata.normalize("NFKD", str(text or "")).casefold()
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", " ", plain).strip()


def _squeezed(text: str) -> str:
    # "Återvinnings-belopp" and "Återvinningsbelopp" are the same heading.
    return normalise_heading(text).replace(" ", "")


_SYNONYMS: dict[str, str] = {}
for _column in COLUMNS:
    for _name in (_column.key, str(_column.heading), *_column.synonyms):
        _SYNONYMS.setdefault(_squeezed(_name), _column.key)


def recognise(headings: list[str], preset: dict[str, str] | None = None) -> dict[str, str]:
    """{column index as str: field key}: the landlord's preset first, then the common headings.
    A field is used by one column only (the first that claims it)."""
    preset = preset or {}
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for index, heading in enumerate(headings):
        name = normalise_heading(heading)
        key = preset.get(name) or _SYNONYMS.get(_squeezed(heading))
        if key and key in BY_KEY and key not in taken:
            mapping[str(index)] = key
            taken.add(key)
    return mapping
