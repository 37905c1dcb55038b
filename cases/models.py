"""Notices, households, cases and what the plan demands of them.

The codes (TextChoices values) are the stable contract of docs/domain/codes.md:
they appear in the database, the API, exports and imports. Labels may change.
Invariants are database constraints, so no code path can break them.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organisation.models import Organisation, Unit

from .rules import routing
from .system_sentences import CLOSING_SENTENCES, DEVIATION_SENTENCES, END_REASON_SENTENCES, TASK_NOTE_SENTENCES


class NoticeType(models.TextChoices):
    RENT_ARREARS_TERMINATION = "RENT_ARREARS_TERMINATION", _("Uppsägning pga hyresskuld")
    DISTURBANCE_WARNING = "DISTURBANCE_WARNING", _("Tillsägelse/rättelseanmaning pga störningar")
    DISTURBANCE_TERMINATION = "DISTURBANCE_TERMINATION", _("Uppsägning pga störningar")
    OTHER_TERMINATION = "OTHER_TERMINATION", _("Uppsägning av annat skäl")
    EVICTION_APPLICATION = "EVICTION_APPLICATION", _("Ansökan om avhysning hos Kronofogden")
    EVICTION_DATE = "EVICTION_DATE", _("Underrättelse om tidpunkt för avhysning")
    EVICTION_CANCELLED = "EVICTION_CANCELLED", _("Avhysning återkallad/inställd")


class SenderKind(models.TextChoices):
    LANDLORD = "LANDLORD", _("Hyresvärd")
    KRONOFOGDEN = "KRONOFOGDEN", _("Kronofogden")
    RENT_TRIBUNAL = "RENT_TRIBUNAL", _("Hyresnämnden")


class NoticeGround(models.TextChoices):
    """The ground of a Kronofogden notice (EVICTION_APPLICATION, EVICTION_DATE); codes.md."""

    RENT_ARREARS = "RENT_ARREARS", _("Hyresskuld")
    DISTURBANCE = "DISTURBANCE", _("Störningar")
    OTHER = "OTHER", _("Annat")


class RecoveryPeriodStart(models.TextChoices):
    """Which reading of JB 12:44 starts the recovery period (plan setting; docs/domain/legal-steps.md)."""

    RECEIVED = "RECEIVED", _("När socialtjänsten fick underrättelsen")
    SENT = "SENT", _("När hyresvärden skickade underrättelsen")


class LandlordKind(models.TextChoices):
    MUNICIPAL = "MUNICIPAL", _("Allmännyttan")
    PRIVATE = "PRIVATE", _("Privat hyresvärd")
    HOUSING_COOPERATIVE = "HOUSING_COOPERATIVE", _("Bostadsrättsförening")
    OTHER = "OTHER", _("Annan")


class NoticeChannel(models.TextChoices):
    POST = "POST", _("Post")
    EMAIL = "EMAIL", _("E-post")
    PORTAL = "PORTAL", _("E-tjänst/portal")
    API = "API", _("Integration (API)")
    IMPORT = "IMPORT", _("Import")
    OTHER = "OTHER", _("Annat")


class HousingType(models.TextChoices):
    ORDINARY = "ORDINARY", _("Förstahandskontrakt")
    TRIAL_FLAT = "TRIAL_FLAT", _("Försökslägenhet")
    TRAINING_FLAT = "TRAINING_FLAT", _("Träningslägenhet")
    SHIS = "SHIS", _("SHIS-lägenhet")
    OTHER = "OTHER", _("Annat")


class MemberRole(models.TextChoices):
    TENANT = "TENANT", _("Kontraktsinnehavare")
    CO_TENANT = "CO_TENANT", _("Medkontraktsinnehavare")
    CHILD = "CHILD", _("Barn")
    OTHER_ADULT = "OTHER_ADULT", _("Annan vuxen")


class ChildResidence(models.TextChoices):
    LIVING = "LIVING", _("Bor i hushållet")
    ALTERNATING = "ALTERNATING", _("Växelvis boende")
    VISITING = "VISITING", _("Umgänge")


class CaseStatus(models.TextChoices):
    OPEN = "OPEN", _("Öppet")
    CLOSED = "CLOSED", _("Avslutat")


class CaseFlag(models.TextChoices):
    """What Case.flags may hold; cases/rules/case_facts.py sets them (the same codes, Django-free there)."""

    SERVED_DATE_MISSING = "SERVED_DATE_MISSING", _("Delgivningsdatum saknas")
    DISTURBANCE_WITHOUT_WARNING = "DISTURBANCE_WITHOUT_WARNING", _("Uppsägning pga störningar utan registrerad tillsägelse")


class Outcome(models.TextChoices):
    PREVENTED_PAID = "PREVENTED_PAID", _("Skulden betald / hyresrätten återvunnen")
    PREVENTED_AGREEMENT = "PREVENTED_AGREEMENT", _("Avbetalningsplan/överenskommelse med hyresvärden")
    PREVENTED_SOCIAL_SERVICES = "PREVENTED_SOCIAL_SERVICES", _("Betalningsförbindelse/ekonomiskt bistånd")
    PREVENTED_WITHDRAWN = "PREVENTED_WITHDRAWN", _("Hyresvärden återtog uppsägningen")
    MOVED = "MOVED", _("Flyttade självmant")
    NEW_HOUSING = "NEW_HOUSING", _("Ny bostad ordnad")
    EVICTED = "EVICTED", _("Avhysning verkställd")
    OTHER = "OTHER", _("Annat")


class AssignmentRole(models.TextChoices):
    LEAD = "LEAD", _("Ansvarig")
    ASSIGNED = "ASSIGNED", _("Tilldelad")
    COPY = "COPY", _("Kopia")


class TaskKind(models.TextChoices):
    SEND_LETTER = "SEND_LETTER", _("Skicka brev med hyresrådgivarens kontaktuppgifter")
    PHONE_CONTACT = "PHONE_CONTACT", _("Ring hushållet")
    NOTIFY_CHILD_INTAKE = "NOTIFY_CHILD_INTAKE", _("Kontakta Mottagningsenheten barn och unga")
    REPORT_OF_CONCERN = "REPORT_OF_CONCERN", _("Gör en orosanmälan")
    HOME_VISIT = "HOME_VISIT", _("Hembesök med Mottagningsenheten barn och unga")
    HANDOVER_ADULT_INTAKE = "HANDOVER_ADULT_INTAKE", _("Överlämna till Mottagningsenheten vuxna")
    CONTACT_ELDERLY_OUTREACH = "CONTACT_ELDERLY_OUTREACH", _("Be äldreomsorgens uppsökare söka kontakt")
    COPY_TO_TENANCY_ADVISOR = "COPY_TO_TENANCY_ADVISOR", _("Kopia av underrättelsen till hyresrådgivaren")
    HOUSING_ROUTINE = "HOUSING_ROUTINE", _("Särskild rutin för försöks-/träningslägenhet eller SHIS")
    BOSAM_REVIEW = "BOSAM_REVIEW", _("Ta upp på nästa BOSAM")
    # Kinds added by people rather than by the plan; these may repeat on a case.
    CONSULT_TENANCY_ADVISOR = "CONSULT_TENANCY_ADVISOR", _("Samråd med hyresrådgivaren")
    BOSAM_ACTIVITY = "BOSAM_ACTIVITY", _("Aktivitet beslutad på BOSAM")
    MANUAL = "MANUAL", _("Manuell uppgift")
    # The Kronofogden stage and the eviction day (codes.md).
    HELP_REPLY_KRONOFOGDEN = "HELP_REPLY_KRONOFOGDEN", _("Hjälp hushållet att svara Kronofogden")
    CHILD_INVESTIGATION = "CHILD_INVESTIGATION", _("Överväg utredning av barnets situation")
    ATTEND_EVICTION = "ATTEND_EVICTION", _("Planera närvaro vid avhysningen")
    EVICTION_OUTCOME = "EVICTION_OUTCOME", _("Registrera utfallet av avhysningen")
    FOLLOW_UP_AFTER_EVICTION = "FOLLOW_UP_AFTER_EVICTION", _("Följ upp barnen efter avhysningen")
    INVESTIGATION_DECISION = "INVESTIGATION_DECISION", _("Besluta om utredning ska inledas")
    # D2 (issue 11): Ekonomiskt bistånd decides an application for a payment commitment before the recovery deadline.
    PAYMENT_DECISION = "PAYMENT_DECISION", _("Besluta om ekonomiskt bistånd för betalningsförbindelse")


REPEATABLE_TASK_KINDS = (TaskKind.CONSULT_TENANCY_ADVISOR, TaskKind.BOSAM_ACTIVITY, TaskKind.MANUAL)


class TaskStatus(models.TextChoices):
    OPEN = "OPEN", _("Öppen")
    DONE = "DONE", _("Klar")
    CANCELLED = "CANCELLED", _("Avbruten")


class ContactChannel(models.TextChoices):
    LETTER = "LETTER", _("Brev")
    PHONE = "PHONE", _("Telefon")
    VISIT = "VISIT", _("Hembesök")
    MEETING = "MEETING", _("Möte")
    OTHER = "OTHER", _("Annat")


class ConsentRecipient(models.TextChoices):
    LANDLORD = "LANDLORD", _("Hyresvärden")
    KRONOFOGDEN = "KRONOFOGDEN", _("Kronofogden")
    SHIS = "SHIS", _("SHIS")
    BOSTADSFORMEDLINGEN = "BOSTADSFORMEDLINGEN", _("Bostadsförmedlingen")


class DeviationKind(models.TextChoices):
    TASK_OVERDUE = "TASK_OVERDUE", _("Obligatorisk uppgift försenad")
    NO_REPORT_OF_CONCERN = "NO_REPORT_OF_CONCERN", _("Barnfamilj utan orosanmälan")
    EVICTION_WITHOUT_CONTACT = "EVICTION_WITHOUT_CONTACT", _("Avhysningsdatum nått utan kontakt")
    BOSAM_ABSENCE = "BOSAM_ABSENCE", _("Avdelning frånvarande på BOSAM")
    ROUTING_OVERRIDE = "ROUTING_OVERRIDE", _("Planens beslut ändrat manuellt")
    ABSENT_AT_EVICTION_WITH_CHILDREN = "ABSENT_AT_EVICTION_WITH_CHILDREN", _("Barn närvarande vid avhysning utan socialtjänsten")
    MANUAL = "MANUAL", _("Manuellt registrerad avvikelse")


digits_4 = RegexValidator(r"^\d{4}$", _("Lägenhetsnumret ska ha fyra siffror."))
postal_code_validator = RegexValidator(r"^\d{3} ?\d{2}$", _("Postnumret ska ha fem siffror."))
pin_12 = RegexValidator(r"^\d{12}$", _("Personnumret ska lagras med tolv siffror."))


class PlanConfiguration(models.Model):
    """The plan's [interpretation] choices for one organisation, versioned (R10).

    Exactly one active configuration per organisation; every routing decision
    stores the version it used. Editing means adding a new version.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="plan_configurations", verbose_name=_("organisation")
    )
    version = models.CharField(_("planversion"), max_length=40)
    settings = models.JSONField(
        _("inställningar"), default=dict, blank=True, help_text=_("Tolkningar av planen: åldersgräns, kontaktfönster, företräde med mera.")
    )
    is_active = models.BooleanField(_("gällande"), default=True)
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)

    class Meta:
        verbose_name = _("planversion")
        verbose_name_plural = _("planversioner")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "version"], name="plan_version_unique_per_organisation"),
            models.UniqueConstraint(fields=["organisation"], condition=Q(is_active=True), name="one_active_plan_per_organisation"),
        ]

    def __str__(self):
        return f"{self.organisation} {self.version}"

    def as_plan_config(self) -> routing.PlanConfig:
        return routing.PlanConfig.from_dict({**self.settings, "version": self.version})

    def clean(self):
        try:
            routing.PlanConfig.from_dict(self.settings or {})
        except (TypeError, ValueError) as exc:
            raise ValidationError({"settings": _("Ogiltiga inställningar: %(error)s") % {"error": exc}}) from exc


