"""The REST API for notices, cases, contacts and tasks (issue 3, "REST API").

Thin views like the browser's: parse with a serializer, authorise through
cases/access.py, call one service, answer with the case. Reads are written to
the audit log (API_READ); the services log every change.

Authentication: a token (``Authorization: Token …``, created with
``manage.py create_api_token <username>``) or the browser session. Token comes
first so that an anonymous caller gets 401 with ``WWW-Authenticate: Token``
rather than 403.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from organisation.models import Role
from organisation.roles import has_role
from organisation.tokens import ApiTokenAuthentication

from .. import explanations, legal_selectors, services
from ..access import case_get_for_user
from ..audit import audit_log
from ..models import Assignment, AuditAction, Case, Deviation, Task, TaskStatus
from ..rules.caseload import LEAD_UNIT, task_completion_right
from ..services import caseload
from .serializers import (
    CaseOutSerializer,
    ContactCreateSerializer,
    NoticeCreatedSerializer,
    NoticeCreateSerializer,
    TaskCompleteSerializer,
)

ERROR_400 = OpenApiResponse(description="Ogiltig indata: fel per fält, nycklade på fältets namn (nästlat som i anropet).")
ERROR_401 = OpenApiResponse(description="Ingen eller ogiltig inloggning/token.")
ERROR_403 = OpenApiResponse(description="Rollen saknar behörighet.")
ERROR_404 = OpenApiResponse(
    description="Finns inte, eller så saknar användaren behörighet (samma svar, för att inte röja att ärendet finns)."
)


class IsTenancyAdvisor(BasePermission):
    """Only hyresrådgivare register notices (as in the browser)."""

    message = _("Endast hyresrådgivare kan registrera underrättelser.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.organisation_id and has_role(user, Role.HYRESRADGIVARE))


class SafeJSONParser(JSONParser):
    """JSON only; a body nested too deeply for Python's parser is a 400 like any other bad JSON, not a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("JSON-data är för djupt nästlad.")) from None


class ApiView(APIView):
    authentication_classes = (ApiTokenAuthentication, SessionAuthentication)
    permission_classes = (IsAuthenticated,)
    parser_classes = (SafeJSONParser,)


def case_for_response(case_id: int) -> Case:
    """The case with what <case> shows, in a fixed number of queries however many tasks it has."""
    case = (
        Case.objects.select_related("lead_unit")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.filter(ended_at__isnull=True).select_related("unit", "user").order_by("created_at", "id"),
                to_attr="active_assignments",
            ),
            Prefetch("tasks", queryset=Task.objects.select_related("unit").order_by("due_date", "id"), to_attr="task_list"),
            Prefetch("deviations", queryset=Deviation.objects.order_by("occurred_on", "id"), to_attr="deviation_list"),
        )
        .get(pk=case_id)
    )
    case.earlier_case_ids = list(legal_selectors.earlier_cases(case).values_list("id", flat=True))
    return _case_worded(case)


def _case_worded(case: Case) -> Case:
    case.recovery_deadline_basis_or_none = case.recovery_deadline_basis or None
    # The units an explanation names are the case's (assigned or with a task): their current names, no query.
    names = {u.code: u.name for u in [case.lead_unit, *(a.unit for a in case.active_assignments), *(t.unit for t in case.task_list)] if u}
    case.explanation_sentences = explanations.sentences(case.explanation, names)
    return case


def case_as_registered(notice) -> Case:
    """The case a notice was just registered on, for the answer: as written (issue 16: not read again, five queries)
    when the notice opened it for a new household, which has no earlier cases and no deviations yet, and no
    assignment names a person (whose user name would be read); else read like a GET (case_for_response)."""
    case = notice.case
    written = getattr(case, "plan_written", None)
    if not getattr(notice, "new_household", False) or written is None:
        return case_for_response(notice.case_id)
    assignments, tasks = written
    if any(a.user_id is not None for a in assignments) or any(t.unit_id is not None and not Task.unit.is_cached(t) for t in tasks):
        return case_for_response(notice.case_id)
    case.active_assignments = sorted(assignments, key=lambda a: (a.created_at, a.pk))
    case.task_list = sorted(tasks, key=lambda t: (t.due_date, t.pk))
    case.deviation_list = []
    case.earlier_case_ids = []
    return _case_worded(case)


def case_response(case_id: int, status_code: int = status.HTTP_200_OK) -> Response:
    return Response(CaseOutSerializer(case_for_response(case_id)).data, status=status_code)


