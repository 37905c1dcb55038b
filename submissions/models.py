"""Notices submitted by landlords themselves (issue 14 §2): the portal /hyresvard/ and POST /api/v1/submissions/.

An app of its own beside imports/, on top of cases/: a submission is not yet a notice. It waits in the queue
"Inkomna underrättelser" until a hyresrådgivare registers it (or the plan setting submissions_auto_register
does), through the same service as the intake form (cases.services.notice_register), so the plan treats it
identically; then it points at the notice it became. The landlord sees only its own submissions' status.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Landlord, Notice, NoticeChannel
from organisation.models import Organisation


class SubmissionStatus(models.TextChoices):
    """A contract (docs/api.md): the strings never change."""

    RECEIVED = "RECEIVED", _("Mottagen")
    REGISTERED = "REGISTERED", _("Registrerad")
    REJECTED = "REJECTED", _("Avvisad")


class SubmissionMissing(models.TextChoices):
    """What the law needs for the recovery period to start (JB 12:44, deadlines.md) and the submission lacks."""

    RECOVERY_AMOUNT = "RECOVERY_AMOUNT", _("Belopp för att återvinna hyresrätten saknas")
    SERVED_DATE = "SERVED_DATE", _("Delgivningsdatum saknas")


SUBMISSION_CHANNELS = [(NoticeChannel.PORTAL.value, NoticeChannel.PORTAL.label), (NoticeChannel.API.value, NoticeChannel.API.label)]


class SubmissionQuerySet(models.QuerySet):
    def queue(self):
        """Waiting for the hyresrådgivare."""
        return self.filter(status=SubmissionStatus.RECEIVED)


class Submission(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation"))
    landlord = models.ForeignKey(Landlord, on_delete=models.PROTECT, related_name="submissions", verbose_name=_("hyresvärd"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("inlämnad av")
    )
    channel = models.CharField(_("kanal"), max_length=10, choices=SUBMISSION_CHANNELS)
    # The notice body as POST /api/v1/notices/ takes it, with sender, landlord, channel and received_date fixed
    # by the receipt (submissions/payload.py): what the landlord sent, validated at receipt.
    payload = models.JSONField(_("underrättelsen"))
    status = models.CharField(_("status"), max_length=10, choices=SubmissionStatus.choices, default=SubmissionStatus.RECEIVED)
    received_at = models.DateTimeField(_("mottagen"), default=timezone.now)
    # SubmissionMissing codes: flagged to staff; the landlord sees "komplettering begärd".
    missing = models.JSONField(_("saknas för återvinningsfristen"), default=list, blank=True)
    # CASCADE: when retention deletes the case, the payload (personal data) goes with it.
    notice = models.OneToOneField(
        Notice, on_delete=models.CASCADE, null=True, blank=True, related_name="submission", verbose_name=_("registrerad underrättelse")
    )
    registered_at = models.DateTimeField(_("registrerad"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("hanterad av")
    )
    rejected_reason = models.CharField(_("skäl för avvisning"), max_length=500, blank=True)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        verbose_name = _("inkommen underrättelse")
        verbose_name_plural = _("inkomna underrättelser")
        ordering = ["received_at", "id"]
        indexes = [models.Index(fields=["organisation", "status", "received_at"], name="submission_queue_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=SubmissionStatus.values), name="submission_status_known"),
            models.CheckConstraint(condition=Q(channel__in=[c for c, _l in SUBMISSION_CHANNELS]), name="submission_channel_portal_or_api"),
            # Registered ⇔ it became a notice, at a known time.
            models.CheckConstraint(
                condition=(Q(status=SubmissionStatus.REGISTERED) & Q(notice__isnull=False) & Q(registered_at__isnull=False))
                | (~Q(status=SubmissionStatus.REGISTERED) & Q(notice__isnull=True)),
                name="submission_registered_iff_notice",
            ),
            # Rejected ⇔ a reason the landlord can read.
            models.CheckConstraint(
                condition=(Q(status=SubmissionStatus.REJECTED) & ~Q(rejected_reason=""))
                | (~Q(status=SubmissionStatus.REJECTED) & Q(rejected_reason="")),
                name="submission_rejected_iff_reason",
            ),
        ]

    def __str__(self):
        return f"{self.reference} ({self.get_status_display()})"

    @property
    def reference(self) -> str:
        """The receipt's id, as the landlord quotes it."""
        return f"U-{self.pk}"

    @property
    def completion_requested(self) -> bool:
        """Komplettering begärd: the recovery period cannot start on what was sent."""
        return self.status == SubmissionStatus.RECEIVED and bool(self.missing)


class LandlordImportPreview(models.Model):
    """A landlord's uploaded list between its preview and the confirmation (submissions/imports.py): the rows as
    judged, each with the body it would be submitted with. Owned by the account that uploaded it and reachable by it
    only; deleted when the rows are sent, when the account uploads another list, and by retention after
    PREVIEW_LIFETIME. Not an import of the staff's (imports.NoticeImport): nothing here is registered."""

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("uppladdad av"))
    landlord = models.ForeignKey(Landlord, on_delete=models.CASCADE, related_name="+", verbose_name=_("hyresvärd"))
    file_name = models.CharField(_("filnamn"), max_length=255)
    file_sha256 = models.CharField(_("filens kontrollsumma (SHA-256)"), max_length=64)
    # [{"row", "status", "reference", "tenant", "pin" (masked), "errors", "note", "key", "body"}] (imports.py).
    rows = models.JSONField(_("rader"), default=list)
    created_at = models.DateTimeField(_("uppladdad"), default=timezone.now)

    class Meta:
        verbose_name = _("förhandsvisning av hyresvärdens lista")
        verbose_name_plural = _("förhandsvisningar av hyresvärdens listor")

    def __str__(self):
        return f"{self.file_name} ({self.created_at:%Y-%m-%d %H:%M})"