class Landlord(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="landlords", verbose_name=_("organisation"))
    name = models.CharField(_("namn"), max_length=200)
    org_number = models.CharField(_("organisationsnummer"), max_length=11, help_text=_("NNNNNN-NNNN"))
    contact_name = models.CharField(_("kontaktperson"), max_length=200, blank=True)
    phone = models.CharField(_("telefon"), max_length=40, blank=True)
    email = models.EmailField(_("e-post"), blank=True)
    kind = models.CharField(_("typ av hyresvärd"), max_length=20, choices=LandlordKind.choices, default=LandlordKind.OTHER)

    class Meta:
        verbose_name = _("hyresvärd")
        verbose_name_plural = _("hyresvärdar")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "org_number"], name="landlord_org_number_unique_per_organisation")]

    def __str__(self):
        return f"{self.name} ({self.org_number})"

    def clean(self):
        from .rules.identity import InvalidIdentityNumber, normalize_org_number

        try:
            self.org_number = normalize_org_number(self.org_number)
        except InvalidIdentityNumber as exc:
            raise ValidationError({"org_number": _("Ogiltigt organisationsnummer.")}) from exc


class LetterLanguage(models.TextChoices):
    """The languages a letter to the household can be written in (docs/domain/codes.md): ISO 639 codes, and
    `sv-easy` for Swedish in the easy-to-read variant (lättläst). A letter in any of them but `sv` also
    carries the Swedish text, which is the one that applies."""

    SV = "sv", _("svenska")
    SV_EASY = "sv-easy", _("lättläst svenska")
    EN = "en", _("engelska")
    AR = "ar", _("arabiska")
    SO = "so", _("somaliska")
    FI = "fi", _("finska")
    FA = "fa", _("persiska")
    PRS = "prs", _("dari")
    TI = "ti", _("tigrinja")
    CKB = "ckb", _("kurdiska (sorani)")
    KMR = "kmr", _("kurdiska (kurmanji)")
    BS = "bs", _("bosniska/kroatiska/serbiska")
    PL = "pl", _("polska")
    RU = "ru", _("ryska")
    UK = "uk", _("ukrainska")
    TR = "tr", _("turkiska")
    ES = "es", _("spanska")
    SE = "se", _("nordsamiska")
    FIT = "fit", _("meänkieli")
    RMY = "rmy", _("romani")
    YI = "yi", _("jiddisch")


class Household(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="households", verbose_name=_("organisation"))
    street_address = models.CharField(_("gatuadress"), max_length=200)
    apartment_number = models.CharField(_("lägenhetsnummer"), max_length=4, blank=True, validators=[digits_4])
    # The landlord's own number for the flat (objektnummer): digits and letters, up to 10 (issue 12 item 7).
    object_number = models.CharField(_("objektnummer"), max_length=10, blank=True)
    postal_code = models.CharField(_("postnummer"), max_length=6, blank=True, validators=[postal_code_validator])
    city = models.CharField(_("ort"), max_length=100, blank=True)
    area = models.CharField(_("område"), max_length=100, blank=True, help_text=_("Stadsdelsområde, t.ex. Årsta."))
    housing_type = models.CharField(_("boendeform"), max_length=20, choices=HousingType.choices, default=HousingType.ORDINARY)
    rooms = models.PositiveSmallIntegerField(_("antal rum"), null=True, blank=True)
    phone = models.CharField(_("telefon"), max_length=40, blank=True)
    other_residents = models.TextField(_("övriga boende utan kontrakt"), blank=True)
    # Issue 14 §3: the letters are written in it when an approved template exists (else Swedish). Blank: not known.
    preferred_language = models.CharField(
        _("språk för brev"), max_length=10, choices=LetterLanguage.choices, blank=True,
        help_text=_("Brev skrivs på det här språket om det finns en godkänd brevmall, annars på svenska."),
    )
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)

    class Meta:
        verbose_name = _("hushåll")
        verbose_name_plural = _("hushåll")
        indexes = [
            models.Index(fields=["organisation", "street_address"]),
            # With the id: the areas to filter by (the organisation's areas, not of protected households) from the index
            # alone, without reading the households (65 ms -> 21 ms at 500,000 households).
            models.Index(fields=["organisation", "area", "id"], name="household_org_area_id"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(apartment_number="") | Q(apartment_number__regex=r"^\d{4}$"), name="household_apartment_number_4_digits"
            ),
            models.CheckConstraint(
                condition=Q(object_number="") | Q(object_number__regex=r"^[0-9A-Za-zÅÄÖåäö]{1,10}$"), name="household_object_number_alnum"
            ),
            models.CheckConstraint(
                condition=Q(preferred_language="") | Q(preferred_language__in=LetterLanguage.values),
                name="household_preferred_language_known",
            ),
        ]

    def __str__(self):
        return self.designation

    @property
    def designation(self) -> str:
        """Surname and initials of the first tenant, for lists: 'Testsson T.'"""
        return household_designation(self.members.all())


