"""Notifications (issue 15 §5): in-app (the bell and its page) and e-mail, both without personal data (a case
number at most), with absolute links (SITE_URL). Each user chooses per kind: immediately, a daily digest at 07:00,
or off (NotificationPreference; immediately when nothing is chosen).

- `notify(users=, kind=, text=, url=, dedupe_key=)`: one notification per user (once per dedupe_key), e-mailed after
  the commit to those who want it immediately;
- `notify_tasks_due_tomorrow(today=)`: the open tasks due tomorrow, to their case worker, else their unit's case workers;
- `send_digests()`: one e-mail per digest user with what is not yet e-mailed.
Both are run by `cases.tasks.notifications_morning_task` (beat, 07:00) and are idempotent.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from organisation.models import Role, User

from ..models import Notification, NotificationDelivery, NotificationKind, NotificationPreference, Task, TaskStatus

logger = logging.getLogger(__name__)


def absolute(url: str) -> str:
    return settings.SITE_URL.rstrip("/") + url


def delivery_for(users: Iterable[User], kind: str) -> dict[int, str]:
    ids = [u.pk for u in users]
    chosen = dict(NotificationPreference.objects.filter(user_id__in=ids, kind=kind).values_list("user_id", "delivery"))
    return {pk: chosen.get(pk, NotificationDelivery.IMMEDIATE) for pk in ids}


def notify(*, users: Iterable[User], kind: str, text: str, url: str = "", dedupe_key: str = "") -> list[Notification]:
    users = list({u.pk: u for u in users if u.is_active}.values())
    delivery = delivery_for(users, kind)
    created = []
    for user in users:
        if delivery[user.pk] == NotificationDelivery.OFF:
            continue
        try:
            with transaction.atomic():
                created.append(Notification.objects.create(user=user, kind=kind, text=text[:200], url=url, dedupe_key=dedupe_key))
        except IntegrityError:
            continue  # already told about this cause
    immediate = [n.pk for n in created if delivery[n.user_id] == NotificationDelivery.IMMEDIATE and n.user.email]
    if immediate:
        transaction.on_commit(lambda: send_immediately(notification_ids=immediate))
    return created


def _send(messages: list[tuple[str, str, str, list[str]]]) -> bool:
    from django.core.mail import send_mass_mail

    try:
        send_mass_mail(messages)
    except OSError:
        logger.exception("Could not send %s notification e-mails", len(messages))
        return False
    return True


def send_immediately(*, notification_ids: list[int]) -> int:
    notifications = list(Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True).select_related("user"))
    with translation.override(settings.LANGUAGE_CODE):
        messages = [
            (n.text, _("%(text)s\n%(link)s\n\nMeddelandet innehåller inga personuppgifter.") % {
                "text": n.text, "link": absolute(n.url or reverse("cases:notifications"))},
             settings.DEFAULT_FROM_EMAIL, [n.user.email])
            for n in notifications
        ]
    if messages and _send(messages):
        Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(emailed_at=timezone.now())
    return len(messages)


def send_digests() -> int:
    """One e-mail per user who chose the digest for a kind, with every such notification not yet e-mailed."""
    digest_kinds = defaultdict(set)
    for user_id, kind in NotificationPreference.objects.filter(delivery=NotificationDelivery.DIGEST).values_list("user_id", "kind"):
        digest_kinds[user_id].add(kind)
    pending = defaultdict(list)
    for n in Notification.objects.filter(user_id__in=digest_kinds, emailed_at__isnull=True).select_related("user").order_by("created_at"):
        if n.kind in digest_kinds[n.user_id] and n.user.email:
            pending[n.user_id].append(n)
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        for items in pending.values():
            lines = "\n".join(f"- {n.text}" for n in items)
            body = _("Dina aviseringar:\n%(lines)s\n\nSe dem här:\n%(link)s\n\nMeddelandet innehåller inga personuppgifter.") % {
                "lines": lines, "link": absolute(reverse("cases:notifications"))}
            if _send([(_("Aviseringar från Avhysning"), body, settings.DEFAULT_FROM_EMAIL, [items[0].user.email])]):
                Notification.objects.filter(pk__in=[n.pk for n in items]).update(emailed_at=timezone.now())
                sent += 1
    return sent


def notify_tasks_due_tomorrow(*, today: dt.date) -> int:
    """The open tasks due tomorrow: to the assigned case worker, or else to the case workers (handläggare,
    hyresrådgivare) of the task's unit."""
    tomorrow = today + dt.timedelta(days=1)
    tasks = Task.objects.filter(status=TaskStatus.OPEN, due_date=tomorrow).select_related("case", "assignee")
    unit_staff = defaultdict(list)
    staff = User.objects.filter(is_active=True, groups__name__in=[Role.HANDLAGGARE, Role.HYRESRADGIVARE],
                                unit_id__in=tasks.values("unit_id"))
    for user in staff.distinct():
        unit_staff[user.unit_id].append(user)
    count = 0
    for task in tasks:
        users = [task.assignee] if task.assignee_id else unit_staff[task.unit_id]
        text = _("Uppgift i ärende %(number)s har sista dag i morgon, %(date)s.") % {
            "number": task.case.number, "date": tomorrow.isoformat()}
        count += len(notify(users=users, kind=NotificationKind.TASK_DUE_TOMORROW, text=text,
                            url=reverse("cases:detail", args=[task.case_id]), dedupe_key=f"task-due:{task.pk}:{tomorrow}"))
    return count
