"""Notifications (issue 15 §5): in-app (the bell and its page) and e-mail, both without personal data (a case
number at most), with absolute links (SITE_URL). Each user chooses per kind: immediately, a daily digest at 07:00,
or off (NotificationPreference; immediately when nothing is chosen).

- `notify(users=, kind=, text=, url=, dedupe_key=)`: one notification per user (once per dedupe_key), e-mailed after
  the commit to those who want it immediately;
- `notify_tasks_due_tomorrow(today=)`: the open tasks due tomorrow, to their case worker, else their unit's case workers;
- `notify_work(items, kind=, actor=)`: work for a person or a unit (assigned case or task, a BOSAM activity), in one
  read and one bulk write: to the named person, else the unit's case workers; never to the actor;
- `send_digests()`: one e-mail per digest user with what is not yet e-mailed.
Both are run by `cases.tasks.notifications_morning_task` (beat, 07:00) and are idempotent.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, Subquery
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
        transaction.on_commit(lambda: _email_in_worker("send_notification_emails_task", immediate))
    return created


CASE_WORKER_ROLES = (Role.HANDLAGGARE, Role.HYRESRADGIVARE)


@dataclass(frozen=True)
class Work:
    """One piece of work to tell about: the named person (`user_id`), else the unit's case workers."""

    organisation_id: int
    unit_id: int
    user_id: int | None
    text: str
    url: str
    dedupe_key: str


def _stamp() -> str:
    return timezone.now().strftime("%Y%m%d%H%M%S%f")


def case_work(case, *, unit_id: int, user_id: int | None, cause: str = "") -> Work:
    """A case given to a person or to a unit's queue. `cause` tells one hand-made change from the next."""
    text = _("Ärende %(number)s har tilldelats dig.") if user_id else _("Ärende %(number)s har tilldelats din enhet.")
    return Work(case.organisation_id, unit_id, user_id, text % {"number": case.number}, reverse("cases:detail", args=[case.pk]),
                f"assigned-case:{case.pk}:{unit_id}:{user_id or 'unit'}:{cause or _stamp()}")


def task_work(task, case, *, cause: str = "") -> Work:
    """A task given to its person or its unit's queue."""
    text = _("Ny uppgift i ärende %(number)s: %(kind)s.") % {"number": case.number, "kind": task.get_kind_display()}
    return Work(case.organisation_id, task.unit_id, task.assignee_id, text, reverse("cases:detail", args=[case.pk]),
                f"assigned-task:{task.pk}:{task.assignee_id or 'unit'}:{cause or _stamp()}")


def _people(person_ids: set[int], unit_ids: set[int], kind: str) -> tuple[dict, dict]:
    """In one query: the named people and the units' case workers, each with their choice for `kind`."""
    is_case_worker = Exists(User.groups.through.objects.filter(user_id=OuterRef("pk"), group__name__in=CASE_WORKER_ROLES))
    chosen = NotificationPreference.objects.filter(user_id=OuterRef("pk"), kind=kind).values("delivery")[:1]
    people = (
        User.objects.filter(Q(pk__in=person_ids) | Q(unit_id__in=unit_ids), is_active=True)
        .annotate(case_worker=is_case_worker, delivery=Subquery(chosen))
        .values_list("pk", "organisation_id", "unit_id", "email", "case_worker", "delivery")
    )
    by_pk, by_unit = {}, defaultdict(list)
    for pk, organisation_id, unit_id, email, case_worker, delivery in people:
        by_pk[pk] = (organisation_id, email, delivery or NotificationDelivery.IMMEDIATE)
        if case_worker and unit_id in unit_ids:
            by_unit[unit_id].append(pk)
    return by_pk, by_unit


@dataclass
class NotificationBatch:
    """For a caller that gives out work many times in one transaction (an import's commit, the daily checks): who is
    told is read once per question; with `gather_email`, those who chose e-mail immediately get one e-mail each
    after the commit (`send_after_commit`) instead of one per case: a 1,000-row import is one e-mail, not 1,000."""

    gather_email: bool = False
    people: dict = field(default_factory=dict)
    email_keys: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))

    def people_for(self, person_ids: set[int], unit_ids: set[int], kind: str) -> tuple[dict, dict]:
        asked = (frozenset(person_ids), frozenset(unit_ids), kind)
        if asked not in self.people:
            self.people[asked] = _people(person_ids, unit_ids, kind)
        return self.people[asked]

    def send_after_commit(self) -> None:
        keys = {user_id: sorted(k) for user_id, k in self.email_keys.items()}
        self.email_keys.clear()
        if keys:
            transaction.on_commit(lambda: send_gathered(keys_by_user=keys))