def household_designation(members) -> str:
    tenants = [m for m in members if m.role in (MemberRole.TENANT, MemberRole.CO_TENANT)] or list(members)
    if not tenants:
        return "–"
    parts = tenants[0].name.split()
    if not parts:
        return "–"
    initials = " ".join(f"{p[0]}." for p in parts[:-1])
    return f"{parts[-1]} {initials}".strip()


class Person(models.Model):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members", verbose_name=_("hushåll"))
    # The household's organisation, stored on the person so that a name search reads one organisation's persons
    # (issue 16): PostgreSQL's trigram index on (organisation, name) is migration cases/0022. It is always the
    # household's (save() takes it from there; the services set it when they bulk-create). No B-tree of its own:
    # the composite GIN index serves "organisation = …" too.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", db_index=False, verbose_name=_("organisation")
    )
    name = models.CharField(_("namn"), max_length=200)
    personal_identity_number = models.CharField(
        _("personnummer/samordningsnummer"), max_length=12, blank=True, validators=[pin_12], db_index=True
    )
    birth_date = models.DateField(_("födelsedatum"), null=True, blank=True)
    protected_identity = models.BooleanField(_("skyddade personuppgifter"), default=False)
    role = models.CharField(_("roll"), max_length=20, choices=MemberRole.choices)
    child_residence = models.CharField(_("barnets boende"), max_length=20, choices=ChildResidence.choices, blank=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("personer")
        ordering = ["household", "id"]
        indexes = [
            # protected_household_ids() on every list page (the area filter's choices, issue 10): about 1 % of the
            # persons, read through this small index rather than a scan of every person (issue 16).
            models.Index(fields=["household"], condition=Q(protected_identity=True), name="person_protected_household"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(personal_identity_number="") | Q(personal_identity_number__regex=r"^\d{12}$"),
                name="person_identity_number_12_digits",
            ),
            models.CheckConstraint(
                condition=~Q(role="CHILD") | ~Q(personal_identity_number="") | Q(birth_date__isnull=False),
                name="child_has_identity_number_or_birth_date",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if self.organisation_id is None and self.household_id is not None:
            self.organisation_id = self.household.organisation_id
        super().save(*args, **kwargs)

    @classmethod
    def of_organisation(cls, organisation_id: int) -> models.QuerySet:
        """The organisation's persons, as the trigram index on (organisation, name) can serve them: the id is given as a
        bigint (btree_gin's int8 operators do not take PostgreSQL's int4 literal, which would leave the organisation
        to a filter after the index scan)."""
        return cls.objects.filter(organisation_id=Cast(Value(organisation_id), models.BigIntegerField()))

    def age_on(self, on_date):
        from .rules.deadlines import age_on

        born = self.birth_date
        if born is None and self.personal_identity_number:
            from .rules.identity import birth_date_from_identity_number

            born = birth_date_from_identity_number(self.personal_identity_number)
        return age_on(born, on_date) if born else None

    @property
    def masked_identity_number(self) -> str:
        from .rules.identity import mask_personal_identity_number

        return mask_personal_identity_number(self.personal_identity_number) if self.personal_identity_number else ""


class ActiveInvolvement(models.Model):
    """The household (or one of its members) is 'aktuell' at a unit (R1)."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="involvements", verbose_name=_("hushåll"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="involvements", verbose_name=_("enhet"))
    case_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("handläggare")
    )
    started = models.DateField(_("från"), default=timezone.localdate)
    ended = models.DateField(_("till"), null=True, blank=True)

    class Meta:
        verbose_name = _("aktualitet")
        verbose_name_plural = _("aktualiteter")
        constraints = [
            models.CheckConstraint(condition=Q(ended__isnull=True) | Q(ended__gte=F("started")), name="involvement_dates_in_order"),
            models.UniqueConstraint(fields=["household", "unit"], condition=Q(ended__isnull=True), name="one_open_involvement_per_unit"),
        ]

    def __str__(self):
        return f"{self.unit} ({self.started}–{self.ended or ''})"


class CaseNumberSequence(models.Model):
    """Per organisation and year: the last case number given (2026-0042)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "year"], name="case_number_sequence_unique")]

    def __str__(self):
        return f"{self.organisation_id}/{self.year}: {self.last}"


class Case(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="cases", verbose_name=_("organisation"))
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="cases", verbose_name=_("hushåll"))
    number = models.CharField(_("ärendenummer"), max_length=12)
    status = models.CharField(_("status"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    opened_at = models.DateTimeField(_("öppnat"), default=timezone.now)
    closed_at = models.DateTimeField(_("avslutat"), null=True, blank=True)
    contact_established_on = models.DateField(_("kontakt etablerad"), null=True, blank=True)
    outcome = models.CharField(_("utfall"), max_length=30, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(_("kommentar till utfallet"), blank=True)
    # Denormalised from the routing decision and the notices, for lists and agendas (kept by services).
    lead_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("ansvarig enhet"))
    urgent = models.BooleanField(_("brådskande"), default=False)
    recovery_deadline = models.DateField(_("återvinningsfrist"), null=True, blank=True)
    eviction_date = models.DateField(_("avhysningsdatum"), null=True, blank=True)
    reply_deadline = models.DateField(_("svarsfrist till Kronofogden"), null=True, blank=True)
    # Which reading of JB 12:44 gave recovery_deadline (RECEIVED/SENT), and the other reading's date when it differs.
    recovery_deadline_basis = models.CharField(
        _("återvinningsfristen räknas från"), max_length=10, choices=RecoveryPeriodStart.choices, blank=True
    )
    recovery_deadline_other = models.DateField(_("återvinningsfrist enligt den andra läsningen"), null=True, blank=True)
    next_due_date = models.DateField(_("nästa förfallodag"), null=True, blank=True)
    children_count = models.PositiveSmallIntegerField(_("antal barn"), default=0)
    debt_amount = models.DecimalField(_("skuld"), max_digits=12, decimal_places=2, null=True, blank=True)
    latest_notice_type = models.CharField(_("senaste underrättelse"), max_length=40, choices=NoticeType.choices, blank=True)
    plan_version = models.CharField(_("planversion"), max_length=40, blank=True)
    explanation = models.JSONField(_("förklaring"), default=list, blank=True)
    flags = models.JSONField(_("flaggor"), default=list, blank=True, help_text=_("T.ex. saknat delgivningsdatum."))
    version = models.PositiveIntegerField(_("version"), default=1, help_text=_("Ökas vid varje ändring (optimistisk låsning)."))
    updated_at = models.DateTimeField(_("ändrat"), auto_now=True)

    class Meta:
        verbose_name = _("ärende")
        verbose_name_plural = _("ärenden")
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "number"], name="case_number_unique_per_organisation"),
            models.UniqueConstraint(fields=["household"], condition=Q(status=CaseStatus.OPEN), name="one_open_case_per_household"),
            models.CheckConstraint(condition=Q(closed_at__isnull=True) | Q(closed_at__gte=F("opened_at")), name="case_closed_after_opened"),
            models.CheckConstraint(
                condition=Q(status=CaseStatus.OPEN, closed_at__isnull=True) | Q(status=CaseStatus.CLOSED, closed_at__isnull=False),
                name="case_closed_at_matches_status",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "status", "next_due_date"]),
            models.Index(fields=["organisation", "status", "urgent"]),
            # The overview over all statuses by notice type, newest first (issue 16: filter and sort from one index).
            models.Index(fields=["organisation", "latest_notice_type", "opened_at"], name="case_org_notice_type_opened"),
            # The statistics' closed cases of a period (followup.aggregates.live_rows): a day's figures read that day.
            models.Index(fields=["organisation", "closed_at"], name="case_org_closed_at"),
        ]

    def __str__(self):
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status == CaseStatus.OPEN


