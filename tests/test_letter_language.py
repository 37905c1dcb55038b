"""Letters in the household's language (issue 14 §3): templates per language in the database, only APPROVED
ones used, Swedish as the fallback, the Swedish text on a page of its own after a translation, right-to-left
Arabic, and the admin's preview. Every check reads the text extracted from the real PDF (pdftotext, per page)."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases import letter_texts, services
from cases.intake.letters import letter_context, letter_document, letter_language, render_letter
from cases.models import LetterTemplate, LetterTemplateStatus, SentLetter, TaskKind, TaskStatus
from tests.factories import household_data, notice_data, register, ship_letter_templates

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is needed")

# Served Friday 16 October, received Monday 19 October 2026 -> recovery deadline Monday 9 November 2026.
RECEIVED = dt.date(2026, 10, 19)
SERVED = dt.date(2026, 10, 16)
SWEDISH_PAGE = letter_texts.SWEDISH_VERSION_HEADING

ARABIC = {
    **letter_texts.SHIPPED[1][3],  # the English texts under the Arabic ones a test template does not translate
    "title": "رسالة من خدمة الاستشارات الإيجارية",
    "authoritative_note": "هذه الرسالة مترجمة. النص السويدي في الصفحة التالية هو النص المعتمد.",
    "date_label": "التاريخ",
    "case_label": "رقم القضية",
    "heading_help": "نريد مساعدتك في الاحتفاظ بمسكنك",
    "from_landlord": "تلقت الخدمات الاجتماعية رسالة من المؤجر {landlord}.",
    "subject_sentence": "تتعلق الرسالة بـ {subject}.",
    "subject_RENT_ARREARS_TERMINATION": "إنهاء عقد الإيجار بسبب عدم دفع الإيجار",
    "voluntary": "نكتب إليك لتعرف أنه يمكنك الحصول على المساعدة. التواصل معنا اختياري.",
    "deadline_heading": "آخر يوم لدفع الدين",
    "deadline_with_amount": "إذا تم دفع المبلغ كاملاً، {amount}، في موعد أقصاه {deadline}، فلا يجوز إجبارك على الانتقال بسبب هذا الدين.",
    "recovery_explained": "ينطبق هذا حتى لو تم إنهاء عقدك بالفعل.",
    "rent_meanwhile": "يجب أيضاً دفع الإيجار المستحق في هذه الأثناء في موعده.",
    "todo_heading": "ما يمكنك فعله الآن",
    "todo_contact": "تواصل معي. يمكننا معاً مراجعة وضعك وأموالك وما يمكن فعله.",
    "todo_pay": "ادفع الدين للمؤجر قبل الموعد النهائي إذا استطعت. احتفظ بالإيصال.",
    "todo_agreement": "تحدث مع المؤجر عن خطة سداد بالتقسيط.",
    "todo_apply_assistance": "قدّم طلباً للحصول على مساعدة مالية من الخدمات الاجتماعية إذا لم تستطع الدفع بنفسك.",
    "todo_bring": "أحضر رسالة المؤجر وآخر فواتير الإيجار عندما تتواصل معنا.",
    "debt_heading": "المساعدة في الميزانية والديون",
    "debt_advice_default_name": "خدمة استشارات الميزانية والديون",
    "debt_advice": "{name} في البلدية تساعدك مجاناً في وضع ميزانية وترتيب الديون.",
    "label_phone": "الهاتف",
    "label_email": "البريد الإلكتروني",
    "contact_heading": "تواصل معي",
    "label_name": "الاسم",
    "label_unit": "الوحدة",
    "case_reference": "يرجى ذكر رقم القضية {number} عند التواصل معنا.",
    "regards": "مع أطيب التحيات",
}


def pages(pdf: bytes, tmp_path: Path) -> list[str]:
    """The text of each page, as pdftotext reads it (whitespace collapsed)."""
    path = tmp_path / "letter.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True).stdout.decode()
    # pdftotext marks right-to-left runs with bidi embedding controls (U+202A–U+202E): not part of the text.
    text = text.translate({code: None for code in range(0x202A, 0x202F)})
    return [" ".join(page.split()) for page in text.split("\f") if page.strip()]


def dump(name: str, pdf: bytes) -> None:
    """To look at a letter: LETTER_DUMP_DIR=/tmp/x pytest tests/test_letter_language.py, then pdftoppm -png -r 60."""
    if dump_dir := os.environ.get("LETTER_DUMP_DIR"):
        Path(dump_dir, name).write_bytes(pdf)


@pytest.fixture(autouse=True)
def shipped_templates(db):
    ship_letter_templates()


@pytest.fixture
def advisor(make_user):
    return make_user("radgivare", "hyresradgivare", "HYRESRADGIVNING", first_name="Hanna", last_name="Rådgivare",
                     phone="08-508 14 000", email="hanna.radgivare@example.se")


def arrears_case(organisation, advisor, language: str = ""):
    household = household_data()
    household.preferred_language = language
    case = register(organisation, advisor, today=RECEIVED, household=household,
                    notice=notice_data(received=RECEIVED.isoformat(), served=SERVED.isoformat(), debt="18450.00")).case
    assert case.household.preferred_language == language
    return case


def letter_task(case):
    return case.tasks.select_related("unit", "case__organisation", "case__household").get(kind=TaskKind.SEND_LETTER,
                                                                                            status=TaskStatus.OPEN)


def approved(organisation, language: str, texts: dict, *, direction: str = "ltr") -> LetterTemplate:
    return LetterTemplate.objects.create(organisation=organisation, language=language, texts=texts, text_direction=direction,
                                         status=LetterTemplateStatus.APPROVED, approved_at=timezone.now())


def test_the_data_migration_ships_swedish_and_english_approved_and_easy_read_a_draft(db):
    import importlib
    from pathlib import Path

    from django.apps import apps

    # The migration that ships them (found by its function: the integrator renumbers migrations).
    source = next(p for p in Path("cases/migrations").glob("*.py") if "def ship_default_templates" in p.read_text())
    migration = importlib.import_module(f"cases.migrations.{source.stem}")
    LetterTemplate.objects.filter(organisation__isnull=True).delete()
    migration.ship_default_templates(apps, None)
    migration.ship_default_templates(apps, None)  # idempotent
    shipped = {t.language: t.status for t in LetterTemplate.objects.filter(organisation__isnull=True)}
    assert shipped == {"sv": "APPROVED", "en": "APPROVED", "sv-easy": "DRAFT"}
    assert not letter_texts.text_problems(LetterTemplate.objects.get(organisation=None, language="en").texts, translation=True)


def test_a_household_without_a_language_gets_the_swedish_letter_alone(organisation, advisor, tmp_path):
    rendered = render_letter(letter_task(arrears_case(organisation, advisor)), advisor, today=RECEIVED)
    text = pages(rendered.pdf, tmp_path)
    assert rendered.language == "sv"
    assert "Vi vill hjälpa dig att behålla din bostad" in text[0]
    assert "9 november 2026" in text[0]
    assert not any(SWEDISH_PAGE in page for page in text)


def test_an_english_letter_has_the_swedish_text_on_a_page_of_its_own(organisation, advisor, tmp_path):
    case = arrears_case(organisation, advisor, "en")
    rendered = render_letter(letter_task(case), advisor, today=RECEIVED)
    dump("letter-en.pdf", rendered.pdf)
    text = pages(rendered.pdf, tmp_path)
    assert rendered.language == "en"
    first = text[0]
    assert "We want to help you keep your home" in first
    assert "The Swedish text on the next page is the one that applies" in first
    assert "If the whole amount, 18 450 kr, is paid by 9 November 2026 at the latest" in first
    assert "from your landlord, AB Familjebostäder" in first
    assert "Vi vill hjälpa" not in first
    # The Swedish letter starts on a new page, whole, with the line that says it is the one that applies.
    swedish_start = next(i for i, page in enumerate(text) if SWEDISH_PAGE in page)
    assert swedish_start >= 1
    swedish = " ".join(text[swedish_start:])
    assert swedish.startswith(SWEDISH_PAGE)
    assert "Vi vill hjälpa dig att behålla din bostad" in swedish
    assert "Om hela beloppet, 18 450 kr, är betalt senast den 9 november 2026" in swedish
    assert case.number in swedish and "Hanna Rådgivare" in swedish
    assert "We want to help" not in swedish


def test_an_arabic_letter_is_right_to_left_with_the_swedish_page(organisation, advisor, tmp_path):
    approved(None, "ar", ARABIC, direction="rtl")
    case = arrears_case(organisation, advisor, "ar")
    task = letter_task(case)
    rendered = render_letter(task, advisor, today=RECEIVED)
    dump("letter-ar.pdf", rendered.pdf)
    text = pages(rendered.pdf, tmp_path)
    assert rendered.language == "ar"
    assert "نريد مساعدتك في الاحتفاظ بمسكنك" in text[0]
    assert "النص السويدي في الصفحة التالية هو النص المعتمد" in text[0]
    assert "18 450 kr" in text[0]
    assert SWEDISH_PAGE not in text[0]
    swedish_start = next(i for i, page in enumerate(text) if SWEDISH_PAGE in page)
    assert swedish_start >= 1
    swedish = " ".join(text[swedish_start:])
    assert swedish.startswith(SWEDISH_PAGE) and "Vi vill hjälpa dig att behålla din bostad" in swedish
    assert "نريد" not in swedish
    # The page says its language and direction; the Swedish part says its own.
    from django.template.loader import render_to_string

    facts = letter_context(task, advisor, today=RECEIVED)
    html = render_to_string("cases/letter.html", letter_document(facts, letter_language(organisation, "ar")))
    assert '<html lang="ar" dir="rtl">' in html
    assert '<div class="version version-swedish" lang="sv" dir="ltr">' in html


def test_a_draft_is_never_used_and_the_letter_falls_back_to_swedish(organisation, advisor, tmp_path, client):
    LetterTemplate.objects.create(organisation=organisation, language="fi", texts={**ARABIC, "heading_help": "Haluamme auttaa"})
    case = arrears_case(organisation, advisor, "fi")
    rendered = render_letter(letter_task(case), advisor, today=RECEIVED)
    text = pages(rendered.pdf, tmp_path)
    assert (rendered.language, rendered.requested_language) == ("sv", "fi")
    assert "Haluamme" not in " ".join(text)
    assert "Vi vill hjälpa dig att behålla din bostad" in text[0]
    assert not any(SWEDISH_PAGE in page for page in text)
    # The case page says that the letter is Swedish, and why.
    client.force_login(advisor)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Hushållets språk är finska, men det finns ingen godkänd brevmall på det språket: brevet skrivs på svenska." in page


def test_the_case_page_names_the_language_of_the_letter(organisation, advisor, client):
    case = arrears_case(organisation, advisor, "en")
    client.force_login(advisor)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Brevet skrivs på engelska (hushållets språk), med den gällande svenska texten på en egen sida." in page


def test_the_organisations_own_template_wins_and_another_organisations_is_never_used(
        organisation, other_organisation, advisor, tmp_path):
    approved(other_organisation, "en", {**letter_texts.SHIPPED[1][3], "heading_help": "Skarholmen wants to help"})
    case = arrears_case(organisation, advisor, "en")
    first = pages(render_letter_pdf_for(case, advisor), tmp_path)[0]
    assert "Skarholmen" not in first and "We want to help you keep your home" in first
    approved(organisation, "en", {**letter_texts.SHIPPED[1][3], "heading_help": "Enskede wants to help you keep your home"})
    first = pages(render_letter_pdf_for(case, advisor), tmp_path)[0]
    assert "Enskede wants to help you keep your home" in first


def render_letter_pdf_for(case, advisor) -> bytes:
    return render_letter(letter_task(case), advisor, today=RECEIVED).pdf


def test_easy_read_swedish_once_approved_carries_the_standard_swedish_page(organisation, advisor, tmp_path):
    template = LetterTemplate.objects.get(organisation=None, language="sv-easy")
    template.status, template.approved_at = LetterTemplateStatus.APPROVED, timezone.now()
    template.save()
    rendered = render_letter(letter_task(arrears_case(organisation, advisor, "sv-easy")), advisor, today=RECEIVED)
    text = pages(rendered.pdf, tmp_path)
    assert "Vi vill hjälpa dig att bo kvar i din bostad" in text[0]
    assert "9 november 2026" in text[0]
    assert any(page.startswith(SWEDISH_PAGE) and "behålla din bostad" in page for page in text[1:])


def test_a_frozen_letter_keeps_its_language(organisation, advisor, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    case = arrears_case(organisation, advisor, "en")
    task = letter_task(case)
    services.task_complete(task=task, user=advisor)
    sent = SentLetter.objects.get(task=task)
    assert sent.language == "en"
    text = pages(sent.file.read(), tmp_path)
    assert "We want to help you keep your home" in text[0] and any(SWEDISH_PAGE in page for page in text)


def test_placeholders_are_a_fixed_list_and_admin_text_is_never_template_code():
    problems = letter_texts.text_problems({**letter_texts.SWEDISH_TEXTS, "deadline_passed": "{deadline.__class__} {amount}"},
                                          translation=False)
    assert set(problems) == {"deadline_passed"}
    assert "Okänd platshållare {deadline.__class__}." in problems["deadline_passed"]
    assert "Okänd platshållare {amount}." in problems["deadline_passed"]
    assert letter_texts.text_problems({**letter_texts.SWEDISH_TEXTS, "regards": "Hej {"}, translation=False)
    assert "authoritative_note" in letter_texts.text_problems(letter_texts.SWEDISH_TEXTS, translation=True)
    # Template syntax is refused on save, and never run: it is not a placeholder of the list, so it prints as nothing.
    assert "Okänd platshållare {% debug %}." in letter_texts.placeholder_problems("regards", "{% debug %}")
    filled = letter_texts.fill("{% debug %}<b>{{x}}</b> {number}", {"number": "<2026-0001>"})
    assert filled == "&lt;b&gt;{x}&lt;/b&gt; &lt;2026-0001&gt;"


# --- the household's language through the API and the import -----------------------------------------


def _api_body(**household) -> dict:
    from tests.test_api import body

    data = body(received=RECEIVED.isoformat())
    data["household"].update(household)
    return data


def test_the_api_takes_a_preferred_language_and_refuses_an_unknown_one(advisor, db):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_login(advisor)
    response = api.post("/api/v1/notices/", data=json.dumps(_api_body(preferred_language="xx")), content_type="application/json")
    assert response.status_code == 400
    assert "preferred_language" in response.json()["household"]
    response = api.post("/api/v1/notices/", data=json.dumps(_api_body(preferred_language="ar")), content_type="application/json")
    assert response.status_code == 201, response.content
    from cases.models import Case

    assert Case.objects.get(pk=response.json()["case"]["id"]).household.preferred_language == "ar"


def test_an_import_row_names_the_language_by_code_or_name(organisation):
    from imports.validation import RowValidator

    validator = RowValidator(organisation=organisation, landlord=None, today=RECEIVED)
    assert validator.form_data({"preferred_language": "Arabiska"})[0]["preferred_language"] == "ar"
    assert validator.form_data({"preferred_language": "sv-easy"})[0]["preferred_language"] == "sv-easy"
    assert validator.form_data({"preferred_language": "lättläst svenska"})[0]["preferred_language"] == "sv-easy"


# --- the admin ---------------------------------------------------------------------------------------


def test_the_admin_preview_is_a_pdf_with_example_data_for_the_administrator_only(personas, tmp_path, make_user):
    template = LetterTemplate.objects.get(organisation=None, language="en")
    url = reverse("admin:cases_lettertemplate_preview", args=[template.pk])
    admin = Client()
    admin.force_login(personas["admin"])
    response = admin.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pages(response.content, tmp_path)
    assert "We want to help you keep your home" in text[0] and "Test Testsson" in text[0] and "Exempelgatan 1" in text[0]
    assert any(SWEDISH_PAGE in page for page in text[1:])
    eviction = pages(admin.get(url + "?exempel=eviction").content, tmp_path)
    assert "has set a day for the eviction" in eviction[0]
    for persona in ("hyresradgivare", "chef", "styrgrupp"):
        other = Client()
        other.force_login(personas[persona])
        assert other.get(url).status_code == 302  # not staff: the admin's login
    staff_without_permission = make_user("staffer", "handlaggare", "MOTTAGNING_VUXNA", is_staff=True)
    other = Client()
    other.force_login(staff_without_permission)
    assert other.get(url).status_code == 403


def _form_data(template: LetterTemplate, **texts) -> dict:
    data = {"organisation": template.organisation_id or "", "kind": template.kind, "language": template.language,
            "text_direction": template.text_direction}
    data.update({f"text__{key}": value for key, value in {**template.texts, **texts}.items()})
    return data


def test_the_preview_shows_unsaved_text_and_a_changed_approved_template_needs_a_new_approval(personas, organisation, tmp_path):
    admin = Client()
    admin.force_login(personas["admin"])
    template = approved(organisation, "en", dict(letter_texts.SHIPPED[1][3]))
    preview = admin.post(reverse("admin:cases_lettertemplate_preview", args=[template.pk]),
                         _form_data(template, heading_help="We are here to help you stay"))
    assert preview.status_code == 200
    assert "We are here to help you stay" in pages(preview.content, tmp_path)[0]
    template.refresh_from_db()
    assert template.texts["heading_help"] == "We want to help you keep your home"  # nothing saved
    bad = admin.post(reverse("admin:cases_lettertemplate_preview", args=[template.pk]), _form_data(template, regards="{number.x}"))
    assert bad.status_code == 400
    # Saving a change makes it a draft: the letter is Swedish until someone approves it again.
    response = admin.post(reverse("admin:cases_lettertemplate_change", args=[template.pk]),
                          _form_data(template, heading_help="We are here to help you stay"))
    assert response.status_code == 302, response.content.decode()[:2000]
    template.refresh_from_db()
    assert (template.status, template.approved_at, template.texts["heading_help"]) == ("DRAFT", None, "We are here to help you stay")
    response = admin.post(reverse("admin:cases_lettertemplate_changelist"),
                          {"action": "approve", "_selected_action": [template.pk]})
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.status == "APPROVED" and template.approved_by == personas["admin"] and template.approved_at is not None


def test_the_administrator_cannot_change_the_shipped_defaults_nor_see_another_organisations(personas, other_organisation):
    admin = Client()
    admin.force_login(personas["admin"])
    shipped = LetterTemplate.objects.get(organisation=None, language="sv")
    response = admin.post(reverse("admin:cases_lettertemplate_change", args=[shipped.pk]), _form_data(shipped, regards="Hej"))
    assert response.status_code == 403
    shipped.refresh_from_db()
    assert shipped.texts["regards"] == "Med vänliga hälsningar" and shipped.status == "APPROVED"
    theirs = approved(other_organisation, "en", dict(letter_texts.SHIPPED[1][3]))
    assert admin.get(reverse("admin:cases_lettertemplate_preview", args=[theirs.pk])).status_code == 404
    listing = admin.get(reverse("admin:cases_lettertemplate_changelist")).content.decode()
    assert other_organisation.name not in listing
    # Copying a shipped default gives a draft of their own to edit.
    admin.post(reverse("admin:cases_lettertemplate_changelist"), {"action": "copy_to_own_organisation", "_selected_action": [shipped.pk]})
    own = LetterTemplate.objects.get(organisation=personas["admin"].organisation, language="sv")
    assert own.status == "DRAFT" and own.texts == shipped.texts


def test_the_intake_form_sets_the_language_and_a_joining_notice_can_change_it(client, advisor, organisation):
    from cases.models import Case
    from tests.test_intake import NEW_URL, form_data

    client.force_login(advisor)
    page = client.get(NEW_URL).content.decode()
    assert 'name="preferred_language"' in page and '<option value="sv-easy">lättläst svenska</option>' in page
    assert client.post(NEW_URL, form_data(preferred_language="so")).status_code == 302
    case = Case.objects.get()
    assert case.household.preferred_language == "so"
    url = f"{NEW_URL}?case={case.pk}"
    assert '<option value="so" selected>somaliska</option>' in client.get(url).content.decode()  # the stored one is shown
    response = client.post(url, form_data(members=[], preferred_language="ti", landlord_reference="H-5678"))
    assert response.status_code == 302
    case.household.refresh_from_db()
    assert case.household.preferred_language == "ti"
    assert client.post(NEW_URL, form_data(preferred_language="klingon")).status_code == 400  # the form again, with the error


def test_a_protected_household_gets_no_address_in_any_language(organisation, advisor, tmp_path):
    household = household_data(protected=True)
    household.preferred_language = "en"
    case = register(organisation, advisor, today=RECEIVED, household=household,
                    notice=notice_data(received=RECEIVED.isoformat(), served=SERVED.isoformat())).case
    text = " ".join(pages(render_letter(letter_task(case), advisor, today=RECEIVED).pdf, tmp_path))
    assert "Sockenvägen" not in text and "1102" not in text and "120 40" not in text
    assert "Sent through the Swedish Tax Agency's forwarding service." in text
    assert "Skickas via Skatteverkets vidarebefordran." in text  # the Swedish page too


def _variant_case(organisation, advisor, variant: str, language: str):
    household = household_data()
    household.preferred_language = language
    if variant == "arrears":
        notice = notice_data(received=RECEIVED.isoformat(), served=SERVED.isoformat(), debt="18450.00")
    elif variant == "eviction":
        notice = notice_data(notice_type="EVICTION_DATE", received=RECEIVED.isoformat(), served=None, eviction_date="2026-11-12")
        notice.eviction_time, notice.eviction_place = dt.time(9, 30), "Sockenvägen 290, lgh 1102"
    else:
        notice = notice_data(notice_type="EVICTION_APPLICATION", received=RECEIVED.isoformat(), served=None)
    return register(organisation, advisor, today=RECEIVED, household=household, notice=notice).case


# The Arabic test template (ARABIC) translates a few texts only: the rest is English set right to left in a font
# without Latin letters, longer than a real template; the longest letter, the eviction day's, is left out for it.
@pytest.mark.parametrize(("variant", "language"), [
    ("arrears", "en"), ("eviction", "en"), ("application", "en"), ("arrears", "ar"), ("application", "ar"),
])
def test_the_swedish_text_is_the_second_page(organisation, advisor, tmp_path, variant, language):
    """Issue 14 §3: the translation fills the first page and the Swedish text, which applies, is the second, as the
    note on the first page says ("on the next page"): for the letter on arrears, the eviction day and Kronofogden."""
    if language == "ar":
        approved(None, "ar", ARABIC, direction="rtl")
    rendered = render_letter(letter_task(_variant_case(organisation, advisor, variant, language)), advisor, today=RECEIVED)
    dump(f"letter-{variant}-{language}.pdf", rendered.pdf)
    text = pages(rendered.pdf, tmp_path)
    assert rendered.language == language
    assert len(text) == 2, [page[:60] for page in text]
    assert SWEDISH_PAGE not in text[0] and text[1].startswith(SWEDISH_PAGE)
    assert "Med vänliga hälsningar" in text[1]


def test_a_translation_longer_than_its_page_is_set_smaller_so_the_swedish_text_stays_the_second_page(
        organisation, advisor, tmp_path):
    from django.template.loader import render_to_string
    from weasyprint import HTML

    from cases.intake.letters import _stylesheet

    english = letter_texts.SHIPPED[1][3]
    approved(organisation, "en", {**english, "voluntary": english["voluntary"] + " " + "We are here for you. " * 30})
    task = letter_task(_variant_case(organisation, advisor, "arrears", "en"))
    facts = letter_context(task, advisor, today=RECEIVED)
    document = letter_document(facts, letter_language(organisation, "en"))
    as_usual = HTML(string=render_to_string("cases/letter.html", document)).render(stylesheets=[_stylesheet()])
    assert len(as_usual.pages) == 3  # the long text pushes the closing block over: the Swedish text would be page 3
    text = pages(render_letter(task, advisor, today=RECEIVED).pdf, tmp_path)
    assert len(text) == 2 and text[1].startswith(SWEDISH_PAGE)
    assert "We are here for you." in text[0]
