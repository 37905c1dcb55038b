"""The default organisation: Enskede-Årsta-Vantör, with the departments and
units of docs/domain/codes.md. Loaded by a data migration; afterwards the
units are data that the system administrator edits in the admin."""

DEFAULT_ORGANISATION = {"code": "enskede-arsta-vantor", "name": "Enskede-Årsta-Vantörs stadsdelsförvaltning"}

DEPARTMENTS = [
    ("IFO_BARN_UNGA", "Individ- och familjeomsorg barn och unga"),
    ("IFO_VUXNA", "Individ- och familjeomsorg vuxna"),
    ("ALDREOMSORG", "Äldreomsorg"),
    ("FUNKTIONSNEDSATTNING", "Funktionsnedsättning"),
    ("ADMINISTRATION", "Administration (stab)"),
]

UNITS = [
    ("HYRESRADGIVNING", "Hyresrådgivningen", "IFO_VUXNA"),
    ("MOTTAGNING_BARN_UNGA", "Mottagningsenheten barn och unga", "IFO_BARN_UNGA"),
    ("BARN_UNGA", "Barn och unga (utredning och uppföljning)", "IFO_BARN_UNGA"),
    ("MOTTAGNING_VUXNA", "Mottagningsenheten vuxna", "IFO_VUXNA"),
    ("VUXNA", "Vuxenenheten (missbruk, socialpsykiatri)", "IFO_VUXNA"),
    ("EKONOMISKT_BISTAND", "Ekonomiskt bistånd", "IFO_VUXNA"),
    ("BOSTAD", "Bostadsenheten (försöks- och träningslägenheter, SHIS)", "IFO_VUXNA"),
    ("AO_UPPSOKARE", "Uppsökare, äldreomsorg", "ALDREOMSORG"),
    ("AO_BISTAND", "Biståndsenheten äldreomsorg", "ALDREOMSORG"),
    ("FUNKTIONSNEDSATTNING", "Stöd och service, funktionsnedsättning", "FUNKTIONSNEDSATTNING"),
]


def create_organisation(Organisation, Department, Unit, code: str, name: str):
    """Create (or complete) an organisation with the default departments and units. Idempotent."""
    organisation, _ = Organisation.objects.get_or_create(code=code, defaults={"name": name})
    departments = {}
    for dept_code, dept_name in DEPARTMENTS:
        departments[dept_code], _ = Department.objects.get_or_create(
            organisation=organisation, code=dept_code, defaults={"name": dept_name}
        )
    for unit_code, unit_name, dept_code in UNITS:
        Unit.objects.get_or_create(
            organisation=organisation, code=unit_code, defaults={"name": unit_name, "department": departments[dept_code]}
        )
    return organisation
