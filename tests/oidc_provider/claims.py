"""The test people of the identity provider and the claims it gives about them."""

from oidc_provider.lib.claims import ScopeClaims

PASSWORD = "provider-password-1"  # test provider
ORGANISATION = "enskede-arsta-vantor"

# username → the claims a city's provider would send (names, e-mail, employee id, organisation, unit, groups).
PEOPLE = {
    "anna.barn": {
        "given_name": "Anna", "family_name": "Barnlund", "email": "anna.barn@example.se", "employee_id": "E-1001",
        "organisation": ORGANISATION, "unit": "MOTTAGNING_BARN_UNGA", "groups": ["AVH-Handlaggare", "Alla-anstallda"],
    },
    "olle.ordf": {
        # No unit claim: the group mapping gives the unit.
        "given_name": "Olle", "family_name": "Ordförandesson", "email": "olle@example.se", "employee_id": "E-1002",
        "organisation": ORGANISATION, "unit": "", "groups": ["AVH-BOSAM-ordforande"],
    },
    "bo.utan": {
        # Employed, but in no group that gives a role in Avhysning.
        "given_name": "Bo", "family_name": "Utan", "email": "bo@example.se", "employee_id": "E-1003",
        "organisation": ORGANISATION, "unit": "MOTTAGNING_BARN_UNGA", "groups": ["Alla-anstallda"],
    },
}


def userinfo(claims, user):
    person = PEOPLE.get(user.username, {})
    claims["given_name"] = person.get("given_name", "")
    claims["family_name"] = person.get("family_name", "")
    claims["name"] = f"{claims['given_name']} {claims['family_name']}".strip()
    claims["email"] = person.get("email", "")
    claims["preferred_username"] = user.username
    return claims


class AvhysningScopeClaims(ScopeClaims):
    # Plain strings: the test provider is no part of the application's translation catalogue.
    info_avhysning = ("Avhysning", "Employee id, organisation, unit and groups.")

    def scope_avhysning(self):
        person = PEOPLE.get(self.user.username, {})
        return {key: person.get(key) for key in ("employee_id", "organisation", "unit", "groups")}
