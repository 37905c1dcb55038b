"""Issue 12 item 8: amounts in one Swedish format on pages, letters and the BOSAM agenda ("24 600 kr")."""

from decimal import Decimal

import pytest
from django.template import Context, Template

from bosam.selectors import format_kronor as bosam_format
from cases.amounts import format_kronor
from cases.intake.letters import format_amount

NB = "\u00a0"


@pytest.mark.parametrize(("amount", "text"), [
    (Decimal("24600.00"), f"24{NB}600{NB}kr"),
    (Decimal("24600"), f"24{NB}600{NB}kr"),
    (24600, f"24{NB}600{NB}kr"),
    (Decimal("24600.50"), f"24{NB}600,50{NB}kr"),
    (Decimal("24600.05"), f"24{NB}600,05{NB}kr"),
    (Decimal("999.999"), f"1{NB}000{NB}kr"),
    (Decimal("0"), f"0{NB}kr"),
    (Decimal("1234567.00"), f"1{NB}234{NB}567{NB}kr"),
    (Decimal("-500"), f"\u2212500{NB}kr"),
    (None, ""),
    ("", ""),
    ("inte ett tal", ""),
])
def test_one_swedish_amount_format(amount, text):
    assert format_kronor(amount) == text


def test_the_letter_the_agenda_and_the_template_filter_use_the_same_format():
    amount = Decimal("18450.00")
    rendered = Template("{% load case_tags %}{{ amount|kronor }}|{{ none|kronor|default:'–' }}").render(
        Context({"amount": amount, "none": None}))
    assert rendered == f"18{NB}450{NB}kr|–"
    assert format_amount(amount) == bosam_format(amount) == f"18{NB}450{NB}kr"


@pytest.mark.django_db
def test_the_case_page_shows_the_debt_in_the_one_format(client, personas):
    from tests.factories import register

    advisor = personas["hyresradgivare"]
    case = register(advisor.organisation, advisor).case
    client.force_login(advisor)
    from django.urls import reverse

    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    debt = format_kronor(case.debt_amount)
    assert debt and debt in page
    assert f"{case.debt_amount} kr" not in page and "18450,00" not in page
