"""Notifications for work (issue 15 §5): a case or task assigned to me or my unit (by the plan, by hand, by the
head of unit), an activity decided for my unit at BOSAM, a report ready for the steering group. The right people
only (the named person, else the unit's case workers; never the actor; never another organisation), and no
personal data in the e-mail (a case number at most)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bosam import services as bosam_services
from cases.models import Notification, NotificationDelivery, NotificationKind, NotificationPreference, TaskKind
from cases.services import caseload, task_create
from cases.services.notifications import Work, notify_work
from followup import services as followup_services
from tests.factories import register
from tests.test_bosam_scenario import D, build_scenario

pytestmark = pytest.mark.django_db


def _with_mail(personas, *names):
    for name in names:
        personas[name].email = f"{name}@example.se"
        personas[name].save()


def _assert_no_personal_data(case, messages):
    members = list(case.household.members.values_list("name", "personal_identity_number"))
    assert members
    for message in messages:
        for name, pin in members:
            for part in name.split():
                assert part not in message.subject and part not in message.body
            if pin:
                assert pin not in message.subject and pin not in message.body
                assert pin.replace("-", "")[-4:] not in message.body


def _told(user, kind=NotificationKind.ASSIGNED):
    return list(Notification.objects.filter(user=user, kind=kind).values_list("text", flat=True))


def test_the_plan_tells_the_units_case_workers_once_by_mail_without_personal_data(celery_worker_inline, organisation, personas, make_user,
                                                                                 other_organisation, django_capture_on_commit_callbacks):
    _with_mail(personas, "barn", "chef")
    outsider = make_user("skarholmen-barn", "handlaggare", "MOTTAGNING_BARN_UNGA", org=other_organisation, email="x@example.se")
    with django_capture_on_commit_callbacks(execute=True):
        case = register(organisation, personas["hyresradgivare"], children=("2018-03-01",)).case
    assert case.assignments.filter(unit=personas["barn"].unit, ended_at__isnull=True).exists()
    assert _told(personas["barn"]) == [f"Ärende {case.number} har tilldelats din enhet."]  # the case and its tasks: once
    assert _told(personas["chef"]) == [] and _told(outsider) == []  # a head of unit is no case worker; another organisation
    to_barn = [m for m in mail.outbox if m.to == ["barn@example.se"]]
    assert len(to_barn) == 1 and case.number in to_barn[0].subject and "http://" in to_barn[0].body
    assert not [m for m in mail.outbox if m.to in (["chef@example.se"], ["x@example.se"])]
    _assert_no_personal_data(case, mail.outbox)


def test_a_task_by_hand_goes_to_the_unit_not_the_actor_and_to_the_named_person(organisation, personas, make_user):
    case = register(organisation, personas["hyresradgivare"], children=("2018-03-01",)).case
    Notification.objects.all().delete()
    barn, vuxna = personas["barn"], personas["vuxna"]
    colleague = make_user("barn2", "handlaggare", "MOTTAGNING_BARN_UNGA")
    task_create(case=case, user=barn, kind=TaskKind.MANUAL, unit=barn.unit, due_date=D("2026-12-20"), title="Ring hyresvärden")
    assert _told(barn) == [] and len(_told(colleague)) == 1 and _told(vuxna) == []
    assert case.number in _told(colleague)[0] and "Ring hyresvärden" not in _told(colleague)[0]
    task_create(case=case, user=vuxna, kind=TaskKind.MANUAL, unit=barn.unit, due_date=D("2026-12-20"), assignee=barn)
    assert len(_told(barn)) == 1 and len(_told(colleague)) == 1  # named: that person only


def test_the_head_of_unit_naming_a_person_tells_them_and_taking_it_oneself_tells_nobody(organisation, personas, make_user):
    case = register(organisation, personas["hyresradgivare"], children=("2018-03-01",)).case
    Notification.objects.all().delete()
    barn, chef = personas["barn"], personas["chef"]
    colleague = make_user("barn2", "handlaggare", "MOTTAGNING_BARN_UNGA")
    caseload.case_worker_set(case=case, unit=barn.unit, worker=barn, user=chef)
    assert _told(barn) == [f"Ärende {case.number} har tilldelats dig."] and _told(colleague) == [] and _told(chef) == []
    caseload.case_worker_set(case=case, unit=barn.unit, worker=None, user=chef)  # back to the unit's queue
    assert len(_told(barn)) == 2 and _told(colleague) == [f"Ärende {case.number} har tilldelats din enhet."]
    caseload.case_worker_set(case=case, unit=barn.unit, worker=colleague, user=colleague)  # "Ta ärendet"
    assert len(_told(colleague)) == 1 and len(_told(barn)) == 2
    caseload.caseload_move(person=colleague, to_person=barn, user=chef, reason="Semester")
    assert len(_told(barn)) == 3 and len(_told(colleague)) == 1


def test_the_choice_per_kind_is_kept(organisation, personas, django_capture_on_commit_callbacks):
    _with_mail(personas, "barn")
    NotificationPreference.objects.create(user=personas["barn"], kind=NotificationKind.ASSIGNED, delivery=NotificationDelivery.OFF)
    with django_capture_on_commit_callbacks(execute=True):
        register(organisation, personas["hyresradgivare"], children=("2018-03-01",))
    assert _told(personas["barn"]) == [] and not [m for m in mail.outbox if m.to == ["barn@example.se"]]
    NotificationPreference.objects.filter(user=personas["barn"]).update(delivery=NotificationDelivery.DIGEST)
    with django_capture_on_commit_callbacks(execute=True):
        register(organisation, personas["hyresradgivare"], children=("2019-03-01",), serial=402, street="Sockenvägen 40")
    assert len(_told(personas["barn"])) == 1  # in the app now, by e-mail in the morning
    assert not [m for m in mail.outbox if m.to == ["barn@example.se"]]


def test_work_for_many_units_and_people_takes_two_queries_and_stays_in_its_organisation(organisation, personas, make_user,
                                                                                     other_organisation):
    outsider = make_user("skarholmen-barn", "handlaggare", "MOTTAGNING_BARN_UNGA", org=other_organisation)
    units = list(organisation.units.all())
    items = [Work(organisation.pk, unit.pk, None, "Ärende 2026-0001 har tilldelats din enhet.", "/x/", f"t:{unit.pk}") for unit in units]
    items.append(Work(organisation.pk, units[0].pk, outsider.pk, "Ärende 2026-0001 har tilldelats dig.", "/x/", "t:outsider"))
    with CaptureQueriesContext(connection) as captured:
        told = notify_work(items, kind=NotificationKind.ASSIGNED)
    assert len(captured) == 2, [q["sql"][:100] for q in captured.captured_queries]
    case_workers = ("barn", "vuxna", "aldre", "ekbistand", "hyresradgivare")
    assert told == len(case_workers) and {n.user.username for n in Notification.objects.all()} == set(case_workers)
    assert notify_work(items, kind=NotificationKind.ASSIGNED) == told and Notification.objects.count() == told  # once per cause


def test_an_activity_decided_at_bosam_tells_that_units_case_workers(celery_worker_inline, organisation, personas,
                                                                   django_capture_on_commit_callbacks):
    scenario = build_scenario(organisation, personas)
    _with_mail(personas, "barn", "ordforande")
    chair, case = personas["ordforande"], scenario.cases["A"]
    item = scenario.meeting.items.get(case=case)
    with django_capture_on_commit_callbacks(execute=True):
        bosam_services.activity_create(item=item, user=chair, what="Hembesök med familjen", unit=personas["barn"].unit,
                                       due_date=D("2026-12-08"))
    told = _told(personas["barn"], NotificationKind.BOSAM_ACTIVITY)
    assert told == [f"BOSAM {scenario.meeting.date.isoformat()} beslutade en aktivitet för din enhet i ärende {case.number}."]
    assert _told(chair, NotificationKind.BOSAM_ACTIVITY) == [] and _told(personas["vuxna"], NotificationKind.BOSAM_ACTIVITY) == []
    messages = [m for m in mail.outbox if m.to == ["barn@example.se"] and "BOSAM" in m.subject]
    assert len(messages) == 1 and "Hembesök" not in messages[0].body
    _assert_no_personal_data(case, messages)


def test_a_report_ready_tells_the_steering_group_of_its_organisation(organisation, other_organisation, personas, make_user):
    from followup.models import PeriodKind

    outsider = make_user("skarholmen-styr", "styrgrupp", None, org=other_organisation)
    report = followup_services.report_prepare(organisation=organisation, kind=PeriodKind.MONTH, period_start=D("2026-11-01"),
                                              period_end=D("2026-11-30"))
    assert followup_services.report_notify_members(report_id=report.pk) == 1
    assert _told(personas["styrgrupp"], NotificationKind.REPORT_READY) == ["Styrgruppens periodrapport 2026-11-01 – 2026-11-30 är klar."]
    assert Notification.objects.get(user=personas["styrgrupp"]).url == reverse("followup:report", args=[report.pk])
    assert _told(outsider, NotificationKind.REPORT_READY) == [] and _told(personas["chef"], NotificationKind.REPORT_READY) == []
    assert followup_services.report_notify_members(report_id=report.pk) == 0


def test_every_kind_is_offered_with_the_three_choices(client, personas):
    client.force_login(personas["barn"])
    content = client.get(reverse("cases:notifications")).content.decode()
    for kind in NotificationKind:
        assert str(kind.label) in content
        for delivery in NotificationDelivery:
            assert f'name="{kind.value}" value="{delivery.value}"' in content
