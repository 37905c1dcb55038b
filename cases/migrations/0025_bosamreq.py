"""A unit's BOSAM request has a lifecycle and a coded reason (issue 12 §5).

Existing requests had free text as their reason: it becomes `details` (shown only on the case page) and the
reason becomes OTHER. A request whose case was discussed at a BOSAM meeting locked after it was made is marked
handled by that meeting (read with SQL from bosam's tables when they are there: cases does not depend on bosam).
Several open requests of one unit on one case become one (the latest, with the earlier texts folded in)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

HANDLED_SQL = """
SELECT m.id, m.date, m.closed_at FROM bosam_agendaitem i JOIN bosam_meeting m ON m.id = i.meeting_id
WHERE i.case_id = %s AND i.discussed AND i.removed_at IS NULL AND m.status = 'CLOSED' AND m.closed_at >= %s
ORDER BY m.closed_at LIMIT 1
"""


def _handled_by_meeting(connection, request):
    if "bosam_agendaitem" not in connection.introspection.table_names():
        return None
    with connection.cursor() as cursor:
        cursor.execute(HANDLED_SQL, [request.case_id, request.requested_at])
        return cursor.fetchone()


def forwards(apps, schema_editor):
    BosamRequest = apps.get_model("cases", "BosamRequest")
    connection = schema_editor.connection
    kept = {}
    for request in BosamRequest.objects.order_by("requested_at", "id"):
        found = _handled_by_meeting(connection, request)
        if found is not None:
            meeting_id, meeting_date, closed_at = found
            BosamRequest.objects.filter(pk=request.pk).update(
                status="HANDLED", handled_at=closed_at, handled_meeting_id=meeting_id, handled_meeting_date=meeting_date,
            )
            continue
        key = (request.case_id, request.unit_id)
        earlier = kept.get(key)
        if earlier is not None:  # the unit asked again: one open request, the texts of both
            details = f"{earlier.details} / {request.details}"[:300]
            BosamRequest.objects.filter(pk=request.pk).update(details=details, requested_at=earlier.requested_at)
            BosamRequest.objects.filter(pk=earlier.pk).delete()
            request.details, request.requested_at = details, earlier.requested_at
        kept[key] = request


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0024_landlord'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(model_name='bosamrequest', name='bosam_request_has_reason'),
        migrations.RenameField(model_name='bosamrequest', old_name='reason', new_name='details'),
        migrations.AlterField(
            model_name='bosamrequest', name='details',
            field=models.CharField(blank=True, max_length=300, verbose_name='beskrivning'),
        ),
        migrations.AddField(
            model_name='bosamrequest', name='reason',
            field=models.CharField(choices=[('NEEDS_OTHER_UNIT_DECISION', 'Behöver beslut eller insats från en annan enhet'), ('EVICTION_DATE_NEAR', 'Avhysningen är nära'), ('CHILDREN_WITHOUT_CONTACT', 'Barnfamilj som vi inte får kontakt med'), ('OTHER', 'Annat')], default='OTHER', max_length=40, verbose_name='anledning'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='bosamrequest', name='status',
            field=models.CharField(choices=[('OPEN', 'Öppen'), ('HANDLED', 'Behandlad på BOSAM'), ('WITHDRAWN', 'Återkallad')], default='OPEN', max_length=10, verbose_name='status'),
        ),
        migrations.AddField(
            model_name='bosamrequest', name='handled_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='behandlad'),
        ),
        migrations.AddField(
            model_name='bosamrequest', name='handled_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='behandlad av'),
        ),
        migrations.AddField(
            model_name='bosamrequest', name='handled_meeting_id',
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name='behandlad på mötet'),
        ),
        migrations.AddField(
            model_name='bosamrequest', name='handled_meeting_date',
            field=models.DateField(blank=True, null=True, verbose_name='mötets datum'),
        ),
        migrations.AddField(
            model_name='bosamrequest', name='withdrawn_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='återkallad'),
        ),
        migrations.AddField(
            model_name='bosamrequest', name='withdrawn_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='återkallad av'),
        ),
        # Data first (no foreign key column is written, so PostgreSQL has no pending trigger events), constraints after.
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name='bosamrequest', index=models.Index(fields=['status', 'case'], name='cases_bosam_status_0a540f_idx'),
        ),
        migrations.AddConstraint(
            model_name='bosamrequest',
            constraint=models.UniqueConstraint(condition=models.Q(('status', 'OPEN')), fields=('case', 'unit'), name='bosam_request_one_open_per_case_unit'),
        ),
        migrations.AddConstraint(
            model_name='bosamrequest',
            constraint=models.CheckConstraint(condition=models.Q(('reason__in', ['NEEDS_OTHER_UNIT_DECISION', 'EVICTION_DATE_NEAR', 'CHILDREN_WITHOUT_CONTACT', 'OTHER'])), name='bosam_request_reason_is_a_code'),
        ),
        migrations.AddConstraint(
            model_name='bosamrequest',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('reason', 'OTHER'), _negated=True), models.Q(('details', ''), _negated=True), _connector='OR'), name='bosam_request_other_is_described'),
        ),
        migrations.AddConstraint(
            model_name='bosamrequest',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('handled_at__isnull', True), ('handled_meeting_date__isnull', True), ('status', 'OPEN'), ('withdrawn_at__isnull', True)), models.Q(('handled_at__isnull', False), ('handled_meeting_date__isnull', False), ('status', 'HANDLED'), ('withdrawn_at__isnull', True)), models.Q(('handled_at__isnull', True), ('handled_meeting_date__isnull', True), ('status', 'WITHDRAWN'), ('withdrawn_at__isnull', False)), _connector='OR'), name='bosam_request_status_matches_dates'),
        ),
    ]