class Notice(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="notices", verbose_name=_("ärende"))
    notice_type = models.CharField(_("typ av underrättelse"), max_length=40, choices=NoticeType.choices)
    sender_kind = models.CharField(_("avsändare"), max_length=20, choices=SenderKind.choices, default=SenderKind.LANDLORD)
    landlord = models.ForeignKey(
        Landlord, on_delete=models.PROTECT, null=True, blank=True, related_name="notices", verbose_name=_("hyresvärd")
    )
    agent = models.CharField(_("ombud (t.ex. inkassobolag)"), max_length=200, blank=True)
    landlord_reference = models.CharField(_("hyresvärdens referens"), max_length=100, blank=True)
    kronofogden_reference = models.CharField(_("Kronofogdens målnummer"), max_length=100, blank=True)
    channel = models.CharField(_("kanal"), max_length=20, choices=NoticeChannel.choices, default=NoticeChannel.POST)
    document_date = models.DateField(_("handlingens datum"), null=True, blank=True)
    received_date = models.DateField(_("inkom till socialtjänsten"))
    served_date = models.DateField(_("delgivningsdatum"), null=True, blank=True)
    termination_date = models.DateField(_("uppsägningsdatum"), null=True, blank=True)
    eviction_date = models.DateField(_("avhysningsdatum"), null=True, blank=True)
    eviction_time = models.TimeField(_("avhysningstid"), null=True, blank=True)
    # Issue 11: the address Kronofogden comes to; blank means the household's address. Never printed for a
    # protected household (cases.protection).
    eviction_place = models.CharField(
        _("plats för avhysningen"), max_length=200, blank=True,
        help_text=_("Adressen dit Kronofogden kommer. Lämna tomt om det är hushållets adress."),
    )
    reply_deadline = models.DateField(_("svarsfrist till Kronofogden"), null=True, blank=True)
    debt_amount = models.DecimalField(_("skuld (kr)"), max_digits=12, decimal_places=2, null=True, blank=True)
    debt_months = models.PositiveSmallIntegerField(_("antal månader skuld"), null=True, blank=True)
    recovery_amount = models.DecimalField(
        _("belopp för att återvinna hyresrätten (kr)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    monthly_rent = models.DecimalField(_("månadshyra (kr)"), max_digits=10, decimal_places=2, null=True, blank=True)
    warning_date = models.DateField(_("datum för tillsägelse"), null=True, blank=True)
    ground = models.CharField(_("grund"), max_length=20, choices=NoticeGround.choices, blank=True)
    sent_date = models.DateField(_("avsänd av hyresvärden"), null=True, blank=True)
    description = models.TextField(_("beskrivning"), blank=True)
    attachment = models.FileField(_("inskannad handling (PDF)"), upload_to="notices/%Y/%m/", blank=True)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    registered_at = models.DateTimeField(_("registrerad"), default=timezone.now)

    class Meta:
        verbose_name = _("underrättelse")
        verbose_name_plural = _("underrättelser")
        ordering = ["received_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(document_date__isnull=True) | Q(document_date__lte=F("received_date")),
                name="notice_document_date_not_after_received",
            ),
            models.CheckConstraint(condition=Q(debt_amount__isnull=True) | Q(debt_amount__gte=0), name="notice_debt_not_negative"),
            models.CheckConstraint(
                condition=Q(recovery_amount__isnull=True) | Q(recovery_amount__gte=0), name="notice_recovery_amount_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["received_date"])]

    def __str__(self):
        return f"{self.get_notice_type_display()} {self.received_date}"


class RoutingDecision(models.Model):
    """One evaluation of the plan for a case: what fired and why, with the plan version."""

    class Trigger(models.TextChoices):
        NOTICE = "NOTICE", _("Ny underrättelse")
        CONTACT = "CONTACT", _("Kontakt registrerad")
        TASK = "TASK", _("Uppgift klar")
        DAILY = "DAILY", _("Daglig kontroll")
        MANUAL = "MANUAL", _("Manuell omprövning")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="decisions")
    notice = models.ForeignKey(Notice, on_delete=models.SET_NULL, null=True, blank=True, related_name="decisions")
    trigger = models.CharField(max_length=10, choices=Trigger.choices)
    plan_version = models.CharField(max_length=40)
    rules_fired = models.JSONField(default=list)
    explanation = models.JSONField(default=list)
    changes = models.JSONField(default=list, help_text=_("Vad beslutet ändrade: nya tilldelningar och uppgifter."))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.case_id} {self.trigger} {self.plan_version}"


class Assignment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("ärende"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("enhet"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assignments",
        verbose_name=_("handläggare"),
    )
    role = models.CharField(_("roll"), max_length=10, choices=AssignmentRole.choices)
    rules = models.JSONField(_("regler"), default=list, blank=True)
    plan_version = models.CharField(_("planversion"), max_length=40, blank=True)
    decision = models.ForeignKey(RoutingDecision, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    is_manual = models.BooleanField(_("manuell"), default=False)
    reason = models.TextField(_("motivering"), blank=True)
    created_at = models.DateTimeField(_("från"), default=timezone.now)
    ended_at = models.DateTimeField(_("avslutad"), null=True, blank=True)
    # A person's reason as written; the plan's own is a sentence id and its parameters
    # (cases.system_sentences.END_REASON_SENTENCES), worded when shown (issue 12, item 6).
    end_reason = models.CharField(_("anledning till avslut"), max_length=300, blank=True)
    end_sentence = models.CharField(_("systemets anledning till avslut"), max_length=40, blank=True)
    end_params = models.JSONField(_("parametrar för systemets anledning"), default=dict, blank=True)

    class Meta:
        verbose_name = _("tilldelning")
        verbose_name_plural = _("tilldelningar")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "unit"], condition=Q(ended_at__isnull=True), name="one_active_assignment_per_unit"),
            models.UniqueConstraint(fields=["case"], condition=Q(ended_at__isnull=True, role="LEAD"), name="one_active_lead_per_case"),
            models.CheckConstraint(condition=Q(ended_at__isnull=True) | Q(ended_at__gte=F("created_at")), name="assignment_dates_in_order"),
            models.CheckConstraint(condition=Q(end_sentence__in=["", *END_REASON_SENTENCES]), name="assignment_end_sentence_known"),
            models.CheckConstraint(condition=Q(end_sentence="") | Q(end_reason=""), name="assignment_end_sentence_or_text"),
            models.CheckConstraint(condition=Q(end_sentence="") | Q(ended_at__isnull=False), name="assignment_end_sentence_when_ended"),
        ]
        indexes = [models.Index(fields=["unit", "ended_at"]), models.Index(fields=["user", "ended_at"])]

    def __str__(self):
        return f"{self.unit} ({self.get_role_display()})"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None

    @property
    def shown_end_reason(self) -> str:
        """Why it ended, in the reader's language: the plan's sentence worded now, or a person's reason."""
        from .explanations import end_reason_text

        return end_reason_text(self)


