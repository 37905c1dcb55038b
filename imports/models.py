"""Imports of landlords' lists of notices (issue 14 §1).

An app of its own: it has its own records (the file, its rows, the mapping presets)
and talks to cases/ only through its services (notice_register), selectors and
access gate, as bosam/ does. Each row becomes a notice through exactly the same
service as the intake form, so the plan treats it identically.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Case, Landlord, Notice
from organisation.models import Organisation


class ImportStatus(models.TextChoices):
    UPLOADED = "UPLOADED", _("Uppladdad, kolumner ej bekräftade")
    PREVIEW = "PREVIEW", _("Förhandsgranskad")
    RUNNING = "RUNNING", _("Importeras")
    DONE = "DONE", _("Klar")
    FAILED = "FAILED", _("Misslyckades")


class RowOutcome(models.TextChoices):
    NEW_HOUSEHOLD = "NEW_HOUSEHOLD", _("Nytt hushåll")
    JOINS_CASE = "JOINS_CASE", _("Ansluter till öppet ärende")
    ALREADY_IMPORTED = "ALREADY_IMPORTED", _("Redan importerad")
    ERROR = "ERROR", _("Fel")


class CommitChoice(models.TextChoices):
    ALL = "ALL", _("Alla rader")
    VALID = "VALID", _("Endast giltiga rader")


class FileFormat(models.TextChoices):
    CSV = "CSV", "CSV"
    XLSX = "XLSX", "XLSX"


class NoticeImport(models.Model):
    """One uploaded file. Kept like a scanned notice: served only through an access-checked view."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("importerad av"))
    created_at = models.DateTimeField(_("skapad"), default=timezone.now)
    landlord = models.ForeignKey(Landlord, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("hyresvärd"))
    file = models.FileField(_("fil"), upload_to="imports/%Y/%m/")
    file_name = models.CharField(_("filnamn"), max_length=255)
    file_sha256 = models.CharField(_("filens SHA-256"), max_length=64)
    file_format = models.CharField(_("format"), max_length=4, choices=FileFormat.choices)
    headings = models.JSONField(_("kolumnrubriker"), default=list)
    # {column index as str: field key}; a column left out is ignored.
    mapping = models.JSONField(_("kolumnmappning"), default=dict)
    status = models.CharField(_("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.UPLOADED)
    row_count = models.PositiveIntegerField(_("antal rader"), default=0)
    commit_choice = models.CharField(_("valda rader"), max_length=5, choices=CommitChoice.choices, blank=True)
    task_id = models.CharField(max_length=100, blank=True)
    progress_total = models.PositiveIntegerField(default=0)
    created_cases = models.PositiveIntegerField(_("nya ärenden"), default=0)
    joined_cases = models.PositiveIntegerField(_("anslutna ärenden"), default=0)
    failure = models.TextField(_("fel"), blank=True)
    finished_at = models.DateTimeField(_("klar"), null=True, blank=True)
    # Retention (gallring, issue 15 §6; imports/retention.py): when the rows and the kept file went, the import keeps
    # only its audit facts (hash, row count, these counts per outcome, who, when) and no personal data.
    purged_at = models.DateTimeField(_("rader och fil gallrade"), null=True, blank=True)
    outcome_counts = models.JSONField(_("antal rader per utfall"), default=dict, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("importer")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "created_at"])]
        constraints = [
            # A purged import has no file left, and its counts per outcome are frozen.
            models.CheckConstraint(condition=Q(purged_at__isnull=True) | Q(file=""), name="purged_import_has_no_file"),
        ]

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def is_purged(self) -> bool:
        return self.purged_at is not None


class ImportRow(models.Model):
    """One data row of the file: the values as mapped, and the preview's (then the commit's) verdict."""

    notice_import = models.ForeignKey(NoticeImport, on_delete=models.CASCADE, related_name="rows")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    row_number = models.PositiveIntegerField(_("rad"))
    values = models.JSONField(_("värden"), default=dict)
    outcome = models.CharField(_("utfall"), max_length=20, choices=RowOutcome.choices)
    errors = models.JSONField(_("fel"), default=dict, blank=True)
    case_number = models.CharField(_("ärende"), max_length=20, blank=True)
    note = models.CharField(_("anmärkning"), max_length=200, blank=True)
    # landlord org number | reference | notice type | the notice's own dates: what recognises a row again.
    key = models.CharField(max_length=300, blank=True)
    # SET_NULL so that retention (gallring, cases/services/retention.py) can delete an old case; the row keeps its number.
    notice = models.OneToOneField(Notice, on_delete=models.SET_NULL, null=True, blank=True, related_name="import_row")
    case = models.ForeignKey(Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("importrad")
        verbose_name_plural = _("importrader")
        ordering = ["notice_import", "row_number"]
        constraints = [
            models.UniqueConstraint(fields=["notice_import", "row_number"], name="import_row_number_unique"),
            # The same landlord row is imported at most once per organisation, whatever file brings it.
            models.UniqueConstraint(
                fields=["organisation", "key"], condition=Q(notice__isnull=False), name="import_row_key_imported_once"
            ),
        ]

    def __str__(self):
        return f"{self.row_number}: {self.outcome}"


class MappingPreset(models.Model):
    """The column mapping last saved for a landlord's files: {normalised heading: field key}."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    landlord = models.ForeignKey(Landlord, on_delete=models.CASCADE, related_name="+", verbose_name=_("hyresvärd"))
    mapping = models.JSONField(_("kolumnmappning"), default=dict)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("förval för kolumner")
        verbose_name_plural = _("förval för kolumner")
        constraints = [models.UniqueConstraint(fields=["organisation", "landlord"], name="mapping_preset_one_per_landlord")]

    def __str__(self):
        return str(self.landlord)
