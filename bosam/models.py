"""BOSAM: the cross-department forum (R4–R6, R8, R9).

A MeetingSeries (configured in the admin) produces Meetings (planned by a
daily Celery task); each Meeting has an agenda of AgendaItems (one per case),
the attendance per department, and Activities decided at the meeting. An
Activity is a cases.Task of kind BOSAM_ACTIVITY, so it shows up in the case
workers' workspace; its status is the task's status.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.models import Case, Task
from cases.system_sentences import AGENDA_SENTENCES
from organisation.models import Department, Organisation


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("måndag")
    TUESDAY = 1, _("tisdag")
    WEDNESDAY = 2, _("onsdag")
    THURSDAY = 3, _("torsdag")
    FRIDAY = 4, _("fredag")


class MeetingSeries(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="meeting_series", verbose_name=_("organisation"))
    name = models.CharField(_("namn"), max_length=200, default="BOSAM")
    weekday = models.PositiveSmallIntegerField(_("veckodag"), choices=Weekday.choices, default=Weekday.TUESDAY)
    time = models.TimeField(_("tid"))
    place = models.CharField(_("plats"), max_length=200)
    interval_days = models.PositiveSmallIntegerField(_("intervall (dagar)"), default=14, help_text=_("Som regel varannan vecka (R6)."))
    start_date = models.DateField(_("startdatum"), help_text=_("Första mötet är första valda veckodag från och med detta datum."))
    pause_from_week = models.PositiveSmallIntegerField(
        _("sommaruppehåll från vecka"), null=True, blank=True, default=27, help_text=_("ISO-veckonummer. Tomt = inget uppehåll.")
    )
    pause_to_week = models.PositiveSmallIntegerField(_("sommaruppehåll till och med vecka"), null=True, blank=True, default=32)
    agenda_lead_working_days = models.PositiveSmallIntegerField(
        _("dagordningen klar (arbetsdagar före mötet)"), default=2
    )
    departments = models.ManyToManyField(
        Department, related_name="meeting_series", verbose_name=_("deltagande avdelningar"), blank=True,
        help_text=_("Alla avdelningar deltar (R5). Närvaro registreras per avdelning."),
    )
    extra_recipients = models.TextField(
        _("fler mottagare av kallelsen"), blank=True,
        help_text=_("E-postadresser, en per rad. Utöver handläggare, chefer och hyresrådgivare i de deltagande avdelningarna."),
    )
    is_active = models.BooleanField(_("aktiv"), default=True)

    class Meta:
        verbose_name = _("mötesserie")
        verbose_name_plural = _("mötesserier")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(interval_days__gte=1), name="series_interval_positive"),
            models.CheckConstraint(condition=Q(weekday__lte=4), name="series_weekday_is_weekday"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        for name in ("pause_from_week", "pause_to_week"):
            value = getattr(self, name)
            if value is not None and not 1 <= value <= 53:
                errors[name] = _("Ange ett veckonummer mellan 1 och 53.")
        if (self.pause_from_week is None) != (self.pause_to_week is None):
            errors["pause_to_week"] = _("Ange både första och sista veckan, eller ingen av dem.")
        if self.interval_days is not None and self.interval_days < 1:
            errors["interval_days"] = _("Intervallet måste vara minst en dag.")
        if errors:
            raise ValidationError(errors)

    def recipient_addresses(self) -> list[str]:
        return sorted({line.strip() for line in self.extra_recipients.replace(",", "\n").splitlines() if line.strip()})


class MeetingStatus(models.TextChoices):
    PLANNED = "PLANNED", _("Planerat")
    STARTED = "STARTED", _("Pågår")
    CLOSED = "CLOSED", _("Avslutat")
    CANCELLED = "CANCELLED", _("Inställt")


class Meeting(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("organisation"))
    series = models.ForeignKey(MeetingSeries, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("mötesserie"))
    # The date the series rule gives; with the series it identifies the meeting (never planned twice).
    scheduled_date = models.DateField(_("ordinarie datum"))
    date = models.DateField(_("datum"))
    time = models.TimeField(_("tid"))
    place = models.CharField(_("plats"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED)
    # Set when the chair changed date, time or place: planning no longer moves the meeting.
    edited_by_chair = models.BooleanField(_("ändrat av ordföranden"), default=False)
    cancel_reason = models.CharField(_("anledning till att mötet ställdes in"), max_length=300, blank=True)
    # A cancellation can be undone the same day (issue 12): the day is read from here.
    cancelled_at = models.DateTimeField(_("inställt"), null=True, blank=True)
    agenda_prepared_at = models.DateTimeField(_("dagordningen förberedd"), null=True, blank=True)
    # Guard: the participants are told once that the agenda is ready.
    agenda_notified_at = models.DateTimeField(_("kallelse skickad"), null=True, blank=True)
    # The chair moved items: refreshing the agenda keeps the chair's order.
    order_edited = models.BooleanField(default=False)
    started_at = models.DateTimeField(_("mötet startade"), null=True, blank=True)
    closed_at = models.DateTimeField(_("protokollet låst"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # The frozen minutes: the whole agenda content at closing, rendered from here ever after.
    minutes = models.JSONField(_("protokoll"), null=True, blank=True)
    # The justering block of the minutes: who keeps them, who checks them (names as written by the chair).
    minutes_keeper = models.CharField(_("protokollförare"), max_length=200, blank=True)
    minutes_checker = models.CharField(_("justerare"), max_length=200, blank=True)
    # Open cases at risk that section 2 does not list (they need no forum now): shown as a count.
    other_open_count = models.PositiveIntegerField(_("övriga öppna ärenden"), default=0)

    class Meta:
        verbose_name = _("möte")
        verbose_name_plural = _("möten")
        ordering = ["date", "time", "id"]
        constraints = [
            models.UniqueConstraint(fields=["series", "scheduled_date"], name="meeting_once_per_series_date"),
            models.CheckConstraint(
                condition=~Q(status=MeetingStatus.CLOSED) | Q(closed_at__isnull=False, minutes__isnull=False),
                name="closed_meeting_has_minutes",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "date"])]

    def __str__(self):
        return f"{self.series.name} {self.date:%Y-%m-%d}"

    @property
    def agenda_ready(self) -> bool:
        return self.agenda_prepared_at is not None

    @property
    def agenda_editable(self) -> bool:
        """The chair may regenerate, add, remove and reorder until the meeting starts."""
        return self.status == MeetingStatus.PLANNED

    @property
    def minutes_editable(self) -> bool:
        """Attendance, notes and activities until the minutes are closed."""
        return self.status in (MeetingStatus.PLANNED, MeetingStatus.STARTED)


class AgendaSection(models.TextChoices):
    NEW_NOTICES = "NEW_NOTICES", _("Nya underrättelser sedan förra mötet")
    AT_RISK = "AT_RISK", _("Öppna ärenden med risk för avhysning")


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items", verbose_name=_("möte"))
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="agenda_items", verbose_name=_("ärende"))
    section = models.CharField(_("avsnitt"), max_length=20, choices=AgendaSection.choices)
    position = models.PositiveIntegerField(_("ordning"), default=0)
    # Facts as of the (latest) preparation; urgency is relative to THIS meeting's date.
    notice_type = models.CharField(_("typ av underrättelse"), max_length=40, blank=True)
    urgent = models.BooleanField(_("brådskande"), default=False)
    children_count = models.PositiveSmallIntegerField(_("antal barn"), default=0)
    added_by_chair = models.BooleanField(_("tillagd av ordföranden"), default=False)
    # The chair's reason as written; the application's (an item carried over) is a sentence id and its parameters
    # (cases.system_sentences.AGENDA_SENTENCES), worded when shown (issue 12, item 6).
    added_reason = models.CharField(_("anledning"), max_length=300, blank=True)
    added_sentence = models.CharField(_("systemets anledning"), max_length=40, blank=True)
    added_params = models.JSONField(_("parametrar för systemets anledning"), default=dict, blank=True)
    removed_at = models.DateTimeField(_("struken"), null=True, blank=True)
    removed_reason = models.CharField(_("anledning till strykning"), max_length=300, blank=True)
    note = models.TextField(_("anteckning från mötet"), blank=True)
    # Set when the meeting went through the item (a note, an activity, or the chair's "behandlad").
    # An item not discussed when the minutes are locked is carried over to the next meeting.
    discussed = models.BooleanField(_("behandlad"), default=False)
    carried_to = models.ForeignKey(
        "Meeting", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("flyttad till"),
    )

    class Meta:
        verbose_name = _("punkt på dagordningen")
        verbose_name_plural = _("punkter på dagordningen")
        ordering = ["meeting", "section", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "case"], name="case_once_per_agenda"),
            # An item is either discussed or carried over, never both.
            models.CheckConstraint(condition=Q(discussed=False) | Q(carried_to__isnull=True), name="item_discussed_or_carried"),
            models.CheckConstraint(condition=Q(added_sentence__in=["", *AGENDA_SENTENCES]), name="item_added_sentence_known"),
            models.CheckConstraint(condition=Q(added_sentence="") | Q(added_reason=""), name="item_added_sentence_or_text"),
        ]

    def __str__(self):
        return f"{self.meeting} {self.case}"

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None

    @property
    def shown_added_reason(self) -> str:
        from cases.explanations import agenda_reason_text

        return agenda_reason_text(self.added_sentence, self.added_params, self.added_reason)


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("möte"))
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("avdelning"))
    present = models.BooleanField(_("närvarande"), default=False)
    representative = models.CharField(_("företrädd av"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("närvaro")
        verbose_name_plural = _("närvaro")
        constraints = [models.UniqueConstraint(fields=["meeting", "department"], name="attendance_once_per_department")]

    def __str__(self):
        return f"{self.meeting} {self.department}"


class Activity(models.Model):
    """A decision of the meeting. What, who and when live on the task, so the case workers see it."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="activities", verbose_name=_("möte"))
    item = models.ForeignKey(AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="activities")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="bosam_activities", verbose_name=_("ärende"))
    task = models.OneToOneField(Task, on_delete=models.CASCADE, related_name="bosam_activity", verbose_name=_("uppgift"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("beslutad"), auto_now_add=True)

    class Meta:
        verbose_name = _("aktivitet")
        verbose_name_plural = _("aktiviteter")
        ordering = ["meeting", "id"]

    def __str__(self):
        return f"{self.meeting} {self.case}"


class MeetingDocument(models.Model):
    """A rendered PDF, cached by a hash of its content: regenerated only when the content changes."""

    class Kind(models.TextChoices):
        AGENDA = "AGENDA", _("Dagordning")
        MINUTES = "MINUTES", _("Protokoll")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    content_hash = models.CharField(max_length=64)
    pdf = models.BinaryField()
    rendered_at = models.DateTimeField(auto_now=True)
    render_seconds = models.FloatField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "kind"], name="one_document_per_kind")]

    def __str__(self):
        return f"{self.meeting} {self.kind}"