def notify_work(items: Iterable[Work], *, kind: str, actor: User | None = None, batch: NotificationBatch | None = None) -> int:
    """Notifications for work given to a person or a unit, in one read (the people and their choice for `kind`)
    and one bulk insert, however many units and people. Within the work's organisation only; never to the actor.
    `batch`: for a caller that notifies many times in one transaction (see NotificationBatch)."""
    items = list(items)
    if not items:
        return 0
    person_ids, unit_ids = {w.user_id for w in items if w.user_id}, {w.unit_id for w in items if not w.user_id}
    by_pk, by_unit = batch.people_for(person_ids, unit_ids, kind) if batch is not None else _people(person_ids, unit_ids, kind)
    rows, immediate = {}, set()
    for work in items:
        for pk in [work.user_id] if work.user_id else by_unit[work.unit_id]:
            if pk not in by_pk or (actor is not None and pk == actor.pk):
                continue
            organisation_id, email, delivery = by_pk[pk]
            if organisation_id != work.organisation_id or delivery == NotificationDelivery.OFF:
                continue
            rows[(pk, work.dedupe_key)] = Notification(
                user_id=pk, kind=kind, text=work.text[:200], url=work.url, dedupe_key=work.dedupe_key)
            if delivery == NotificationDelivery.IMMEDIATE and email:
                immediate.add(pk)
    if not rows:
        return 0
    Notification.objects.bulk_create(rows.values(), ignore_conflicts=True)  # the same cause told once (dedupe_key)
    _email_after_commit([(pk, key) for pk, key in rows if pk in immediate], batch)
    return len(rows)


def _email_after_commit(chosen: list[tuple[int, str]], batch: NotificationBatch | None) -> None:
    """The e-mails of those who chose them immediately (user, dedupe key): after the commit, or gathered in `batch`."""
    if not chosen:
        return
    if batch is not None and batch.gather_email:
        for pk, key in chosen:
            batch.email_keys[pk].add(key)
        return
    user_ids, keys = sorted({pk for pk, _key in chosen}), sorted({key for _pk, key in chosen})
    transaction.on_commit(lambda: _email_in_worker("send_work_emails_task", user_ids, keys))


def _email_in_worker(task_name: str, *args) -> None:
    """Hand the e-mails to the Celery worker (cases.tasks): SMTP never runs in the request (issue 16). When the
    broker cannot be reached the notifications stay in the app, not e-mailed, and the request still succeeds."""
    from avhysning.celery import queue_without_waiting

    from .. import tasks

    queue_without_waiting(getattr(tasks, task_name), *args)


def send_immediately_for(*, user_ids: list[int], dedupe_keys: list[str]) -> int:
    """The e-mails of the notifications just written for these people and causes (read with their users at once)."""
    return _send_each(Notification.objects.filter(user_id__in=user_ids, dedupe_key__in=dedupe_keys, emailed_at__isnull=True))


GATHERED_LINES = 20  # a gathered e-mail lists this many notifications and says how many more there are


def send_gathered(*, keys_by_user: dict[int, list[str]]) -> int:
    """One e-mail per person for the notifications gathered in one commit (NotificationBatch): the notification's own
    e-mail when there is one, else the list (the first GATHERED_LINES) and a link to the notifications page."""
    sent = 0
    for user_id, keys in keys_by_user.items():
        pending = list(Notification.objects.filter(user_id=user_id, dedupe_key__in=keys, emailed_at__isnull=True)
                       .select_related("user").order_by("pk"))
        if len(pending) == 1:
            sent += send_immediately(notification_ids=[pending[0].pk])
        elif pending and pending[0].user.email:
            sent += _send_list(pending)
    return sent


def _send_list(items: list[Notification]) -> int:
    with translation.override(settings.LANGUAGE_CODE):
        lines = "\n".join(f"- {n.text}" for n in items[:GATHERED_LINES])
        if len(items) > GATHERED_LINES:
            lines += "\n" + _("… och %(count)d till.") % {"count": len(items) - GATHERED_LINES}
        subject = _("%(count)d nya aviseringar från Avhysning") % {"count": len(items)}
        body = _("Dina aviseringar:\n%(lines)s\n\nSe dem här:\n%(link)s\n\nMeddelandet innehåller inga personuppgifter.") % {
            "lines": lines, "link": absolute(reverse("cases:notifications"))}
    if not _send([(subject, body, settings.DEFAULT_FROM_EMAIL, [items[0].user.email])]):
        return 0
    Notification.objects.filter(pk__in=[n.pk for n in items]).update(emailed_at=timezone.now())
    return 1


def _send(messages: list[tuple[str, str, str, list[str]]]) -> bool:
    from django.core.mail import send_mass_mail

    try:
        send_mass_mail(messages)
    except OSError:
        logger.exception("Could not send %s notification e-mails", len(messages))
        return False
    return True


def send_immediately(*, notification_ids: list[int]) -> int:
    return _send_each(Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True))


def _send_each(pending) -> int:
    """One e-mail per notification not yet e-mailed, then marked e-mailed (two statements)."""
    notifications = list(pending.select_related("user"))
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