class Task(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("ärende"))
    kind = models.CharField(_("typ"), max_length=40, choices=TaskKind.choices)
    title = models.CharField(_("beskrivning"), max_length=300, blank=True, help_text=_("För manuella uppgifter och BOSAM-aktiviteter."))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("enhet"))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="tasks", verbose_name=_("handläggare")
    )
    due_date = models.DateField(_("senast"))
    status = models.CharField(_("status"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    rules = models.JSONField(_("regler"), default=list, blank=True)
    plan_version = models.CharField(_("planversion"), max_length=40, blank=True)
    decision = models.ForeignKey(RoutingDecision, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("skapad"), default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    completed_at = models.DateTimeField(_("klar"), null=True, blank=True)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # A person's note as written; a note the application writes when it closes the task is a sentence id and
    # its parameters (cases.system_sentences.TASK_NOTE_SENTENCES), worded when shown (issue 12, item 6).
    completion_note = models.TextField(_("anteckning"), blank=True)
    note_sentence = models.CharField(_("systemanteckning"), max_length=40, blank=True)
    note_params = models.JSONField(_("systemanteckningens parametrar"), default=dict, blank=True)
    # "Klar" undone the same day (issue 12 item 4): the last undo, for the timeline; the audit log keeps every one.
    undone_at = models.DateTimeField(_("klarmarkering ångrad"), null=True, blank=True)
    undone_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("uppgift")
        verbose_name_plural = _("uppgifter")
        ordering = ["due_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind"],
                condition=Q(status=TaskStatus.OPEN) & ~Q(kind__in=[k.value for k in REPEATABLE_TASK_KINDS]),
                name="one_open_task_of_a_kind_per_case",
            ),
            models.CheckConstraint(
                condition=Q(status=TaskStatus.OPEN, completed_at__isnull=True)
                | (~Q(status=TaskStatus.OPEN) & Q(completed_at__isnull=False)),
                name="task_completed_at_matches_status",
            ),
            models.CheckConstraint(condition=Q(note_sentence__in=["", *TASK_NOTE_SENTENCES]), name="task_note_sentence_known"),
            # The application's note or a person's, never both; only on a task that is done or cancelled.
            models.CheckConstraint(condition=Q(note_sentence="") | Q(completion_note=""), name="task_note_sentence_or_text"),
            models.CheckConstraint(condition=Q(note_sentence="") | ~Q(status=TaskStatus.OPEN), name="task_note_sentence_when_closed"),
        ]
        indexes = [
            models.Index(fields=["unit", "status", "due_date"]),
            models.Index(fields=["assignee", "status", "due_date"]),
            # A case's open tasks by due date: the lists' overdue flag and next task, per listed case (issue 16). A
            # search over all statuses lists mostly closed cases, which this answers without reading their tasks.
            models.Index(fields=["case", "due_date"], condition=Q(status=TaskStatus.OPEN), name="task_open_by_case"),
        ]

    def __str__(self):
        return self.title or self.get_kind_display()

    @property
    def label(self) -> str:
        return self.title or self.get_kind_display()

    def is_overdue(self, today=None) -> bool:
        return self.status == TaskStatus.OPEN and self.due_date < (today or timezone.localdate())


class Contact(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("ärende"))
    date = models.DateField(_("datum"))
    channel = models.CharField(_("kanal"), max_length=10, choices=ContactChannel.choices)
    established = models.BooleanField(_("kontakt etablerad"), default=False)
    note = models.TextField(_("anteckning"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("registrerad"), default=timezone.now)

    class Meta:
        verbose_name = _("kontakt")
        verbose_name_plural = _("kontakter")
        ordering = ["date", "id"]

    def __str__(self):
        return f"{self.date} {self.get_channel_display()}"


class EvictionResult(models.TextChoices):
    EXECUTED = "EXECUTED", _("Verkställd")
    CANCELLED = "CANCELLED", _("Inställd")
    POSTPONED = "POSTPONED", _("Uppskjuten")


class EvictionDestination(models.TextChoices):
    EMERGENCY_HOUSING = "EMERGENCY_HOUSING", _("Akutboende")
    RELATIVES = "RELATIVES", _("Släkt eller vänner")
    OWN_HOUSING = "OWN_HOUSING", _("Egen ny bostad")
    UNKNOWN = "UNKNOWN", _("Okänt")


class EvictionOutcome(models.Model):
    """What happened on an eviction day (task EVICTION_OUTCOME, R8/R9); one per eviction-date notice.

    The statistics of the steering group read executed evictions, children present and social services present
    from here."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="eviction_outcomes", verbose_name=_("ärende"))
    notice = models.OneToOneField(
        "Notice", on_delete=models.SET_NULL, null=True, blank=True, related_name="eviction_outcome", verbose_name=_("underrättelse")
    )
    eviction_date = models.DateField(_("avhysningsdatum"))
    result = models.CharField(_("utfall"), max_length=20, choices=EvictionResult.choices)
    children_present = models.BooleanField(_("barn närvarande"), null=True, blank=True)
    social_services_present = models.BooleanField(_("socialtjänsten närvarande"), null=True, blank=True)
    destination = models.CharField(
        _("vart hushållet tog vägen"), max_length=20, choices=EvictionDestination.choices, blank=True
    )
    note = models.TextField(_("anteckning"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    recorded_at = models.DateTimeField(_("registrerad"), default=timezone.now)

    class Meta:
        verbose_name = _("utfall av avhysning")
        verbose_name_plural = _("utfall av avhysningar")
        ordering = ["eviction_date", "id"]

    def __str__(self):
        return f"{self.case} {self.eviction_date} {self.result}"


class PaymentDecision(models.TextChoices):
    GRANTED = "GRANTED", _("Beviljad")
    DENIED = "DENIED", _("Avslag")


class PaymentCommitment(models.Model):
    """Betalningsförbindelse: the social services' decisive action in a rent-arrears case,
    before the recovery deadline (JB 12:44). One record per case, updated as it goes."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="payment_commitment", verbose_name=_("ärende"))
    application_received_on = models.DateField(_("ansökan om ekonomiskt bistånd inkom"), null=True, blank=True)
    decision = models.CharField(_("beslut"), max_length=10, choices=PaymentDecision.choices, blank=True)
    decision_date = models.DateField(_("beslutsdatum"), null=True, blank=True)
    sent_to_landlord_on = models.DateField(_("betalningsförbindelse skickad till hyresvärden"), null=True, blank=True)
    amount = models.DecimalField(_("belopp (kr)"), max_digits=12, decimal_places=2, null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(_("ändrad"), auto_now=True)

    class Meta:
        verbose_name = _("betalningsförbindelse")
        verbose_name_plural = _("betalningsförbindelser")
        constraints = [
            models.CheckConstraint(
                condition=(Q(decision="") & Q(decision_date__isnull=True)) | (~Q(decision="") & Q(decision_date__isnull=False)),
                name="payment_decision_has_date",
            ),
            models.CheckConstraint(
                condition=Q(sent_to_landlord_on__isnull=True) | Q(decision="GRANTED"), name="payment_commitment_sent_only_when_granted"
            ),
            models.CheckConstraint(condition=Q(amount__isnull=True) | Q(amount__gte=0), name="payment_commitment_amount_not_negative"),
        ]

    def __str__(self):
        return f"{self.case} {self.decision or '-'}"


class Consent(models.Model):
    """The person's consent to share with a party outside the social services (OSL 26 kap.)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="consents", verbose_name=_("ärende"))
    recipient = models.CharField(_("mottagare"), max_length=30, choices=ConsentRecipient.choices)
    given_on = models.DateField(_("samtycke lämnat"))
    note = models.TextField(_("anteckning"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("samtycke")
        verbose_name_plural = _("samtycken")
        ordering = ["given_on", "id"]

    def __str__(self):
        return f"{self.get_recipient_display()} {self.given_on}"


class DeviationStatus(models.TextChoices):
    """The handling of a deviation (R8): NEW → UNDER_REVIEW → HANDLED (what was done) | DISMISSED (why)."""

    NEW = "NEW", _("Ny")
    UNDER_REVIEW = "UNDER_REVIEW", _("Under utredning")
    HANDLED = "HANDLED", _("Åtgärdad")
    DISMISSED = "DISMISSED", _("Avfärdad")


# Which status may follow which; HANDLED and DISMISSED are final (a new deviation is registered instead).
DEVIATION_TRANSITIONS: dict[str, tuple[str, ...]] = {
    DeviationStatus.NEW: (DeviationStatus.UNDER_REVIEW, DeviationStatus.HANDLED, DeviationStatus.DISMISSED),
    DeviationStatus.UNDER_REVIEW: (DeviationStatus.HANDLED, DeviationStatus.DISMISSED),
    DeviationStatus.HANDLED: (),
    DeviationStatus.DISMISSED: (),
}


class Deviation(models.Model):
    """A deviation from the plan (R8), reported to the styrgrupp för boendefrågor."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="deviations")
    # SET_NULL so that a deviation outlives its case's deletion (gallring, issue 15 §6) like an audit row: retention
    # severs it first (cases/services/retention.py), keeping the case number and the lead unit, clearing free text.
    case = models.ForeignKey(Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="deviations")
    case_number = models.CharField(_("ärendenummer (gallrat ärende)"), max_length=12, blank=True)
    case_unit = models.ForeignKey(
        Unit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("ansvarig enhet (gallrat ärende)"),
    )
    kind = models.CharField(_("typ"), max_length=40, choices=DeviationKind.choices)
    # A person's description as written. The application's own description is a sentence id and its parameters
    # (cases.system_sentences.DEVIATION_SENTENCES), worded when shown in the reader's language (issue 12, item 6).
    description = models.TextField(_("beskrivning"), blank=True)
    sentence = models.CharField(_("systembeskrivning"), max_length=40, blank=True)
    params = models.JSONField(_("systembeskrivningens parametrar"), default=dict, blank=True)
    automatic = models.BooleanField(_("automatisk"), default=True)
    # Automatic deviations are raised at most once per cause (idempotent daily checks).
    dedupe_key = models.CharField(max_length=120, blank=True)
    occurred_on = models.DateField(_("datum"), default=timezone.localdate)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # The handling (issue 13). The latest step is kept here for lists; every step is in DeviationEvent.
    status = models.CharField(_("status"), max_length=20, choices=DeviationStatus.choices, default=DeviationStatus.NEW)
    status_comment = models.TextField(_("kommentar"), blank=True, help_text=_("Vad som gjordes, eller varför avvikelsen avfärdades."))
    # The note of an automatic close (cases.system_sentences.CLOSING_SENTENCES), worded when shown; a person's is status_comment.
    status_sentence = models.CharField(_("systemkommentar"), max_length=40, blank=True)
    status_params = models.JSONField(_("systemkommentarens parametrar"), default=dict, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("hanterad av")
    )
    status_changed_at = models.DateTimeField(_("hanterad"), null=True, blank=True)

    class Meta:
        verbose_name = _("avvikelse")
        verbose_name_plural = _("avvikelser")
        ordering = ["-occurred_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "dedupe_key"], condition=~Q(dedupe_key=""), name="deviation_raised_once_per_cause"
            ),
            # A deviation is only closed with what was done or why it was dismissed.
            models.CheckConstraint(
                condition=Q(status__in=["NEW", "UNDER_REVIEW"])
                | ((~Q(status_comment="") | ~Q(status_sentence="")) & Q(status_changed_at__isnull=False)),
                name="deviation_closed_with_comment",
            ),
            models.CheckConstraint(condition=Q(status_sentence__in=["", *CLOSING_SENTENCES]), name="deviation_status_sentence_known"),
            models.CheckConstraint(condition=Q(status_sentence="") | Q(status_comment=""), name="deviation_status_sentence_or_text"),
            models.CheckConstraint(condition=Q(sentence__in=["", *DEVIATION_SENTENCES]), name="deviation_sentence_known"),
            # The application's sentence or a person's text, never both; a person's deviation has no sentence.
            models.CheckConstraint(condition=Q(sentence="") | Q(description=""), name="deviation_sentence_or_text"),
            models.CheckConstraint(condition=Q(sentence="") | Q(automatic=True), name="deviation_sentence_only_automatic"),
            # The number is kept only for a deviation whose case was deleted (gallrat); a live case is its own number.
            models.CheckConstraint(condition=Q(case__isnull=True) | Q(case_number=""), name="deviation_number_only_when_severed"),
        ]
        indexes = [models.Index(fields=["organisation", "occurred_on"]), models.Index(fields=["organisation", "status"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.occurred_on}"

    @property
    def is_severed(self) -> bool:
        """The case was deleted by retention (gallrat): the number and unit are what is left of it."""
        return self.case_id is None and bool(self.case_number)

    @property
    def shown_case_number(self) -> str:
        return self.case.number if self.case_id else self.case_number

    @property
    def shown_unit(self):
        if self.case_id:
            return self.case.lead_unit
        return self.case_unit

    @property
    def is_closed(self) -> bool:
        return self.status in (DeviationStatus.HANDLED, DeviationStatus.DISMISSED)

    @property
    def shown_status_comment(self) -> str:
        """The comment in the reader's language: the application's closing note worded now, or a person's text."""
        from .explanations import closing_text

        return closing_text(self.status_sentence, self.status_params, self.status_comment)


class DeviationEvent(models.Model):
    """One step in the handling of a deviation: who moved it to which status, when, and why. Append-only."""

    deviation = models.ForeignKey(Deviation, on_delete=models.CASCADE, related_name="events", verbose_name=_("avvikelse"))
    from_status = models.CharField(_("från status"), max_length=20, choices=DeviationStatus.choices)
    to_status = models.CharField(_("till status"), max_length=20, choices=DeviationStatus.choices)
    comment = models.TextField(_("kommentar"), blank=True)
    # The application's closing note (cases.system_sentences.CLOSING_SENTENCES), worded when shown.
    comment_sentence = models.CharField(_("systemkommentar"), max_length=40, blank=True)
    comment_params = models.JSONField(_("systemkommentarens parametrar"), default=dict, blank=True)
    # None when the application itself closed an automatic deviation whose cause went away.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("av")
    )
    at = models.DateTimeField(_("tidpunkt"), default=timezone.now)

    class Meta:
        verbose_name = _("avvikelsehändelse")
        verbose_name_plural = _("avvikelsehändelser")
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(comment_sentence__in=["", *CLOSING_SENTENCES]), name="deviation_event_sentence_known"),
            models.CheckConstraint(condition=Q(comment_sentence="") | Q(comment=""), name="deviation_event_sentence_or_text"),
        ]

    def __str__(self):
        return f"{self.deviation_id} {self.from_status}→{self.to_status}"

    @property
    def shown_comment(self) -> str:
        from .explanations import closing_text

        return closing_text(self.comment_sentence, self.comment_params, self.comment)


class AuditAction(models.TextChoices):
    CASE_VIEW = "CASE_VIEW", _("Läste ärendet")
    CASE_VIEW_DENIED = "CASE_VIEW_DENIED", _("Nekades åtkomst till ärendet")
    PIN_REVEAL = "PIN_REVEAL", _("Visade personnummer")
    ADDRESS_REVEAL = "ADDRESS_REVEAL", _("Visade skyddad adress")
    DOCUMENT_DOWNLOAD = "DOCUMENT_DOWNLOAD", _("Hämtade handling")
    LETTER_DOWNLOAD = "LETTER_DOWNLOAD", _("Hämtade brev")
    EXPORT = "EXPORT", _("Exporterade")
    NOTICE_REGISTER = "NOTICE_REGISTER", _("Registrerade underrättelse")
    CASE_CHANGE = "CASE_CHANGE", _("Ändrade ärendet")
    TASK_COMPLETE = "TASK_COMPLETE", _("Slutförde uppgift")
    TASK_UNDO = "TASK_UNDO", _("Ångrade att uppgiften var klar")
    TASK_CREATE = "TASK_CREATE", _("Skapade uppgift")
    CONTACT_REGISTER = "CONTACT_REGISTER", _("Registrerade kontakt")
    ASSIGNMENT_CHANGE = "ASSIGNMENT_CHANGE", _("Ändrade tilldelning")
    CONSENT_RECORD = "CONSENT_RECORD", _("Registrerade samtycke")
    CASE_CLOSE = "CASE_CLOSE", _("Avslutade ärendet")
    CASE_REOPEN = "CASE_REOPEN", _("Öppnade ärendet igen")
    AGENDA_VIEW = "AGENDA_VIEW", _("Läste BOSAM-dagordning")
    API_READ = "API_READ", _("Läste via API")
    NOTICE_IMPORT = "NOTICE_IMPORT", _("Importerade underrättelser")
    DEVIATION_RECORD = "DEVIATION_RECORD", _("Registrerade avvikelse")
    DEVIATION_HANDLE = "DEVIATION_HANDLE", _("Hanterade avvikelse")
    # A search or a case list: what kind of query and how many hits, never the searched personnummer.
    SEARCH = "SEARCH", _("Sökte eller listade ärenden")
    # Break the glass (issue 15 §4): access to a case outside one's units, with a stated reason, for a few hours.
    EMERGENCY_ACCESS = "EMERGENCY_ACCESS", _("Tog nödåtkomst till ärendet")
    # The landlord's channel (issue 14 §2): a notice submitted, read in the queue, rejected (registering is NOTICE_REGISTER).
    SUBMISSION_RECEIVE = "SUBMISSION_RECEIVE", _("Tog emot inkommen underrättelse")
    SUBMISSION_VIEW = "SUBMISSION_VIEW", _("Läste inkommen underrättelse")
    SUBMISSION_REJECT = "SUBMISSION_REJECT", _("Avvisade inkommen underrättelse")
    # Two-factor for local accounts (issue 15 §2): an app or a passkey enrolled, removed (by its owner or the
    # system administrator), and a sign-in's second step; the detail names the kind and the device's name.
    TWO_FACTOR_ENROL = "TWO_FACTOR_ENROL", _("Aktiverade tvåstegsverifiering")
    TWO_FACTOR_REMOVE = "TWO_FACTOR_REMOVE", _("Tog bort tvåstegsverifiering")
    TWO_FACTOR_SIGN_IN = "TWO_FACTOR_SIGN_IN", _("Loggade in med tvåstegsverifiering")


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The audit log is append-only.")

    def delete(self):
        raise PermissionError("The audit log is append-only.")

    # The two exceptions, both for retention (gallring, issue 15 §6) and used only by cases/services/retention.py.

    def sever_from_case(self, case: "Case") -> int:
        """The rows of a case about to be deleted keep action, time, user and the case number, and lose the link."""
        return models.QuerySet.update(self.filter(case=case), case=None, case_number=case.number)

    def purge_before(self, cutoff) -> int:
        """Delete the rows older than the audit log's own retention period."""
        deleted, _per_model = models.QuerySet.delete(self.filter(at__lt=cutoff))
        return deleted


class AuditEvent(models.Model):
    """Append-only: who did or read what, on which case, when, from where."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("användare"))
    user_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("användarens enhet"))
    # SET_NULL only so that retention can delete a case: it severs the rows first (sever_from_case), keeping the number.
    case = models.ForeignKey(Case, on_delete=models.SET_NULL, null=True, related_name="audit_events", verbose_name=_("ärende"))
    case_number = models.CharField(_("ärendenummer (gallrat ärende)"), max_length=12, blank=True)
    action = models.CharField(_("händelse"), max_length=30, choices=AuditAction.choices)
    detail = models.CharField(_("detalj"), max_length=500, blank=True)
    # True when the user's unit held no active assignment on the case at the time (for logguppföljning).
    without_assignment = models.BooleanField(_("utan tilldelning"), default=False)
    ip_address = models.GenericIPAddressField(_("adress"), null=True, blank=True)
    at = models.DateTimeField(_("tidpunkt"), default=timezone.now, db_index=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("logghändelse")
        verbose_name_plural = _("logghändelser")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["organisation", "at"]), models.Index(fields=["case", "at"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit log is append-only.")


class OpenCaseMembership(models.Model):
    """Who is a tenant in an open case: one row per (organisation, personnummer).

    The unique constraint is the database's own guarantee of "one open case per
    person" (issue 10, defect 2): two households registered at the same moment
    for the same person cannot both get an open case, even on a code path that
    forgets the advisory lock in ``services.intake``. Rows are written by the
    services that open, join, close and reopen cases (``cases/services/membership.py``).
    """

    # No index of its own: the unique (organisation, personnummer) serves the organisation too. With both, PostgreSQL
    # took the organisation's alone for an organisation its statistics thought empty (a district's first import) and
    # read every membership of the organisation for each row.
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+", db_index=False)
    personal_identity_number = models.CharField(_("personnummer"), max_length=12)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="open_memberships", verbose_name=_("ärende"))

    class Meta:
        verbose_name = _("öppet ärende för person")
        verbose_name_plural = _("öppna ärenden för personer")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "personal_identity_number"], name="one_open_case_per_person"),
        ]

    def __str__(self):
        return f"{self.case_id}"


class SubmissionToken(models.Model):
    """A one-time token of the intake form: the second POST of a double-click finds it used.

    The row is inserted in the same transaction as the notice; a concurrent
    second submission waits on the unique index and then fails with an
    IntegrityError, after which the view sends the user to the first one's case."""

    token = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    used_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("engångsnyckel för formulär")
        verbose_name_plural = _("engångsnycklar för formulär")

    def __str__(self):
        return f"{self.used_at:%Y-%m-%d %H:%M}"
class SentLetter(models.Model):
    """The letter exactly as it was sent to the household, frozen when its SEND_LETTER task was marked done.

    The case page serves this file afterwards, never a fresh rendering from live data: what was
    sent must stay provable (hash) even when the case changes. A new letter is a new task.
    The file lives under MEDIA_ROOT like the scans and is served only through the access gate."""

    task = models.OneToOneField(Task, on_delete=models.PROTECT, related_name="sent_letter", verbose_name=_("uppgift"))
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="sent_letters", verbose_name=_("ärende"))
    file = models.FileField(_("brevet (PDF)"), upload_to="letters/%Y/%m/")
    sha256 = models.CharField(_("kontrollsumma (SHA-256)"), max_length=64)
    sent_on = models.DateField(_("skickat"))
    created_at = models.DateTimeField(_("sparat"), default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # The language the letter was written in (issue 14 §3); the PDF itself is the proof of what it said.
    language = models.CharField(_("språk"), max_length=10, choices=LetterLanguage.choices, default=LetterLanguage.SV)

    class Meta:
        verbose_name = _("skickat brev")
        verbose_name_plural = _("skickade brev")
        ordering = ["sent_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="sent_letter_sha256_hex"),
        ]

    def __str__(self):
        return f"{self.case_id} {self.sent_on}"


class LetterKind(models.TextChoices):
    """Which letter a template writes. Today there is one: the letter to the household of a SEND_LETTER task
    (R2a, R3a, and a new eviction date); its eviction-date and passed-deadline wordings are texts of the same template."""

    HOUSEHOLD = "HOUSEHOLD", _("Brev till hushållet")


class LetterTemplateStatus(models.TextChoices):
    DRAFT = "DRAFT", _("Utkast")
    APPROVED = "APPROVED", _("Godkänd")


class TextDirection(models.TextChoices):
    LTR = "ltr", _("vänster till höger")
    RTL = "rtl", _("höger till vänster")


class LetterTemplate(models.Model):
    """A letter's texts in one language (issue 14 §3), edited by the system administrator in the admin.

    Only an APPROVED template is used: never a machine translation sent as if it were reviewed. Changing the
    texts of an approved template makes it a draft again (cases/letter_admin.py). `organisation` empty: a shipped
    default, used by every organisation that has no approved template of its own in that language. The texts
    are plain text with `{placeholder}`s (cases/letter_texts.py), never template code."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="letter_templates",
        verbose_name=_("organisation"), help_text=_("Tom: levereras med systemet och gäller alla organisationer."),
    )
    kind = models.CharField(_("brev"), max_length=20, choices=LetterKind.choices, default=LetterKind.HOUSEHOLD)
    language = models.CharField(_("språk"), max_length=10, choices=LetterLanguage.choices)
    text_direction = models.CharField(_("skriftriktning"), max_length=3, choices=TextDirection.choices, default=TextDirection.LTR)
    status = models.CharField(_("status"), max_length=10, choices=LetterTemplateStatus.choices, default=LetterTemplateStatus.DRAFT)
    texts = models.JSONField(_("texter"), default=dict, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("godkänd av")
    )
    approved_at = models.DateTimeField(_("godkänd"), null=True, blank=True)
    updated_at = models.DateTimeField(_("ändrad"), auto_now=True)

    class Meta:
        verbose_name = _("brevmall")
        verbose_name_plural = _("brevmallar")
        ordering = ["organisation_id", "kind", "language"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "language"], condition=Q(organisation__isnull=True),
                                    name="letter_template_one_default_per_language"),
            models.UniqueConstraint(fields=["organisation", "kind", "language"], condition=Q(organisation__isnull=False),
                                    name="letter_template_one_per_organisation_language"),
            # Approved means someone approved it at a known time; a draft carries no approval.
            models.CheckConstraint(
                condition=Q(status="APPROVED", approved_at__isnull=False)
                | Q(status="DRAFT", approved_at__isnull=True, approved_by__isnull=True),
                name="letter_template_approval_consistent",
            ),
            models.CheckConstraint(condition=Q(language__in=LetterLanguage.values), name="letter_template_language_known"),
            models.CheckConstraint(condition=Q(text_direction__in=TextDirection.values), name="letter_template_direction_known"),
        ]

    def __str__(self):
        owner = self.organisation.name if self.organisation_id else _("standard")
        return f"{self.get_kind_display()}, {self.get_language_display()} ({owner})"


class EmergencyAccess(models.Model):
    """Nödåtkomst ("break the glass", issue 15 §4): one user's time-limited access to one case outside their units.

    Granted by cases/services/emergency.py to a user with the permission `cases.emergency_access` (e.g. socialjouren),
    with a stated reason; read by cases/access.py until `expires_at`. The grant is also in the audit log
    (EMERGENCY_ACCESS), which outlives this row."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="emergency_accesses", verbose_name=_("ärende"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("användare"))
    reason = models.TextField(_("skäl"))
    write = models.BooleanField(_("även ändra"), default=False)
    granted_at = models.DateTimeField(_("från"))
    expires_at = models.DateTimeField(_("till"))

    class Meta:
        verbose_name = _("nödåtkomst")
        verbose_name_plural = _("nödåtkomster")
        ordering = ["-granted_at", "-id"]
        permissions = [("emergency_access", _("Får ta nödåtkomst till ärenden (t.ex. socialjouren)"))]
        constraints = [
            models.CheckConstraint(condition=Q(expires_at__gt=F("granted_at")), name="emergency_access_expires_after_granted"),
            models.CheckConstraint(condition=~Q(reason=""), name="emergency_access_has_reason"),
        ]
        indexes = [models.Index(fields=["user", "case", "expires_at"])]

    def __str__(self):
        return f"{self.case_id} {self.granted_at:%Y-%m-%d %H:%M}"


class DeletedCase(models.Model):
    """What is left of a case deleted by retention (gallring, issue 15 §6): no personal data, only
    the number, the dates, the unit and how much was deleted (cases/services/retention.py)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    case_number = models.CharField(_("ärendenummer"), max_length=12)
    unit_code = models.CharField(_("ansvarig enhet (kod)"), max_length=60, blank=True)
    opened_on = models.DateField(_("öppnat"))
    closed_on = models.DateField(_("avslutat"), null=True, blank=True)
    last_entry_on = models.DateField(_("senaste anteckning"))
    deleted_at = models.DateTimeField(_("gallrat"))
    counts = models.JSONField(_("antal gallrade uppgifter"), default=dict)

    class Meta:
        verbose_name = _("gallrat ärende")
        verbose_name_plural = _("gallrade ärenden")
        ordering = ["-deleted_at", "case_number"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "case_number"], name="deleted_case_once_per_number"),
        ]

    def __str__(self):
        return f"{self.case_number} {self.deleted_at:%Y-%m-%d}"


class NotificationKind(models.TextChoices):
    """What a user can be told (issue 15 §5). The texts hold no personal data: a case number at most."""

    ASSIGNED = "ASSIGNED", _("Ärende eller uppgift till mig eller min enhet")
    TASK_DUE_TOMORROW = "TASK_DUE_TOMORROW", _("Uppgift med sista dag i morgon")
    EMERGENCY_ACCESS = "EMERGENCY_ACCESS", _("Nödåtkomst till min enhets ärende")
    BOSAM_ACTIVITY = "BOSAM_ACTIVITY", _("Aktivitet beslutad på BOSAM för min enhet")
    REPORT_READY = "REPORT_READY", _("Periodrapport klar")


class NotificationDelivery(models.TextChoices):
    IMMEDIATE = "IMMEDIATE", _("Direkt, i appen och med e-post")
    DIGEST = "DIGEST", _("I appen, och en sammanfattning med e-post kl. 7")
    OFF = "OFF", _("Av")


class Notification(models.Model):
    """One in-app notification (the bell); e-mailed at once or in the morning digest, per the user's choice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("typ"), max_length=30, choices=NotificationKind.choices)
    text = models.CharField(_("text"), max_length=200)
    url = models.CharField(_("länk"), max_length=300, blank=True)
    # The same cause notifies a user once (a daily task run twice adds nothing).
    dedupe_key = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(_("skapad"), default=timezone.now)
    read_at = models.DateTimeField(_("läst"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-post skickad"), null=True, blank=True)

    class Meta:
        verbose_name = _("avisering")
        verbose_name_plural = _("aviseringar")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "dedupe_key"], condition=~Q(dedupe_key=""), name="notification_once_per_cause"),
        ]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self):
        return self.text


