"""Issue 12 item 7, intake without re-typing: the search carried into the new-household form, stored landlords
picked by part of their name or their number, the landlord's object number, and length limits said and kept
alike in the form, the API and the import."""

import pytest
from django.urls import reverse

from cases.models import Household, Landlord, Notice
from tests.import_files import HEADINGS, csv_bytes, good_row
from tests.test_api import NOTICES, body, client_for, post_json
from tests.test_imports import preview
from tests.test_intake import NEW_URL, SEARCH_URL, TENANT_PIN, TODAY, form_data

FROM_SEARCH = NEW_URL + "?fran=sokningen"
SUGGESTIONS_URL = reverse("cases:landlord_suggestions")


@pytest.fixture
def advisor_user(personas):
    return personas["hyresradgivare"]


@pytest.fixture
def advisor_client(client, advisor_user):
    client.force_login(advisor_user)
    return client


@pytest.fixture
def landlords(organisation, other_organisation):
    return {
        "stockholmshem": Landlord.objects.create(organisation=organisation, name="AB Stockholmshem", org_number="556035-6940"),
        "familjebostader": Landlord.objects.create(organisation=organisation, name="AB Familjebostäder", org_number="556035-8672"),
        "svenska": Landlord.objects.create(organisation=organisation, name="AB Svenska Bostäder", org_number="556043-6429"),
        # Another organisation's landlord: never suggested, never picked.
        "other": Landlord.objects.create(organisation=other_organisation, name="Vantörs Hyreshus AB", org_number="556065-9608"),
    }


# --- the search carried into the form ----------------------------------------------------------------------------


def first_member_initial(response) -> dict:
    return response.context["formset"].forms[0].initial


def test_a_searched_personnummer_fills_the_first_person_without_entering_any_url(advisor_client):
    search = advisor_client.post(SEARCH_URL, {"q": TENANT_PIN[2:]})  # 10 digits, as typed
    content = search.content.decode()
    assert 'href="/arenden/registrera/ny/?fran=sokningen"' in content
    assert TENANT_PIN not in content.split("?fran=")[1].split('"')[0]
    response = advisor_client.get(FROM_SEARCH)
    assert first_member_initial(response) == {"personal_identity_number": f"{TENANT_PIN[:8]}-{TENANT_PIN[8:]}", "role": "TENANT"}
    assert f'value="{TENANT_PIN[:8]}-{TENANT_PIN[8:]}"' in response.content.decode()


def test_a_searched_name_fills_the_first_person_and_an_address_the_street(advisor_client):
    advisor_client.post(SEARCH_URL, {"q": "  Test   Testsson "})
    assert first_member_initial(advisor_client.get(FROM_SEARCH)) == {"name": "Test Testsson", "role": "TENANT"}
    advisor_client.post(SEARCH_URL, {"q": "Sockenvägen 290"})
    response = advisor_client.get(FROM_SEARCH)
    assert response.context["form"].initial["street_address"] == "Sockenvägen 290"
    assert first_member_initial(response) == {}


def test_the_plain_new_form_and_a_refused_search_carry_nothing(advisor_client):
    advisor_client.post(SEARCH_URL, {"q": "Test Testsson"})
    assert first_member_initial(advisor_client.get(NEW_URL)) == {}  # not from the search page
    advisor_client.post(SEARCH_URL, {"q": "Test\x00sson"})
    assert first_member_initial(advisor_client.get(FROM_SEARCH)) == {}
    advisor_client.post(SEARCH_URL, {"q": "19860314-9802"})  # wrong check digit: nothing to carry
    assert first_member_initial(advisor_client.get(FROM_SEARCH)) == {}


# --- the landlord picker -------------------------------------------------------------------------------------------


def test_the_form_lists_the_organisations_landlords_as_suggestions(advisor_client, landlords):
    content = advisor_client.get(NEW_URL).content.decode()
    assert 'list="landlord-options"' in content
    assert '<option value="AB Stockholmshem">556035-6940</option>' in content
    assert "Vantörs Hyreshus" not in content


def test_part_of_a_stored_name_picks_the_landlord_and_its_number(advisor_client, landlords):
    response = advisor_client.post(NEW_URL, form_data(landlord_name="stockholms", landlord_org_number=""))
    assert response.status_code == 302
    assert Notice.objects.get().landlord == landlords["stockholmshem"]
    assert Landlord.objects.count() == 4


def test_the_number_alone_picks_the_stored_landlord(advisor_client, landlords):
    response = advisor_client.post(NEW_URL, form_data(landlord_name="", landlord_org_number="5560436429"))
    assert response.status_code == 302
    assert Notice.objects.get().landlord == landlords["svenska"]


