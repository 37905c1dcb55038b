"""Notifications (issue 15 §5): in the app and by e-mail without personal data, per the user's choice per kind
(immediately, daily digest, off); tasks due tomorrow and emergency access to my unit's case; one's own only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from cases.models import Notification, NotificationDelivery, NotificationKind, NotificationPreference, TaskStatus
from cases.services.emergency import emergency_access_grant
from cases.services.notifications import notify, notify_tasks_due_tomorrow, send_digests
from cases.tasks import notifications_morning_task
from organisation.roles import sync_role_permissions
from tests.factories import notice_data, register

pytestmark = pytest.mark.django_db


@pytest.fixture
def family(organisation, personas):
    for name in ("chef", "barn"):
        personas[name].email = f"{name}@example.se"
        personas[name].save()
    return register(organisation, personas["hyresradgivare"], children=("2018-03-01",),
                    notice=notice_data(received="2026-11-20", served="2026-11-19")).case


def test_emergency_access_notifies_the_chef_in_the_app_and_by_mail(celery_worker_inline, family, personas, make_user,
                                                                  django_capture_on_commit_callbacks):
    sync_role_permissions()
    jour = make_user("jour", "socialjour", None)
    with django_capture_on_commit_callbacks(execute=True):
        emergency_access_grant(user=jour, case=family, reason="Akut i natt, polisen ringde.")
    notification = Notification.objects.get(user=personas["chef"])
    assert notification.kind == NotificationKind.EMERGENCY_ACCESS and family.number in notification.text
    assert notification.emailed_at is not None and len(mail.outbox) == 1
    assert "Akut i natt" not in mail.outbox[0].body and family.household.members.first().name not in mail.outbox[0].body


def test_the_request_queues_the_email_and_the_worker_sends_it(family, personas, make_user, django_capture_on_commit_callbacks):
    """Issue 16: SMTP never runs in the request; the e-mail goes to the Celery worker after the commit."""
    from celery.signals import before_task_publish

    from cases.tasks import send_notification_emails_task

    published = []

    def record(sender=None, body=None, **kwargs):
        published.append((sender, list(body[0])))

    sync_role_permissions()
    jour = make_user("jour", "socialjour", None)
    before_task_publish.connect(record)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            emergency_access_grant(user=jour, case=family, reason="Akut i natt, polisen ringde.")
    finally:
        before_task_publish.disconnect(record)
    notification = Notification.objects.get(user=personas["chef"])
    assert mail.outbox == [] and notification.emailed_at is None  # nothing sent in the request
    assert published == [("cases.tasks.send_notification_emails_task", [[notification.pk]])]
    assert send_notification_emails_task.apply(args=published[0][1]).get() == 1  # what the worker runs
    notification.refresh_from_db()
    assert notification.emailed_at is not None and [m.to for m in mail.outbox] == [["chef@example.se"]]
    assert send_notification_emails_task.apply(args=published[0][1]).get() == 0  # run twice: sent once


def test_off_means_nothing_and_digest_means_one_morning_mail(family, personas, django_capture_on_commit_callbacks):
    chef, barn = personas["chef"], personas["barn"]
    NotificationPreference.objects.create(user=chef, kind=NotificationKind.EMERGENCY_ACCESS, delivery=NotificationDelivery.OFF)
    NotificationPreference.objects.create(user=barn, kind=NotificationKind.EMERGENCY_ACCESS, delivery=NotificationDelivery.DIGEST)
    with django_capture_on_commit_callbacks(execute=True):
        notify(users=[chef, barn], kind=NotificationKind.EMERGENCY_ACCESS, text="Nödåtkomst till ärende 2026-0001.", url="/x/")
        notify(users=[barn], kind=NotificationKind.EMERGENCY_ACCESS, text="Nödåtkomst till ärende 2026-0002.", url="/y/")
    assert not Notification.objects.filter(user=chef).exists()
    assert Notification.objects.filter(user=barn, kind=NotificationKind.EMERGENCY_ACCESS).count() == 2 and not mail.outbox
    assert send_digests() == 1
    assert mail.outbox[0].to == ["barn@example.se"]
    assert "2026-0001" in mail.outbox[0].body and "2026-0002" in mail.outbox[0].body
    assert "http://" in mail.outbox[0].body
    assert send_digests() == 0  # nothing twice


def test_tasks_due_tomorrow_notify_the_unit_once(family, personas):
    task = family.tasks.filter(status=TaskStatus.OPEN).order_by("due_date").first()
    case_workers = ("handlaggare", "hyresradgivare")
    staff = next(p for p in personas.values() if p.unit_id == task.unit_id and p.groups.filter(name__in=case_workers).exists())
    family.tasks.exclude(pk=task.pk).update(due_date=task.due_date + dt.timedelta(days=30))
    today = task.due_date - dt.timedelta(days=1)
    assert notify_tasks_due_tomorrow(today=today) >= 1
    mine = Notification.objects.filter(user=staff, kind=NotificationKind.TASK_DUE_TOMORROW)
    assert mine.count() >= 1 and family.number in mine.first().text
    before = Notification.objects.count()
    result = notifications_morning_task(today.isoformat())
    assert result["due_tomorrow"] == 0 and Notification.objects.count() == before
    assert not Notification.objects.filter(user=personas["vuxna"]).exists()


def test_the_page_lists_only_my_own_and_marks_read(client, personas):
    chef, barn = personas["chef"], personas["barn"]
    mine = Notification.objects.create(user=chef, kind=NotificationKind.ASSIGNED, text="Ärende 2026-0042 till din enhet.",
                                       url="/arenden/")
    theirs = Notification.objects.create(user=barn, kind=NotificationKind.ASSIGNED, text="Ärende 2026-0099 till din enhet.")
    client.force_login(chef)
    html = client.get(reverse("cases:notifications")).content.decode()
    assert "2026-0042" in html and "2026-0099" not in html
    assert client.get(reverse("cases:notification_count")).json() == {"unread": 1}
    # Someone else's notification cannot be marked read.
    client.post(reverse("cases:notification_mark_read"), {"id": theirs.pk})
    theirs.refresh_from_db()
    assert theirs.read_at is None
    response = client.post(reverse("cases:notification_mark_read"), {"id": mine.pk, "open": "1"})
    assert response.status_code == 302 and response["Location"] == "/arenden/"
    assert client.get(reverse("cases:notification_count")).json() == {"unread": 0}


def test_choices_are_saved_and_bad_input_is_refused(client, personas):
    client.force_login(personas["barn"])
    data = {kind.value: NotificationDelivery.DIGEST for kind in NotificationKind}
    assert client.post(reverse("cases:notification_preferences"), data).status_code == 302
    assert set(NotificationPreference.objects.filter(user=personas["barn"]).values_list("delivery", flat=True)) == {"DIGEST"}
    assert NotificationPreference.objects.filter(user=personas["barn"]).count() == len(NotificationKind)
    response = client.post(reverse("cases:notification_preferences"), {**data, "TASK_DUE_TOMORROW": "LOUD"})
    assert response.status_code == 400
    assert NotificationPreference.objects.get(user=personas["barn"], kind="TASK_DUE_TOMORROW").delivery == "DIGEST"