class NotificationPreference(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences")
    kind = models.CharField(_("typ"), max_length=30, choices=NotificationKind.choices)
    delivery = models.CharField(_("hur"), max_length=10, choices=NotificationDelivery.choices, default=NotificationDelivery.IMMEDIATE)

    class Meta:
        verbose_name = _("aviseringsval")
        verbose_name_plural = _("aviseringsval")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once_per_kind")]

    def __str__(self):
        return f"{self.kind}: {self.delivery}"


class BosamRequestReason(models.TextChoices):
    """Why a unit asks for the forum: a code, because the agenda goes to every department (issue 12 §5).
    Anything more the unit writes stays on the case page (`BosamRequest.details`)."""

    NEEDS_OTHER_UNIT_DECISION = "NEEDS_OTHER_UNIT_DECISION", _("Behöver beslut eller insats från en annan enhet")
    EVICTION_DATE_NEAR = "EVICTION_DATE_NEAR", _("Avhysningen är nära")
    CHILDREN_WITHOUT_CONTACT = "CHILDREN_WITHOUT_CONTACT", _("Barnfamilj som vi inte får kontakt med")
    OTHER = "OTHER", _("Annat")


class BosamRequestStatus(models.TextChoices):
    OPEN = "OPEN", _("Öppen")
    HANDLED = "HANDLED", _("Behandlad på BOSAM")
    WITHDRAWN = "WITHDRAWN", _("Återkallad")


class BosamRequest(models.Model):
    """A unit assigned to the case asks for it to be taken up at BOSAM (issue 12 item 5).

    Stored here, not in bosam (cases does not import bosam). An open request puts the case in section 2 of
    every prepared agenda until a meeting discusses the case; bosam then marks it handled (who, when, which
    meeting). An undiscussed item carried over keeps the request open. The unit may withdraw it while open.
    The reason is a code (it is shown on the agenda); `details` is free text for the case page only."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="bosam_requests", verbose_name=_("ärende"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("enhet"))
    reason = models.CharField(_("anledning"), max_length=40, choices=BosamRequestReason.choices)
    details = models.CharField(_("beskrivning"), max_length=300, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("begärd av")
    )
    requested_at = models.DateTimeField(_("begärd"), default=timezone.now)
    status = models.CharField(_("status"), max_length=10, choices=BosamRequestStatus.choices, default=BosamRequestStatus.OPEN)
    handled_at = models.DateTimeField(_("behandlad"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("behandlad av")
    )
    # The meeting that discussed the case: bosam's Meeting id and date (no foreign key: cases works without bosam).
    handled_meeting_id = models.PositiveIntegerField(_("behandlad på mötet"), null=True, blank=True)
    handled_meeting_date = models.DateField(_("mötets datum"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("återkallad"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("återkallad av")
    )

    class Meta:
        verbose_name = _("begäran om BOSAM")
        verbose_name_plural = _("begäranden om BOSAM")
        ordering = ["requested_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "unit"], condition=Q(status="OPEN"), name="bosam_request_one_open_per_case_unit",
            ),
            models.CheckConstraint(condition=Q(reason__in=BosamRequestReason.values), name="bosam_request_reason_is_a_code"),
            models.CheckConstraint(condition=~Q(reason="OTHER") | ~Q(details=""), name="bosam_request_other_is_described"),
            models.CheckConstraint(
                condition=(
                    Q(status="OPEN", handled_at__isnull=True, handled_meeting_date__isnull=True, withdrawn_at__isnull=True)
                    | Q(status="HANDLED", handled_at__isnull=False, handled_meeting_date__isnull=False, withdrawn_at__isnull=True)
                    | Q(status="WITHDRAWN", handled_at__isnull=True, handled_meeting_date__isnull=True, withdrawn_at__isnull=False)
                ),
                name="bosam_request_status_matches_dates",
            ),
        ]
        indexes = [models.Index(fields=["requested_at"]), models.Index(fields=["status", "case"])]

    def __str__(self):
        return f"{self.case} – {self.unit}"

    @property
    def is_open(self) -> bool:
        return self.status == BosamRequestStatus.OPEN