def test_an_ambiguous_or_unknown_name_is_a_swedish_error_and_keeps_what_was_typed(advisor_client, landlords):
    response = advisor_client.post(NEW_URL, form_data(landlord_name="AB", landlord_org_number=""))
    assert response.status_code == 400
    [message] = response.context["form"].errors["landlord_name"]
    assert message.startswith("Flera sparade hyresvärdar matchar ”AB”: AB Familjebostäder, AB Stockholmshem, AB Svenska Bostäder.")
    assert 'value="Sockenvägen 290"' in response.content.decode()
    response = advisor_client.post(NEW_URL, form_data(landlord_name="Vantörs", landlord_org_number=""))
    assert response.context["form"].errors["landlord_org_number"] == [
        "Ingen sparad hyresvärd matchar ”Vantörs”. Ange organisationsnumret för en ny hyresvärd."
    ]
    assert Notice.objects.count() == 0


def test_a_new_landlord_still_needs_name_and_number(advisor_client, landlords):
    response = advisor_client.post(NEW_URL, form_data(landlord_name="Nya Bostäder AB", landlord_org_number="556670-0455"))
    assert response.status_code == 302
    assert Notice.objects.get().landlord.name == "Nya Bostäder AB"


def test_the_type_ahead_answers_json_from_the_users_organisation_only(advisor_client, landlords, client, personas):
    answer = advisor_client.get(SUGGESTIONS_URL, {"q": "bost"}).json()
    assert answer == {"landlords": [{"name": "AB Familjebostäder", "org_number": "556035-8672"},
                                    {"name": "AB Svenska Bostäder", "org_number": "556043-6429"}]}
    assert advisor_client.get(SUGGESTIONS_URL, {"q": "5560356"}).json()["landlords"][0]["name"] == "AB Stockholmshem"
    assert advisor_client.get(SUGGESTIONS_URL, {"q": "Vantörs"}).json() == {"landlords": []}
    assert advisor_client.get(SUGGESTIONS_URL, {"q": "x\x00"}).status_code == 400
    client.force_login(personas["barn"])
    assert client.get(SUGGESTIONS_URL, {"q": "bost"}).status_code == 403


# --- the object number ----------------------------------------------------------------------------------------------


def test_the_object_number_takes_digits_and_letters_up_to_ten(advisor_client):
    response = advisor_client.post(NEW_URL, form_data(object_number="A12B345678"))
    assert response.status_code == 302
    assert Household.objects.get().object_number == "A12B345678"


@pytest.mark.parametrize("bad", ["12-34", "A12B3456789", "12 34"])
def test_a_bad_object_number_is_refused_in_swedish(advisor_client, bad):
    response = advisor_client.post(NEW_URL, form_data(object_number=bad))
    assert response.status_code == 400
    errors = response.context["form"].errors["object_number"]
    assert "Objektnumret får bara ha siffror och bokstäver, högst 10 tecken." in errors or errors == [
        "Texten är för lång: högst 10 tecken."]


def test_the_apartment_number_is_still_four_digits_when_given(advisor_client):
    response = advisor_client.post(NEW_URL, form_data(apartment_number="A123", object_number="A123"))
    assert response.context["form"].errors["apartment_number"] == ["Lägenhetsnumret ska ha fyra siffror."]
    assert "object_number" not in response.context["form"].errors


def test_the_api_takes_the_object_number_and_refuses_a_bad_one(personas):
    api = client_for(personas["hyresradgivare"])
    good = body()
    good["household"]["object_number"] = "0123ABC"
    assert post_json(api, NOTICES, good).status_code == 201
    assert Household.objects.get().object_number == "0123ABC"
    bad = body(serial=802)
    bad["household"]["object_number"] = "01-23"
    response = post_json(api, NOTICES, bad)
    assert response.status_code == 400
    assert response.json()["household"]["object_number"] == ["Objektnumret får bara ha siffror och bokstäver, högst 10 tecken."]


def test_the_database_refuses_a_bad_object_number(organisation):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Household.objects.create(organisation=organisation, street_address="Testgatan 1", object_number="12-34")


# --- length limits -------------------------------------------------------------------------------------------------


def test_the_form_shows_each_long_texts_limit_beside_it(advisor_client):
    content = advisor_client.get(NEW_URL).content.decode()
    assert 'maxlength="4000"' in content and "Högst 4\u00a0000 tecken." in content
    assert 'maxlength="2000"' in content and "Högst 2\u00a0000 tecken." in content


def test_the_api_refuses_a_long_description_with_the_forms_message(personas):
    response = post_json(client_for(personas["hyresradgivare"]), NOTICES, body(description="x" * 4_001))
    assert response.status_code == 400
    assert response.json()["description"] == ["Texten är för lång: högst 4\u00a0000 tecken."]


@pytest.mark.django_db
def test_the_import_refuses_a_long_description_with_the_same_message(advisor_user):
    headings = [*HEADINGS, "Beskrivning"]
    rows = [[*good_row(0, today=TODAY), "x" * 4_001], [*good_row(1, today=TODAY), "kort"]]
    notice_import = preview(advisor_user, csv_bytes(rows, headings=headings))
    first, second = notice_import.rows.order_by("row_number")
    assert first.errors == {"description": ["Texten är för lång: högst 4\u00a0000 tecken."]}
    assert second.errors == {}