class NoticeCreateView(ApiView):
    permission_classes = (IsTenancyAdvisor,)

    @extend_schema(
        operation_id="notice_create",
        summary="Registrera en underrättelse",
        description=(
            "Registrerar underrättelsen med hushåll och personer, öppnar ett ärende (eller ansluter till hushållets "
            "öppna ärende när en kontraktsinnehavare har samma personnummer) och tillämpar handlingsplanen. "
            "Endast rollen hyresrådgivare. Datum som YYYY-MM-DD; mottagningsdatum får inte ligga i framtiden."
        ),
        request=NoticeCreateSerializer,
        responses={201: NoticeCreatedSerializer, 400: ERROR_400, 401: ERROR_401, 403: ERROR_403},
        tags=["underrättelser"],
    )
    def post(self, request):
        # The organisation's units, read once: for the active units' validation and for the registration (issue 16).
        units = services.units_by_code(request.user.organisation)
        serializer = NoticeCreateSerializer(data=request.data, context={"organisation": request.user.organisation, "units": units})
        serializer.is_valid(raise_exception=True)
        notice = services.notice_register(
            organisation=request.user.organisation,
            user=request.user,
            notice=serializer.notice_data(),
            household=serializer.household_data(),
            request=request,
            units=units,
        )
        case = case_as_registered(notice)
        return Response({"notice_id": notice.pk, "case": CaseOutSerializer(case).data}, status=status.HTTP_201_CREATED)


class CaseDetailView(ApiView):
    @extend_schema(
        operation_id="case_retrieve",
        summary="Hämta ett ärende",
        description="Ansvarig enhet, aktiva tilldelningar, uppgifter och planens förklaring. Läsningen loggas.",
        responses={200: CaseOutSerializer, 401: ERROR_401, 404: ERROR_404},
        tags=["ärenden"],
    )
    def get(self, request, pk: int):
        case = case_get_for_user(request.user, pk, request=request)
        audit_log(user=request.user, action=AuditAction.API_READ, case=case, request=request)
        return case_response(case.pk)


class ContactCreateView(ApiView):
    @extend_schema(
        operation_id="case_contact_create",
        summary="Registrera en kontakt med hushållet",
        description="Planen prövas på nytt: etablerad kontakt avbryter väntande eskaleringar (R2d). Svarar med ärendet.",
        request=ContactCreateSerializer,
        responses={201: CaseOutSerializer, 400: ERROR_400, 401: ERROR_401, 404: ERROR_404},
        tags=["ärenden"],
    )
    def post(self, request, pk: int):
        case = case_get_for_user(request.user, pk, write=True, request=request)
        serializer = ContactCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.contact_register(case=case, user=request.user, request=request, **serializer.validated_data)
        return case_response(case.pk, status.HTTP_201_CREATED)


class TaskCompleteView(ApiView):
    @extend_schema(
        operation_id="task_complete",
        summary="Markera en uppgift som klar",
        description=(
            "Planen prövas på nytt och ärendet returneras. En uppgift som redan är klar ändras inte (200, så att ett "
            "upprepat anrop är ofarligt); en avbruten uppgift ger 409. Bara uppgiftens enhet markerar den som klar, "
            "eller ansvarig enhet med `reason` (loggas); andra enheter får 403."
        ),
        request=TaskCompleteSerializer,
        responses={
            200: CaseOutSerializer, 400: ERROR_400, 401: ERROR_401, 404: ERROR_404,
            403: OpenApiResponse(description="Uppgiften hör till en annan enhet än din (och din enhet är inte ansvarig)."),
            409: OpenApiResponse(description="Uppgiften är avbruten och kan inte markeras som klar."),
        },
        tags=["uppgifter"],
    )
    def post(self, request, pk: int):
        task = Task.objects.filter(pk=pk, case__organisation_id=request.user.organisation_id).first()
        if task is None:
            raise Http404
        case = case_get_for_user(request.user, task.case_id, write=True, request=request)
        serializer = TaskCompleteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if task.status == TaskStatus.CANCELLED:
            return Response({"detail": gettext("Uppgiften är avbruten och kan inte markeras som klar.")}, status=status.HTTP_409_CONFLICT)
        if task.status == TaskStatus.OPEN:
            right = task_completion_right(user_unit_id=request.user.unit_id, task_unit_id=task.unit_id, lead_unit_id=case.lead_unit_id)
            if right is None:
                return Response({"detail": gettext("Uppgiften hör till en annan enhet. Bara den enheten, eller ansvarig enhet, kan "
                                                   "markera den som klar.")}, status=status.HTTP_403_FORBIDDEN)
            if right == LEAD_UNIT and not serializer.validated_data.get("reason"):
                return Response({"reason": [gettext("Uppgiften hör till en annan enhet. Skriv varför din enhet markerar den som klar.")]},
                                status=status.HTTP_400_BAD_REQUEST)
            caseload.task_complete_by_worker(task=task, case=case, user=request.user, note=serializer.validated_data["note"],
                                             reason=serializer.validated_data.get("reason", ""), request=request)
        return case_response(task.case_id)
