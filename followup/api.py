"""/api/v1/deviations/ and /api/v1/statistics/ (issue 13). Thin: validate, authorise through followup.access,
one service or selector. Bad input is a 400 with errors per field, never a 500."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.access import visible_cases
from cases.explanations import organisation_names
from cases.models import DeviationKind, DeviationStatus
from organisation.tokens import ApiTokenAuthentication

from . import access, selectors, services

if TYPE_CHECKING:
    from rest_framework.request import Request


class ApiView(APIView):
    # The project's hashed, scoped tokens (organisation/tokens.py): the default `staff` scope suffices here.
    authentication_classes = (ApiTokenAuthentication, SessionAuthentication)
    permission_classes = (IsAuthenticated,)
    parser_classes = (JSONParser,)


class DeviationQuerySerializer(serializers.Serializer):
    # "from" is a Python keyword: the field is renamed in to_filters.
    date_from = serializers.DateField(required=False)
    to = serializers.DateField(required=False)
    kind = serializers.ChoiceField(choices=DeviationKind.choices, required=False)
    status = serializers.ChoiceField(choices=DeviationStatus.choices, required=False)
    unit = serializers.CharField(required=False, max_length=60)

    def validate(self, attrs):
        if attrs.get("date_from") and attrs.get("to") and attrs["date_from"] > attrs["to"]:
            raise serializers.ValidationError({"to": _("Slutdatumet ligger före startdatumet.")})
        return attrs


class DeviationOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    status = serializers.CharField()
    occurred_on = serializers.DateField()
    automatic = serializers.BooleanField()
    case_number = serializers.SerializerMethodField()
    # True when the case was deleted by retention (gallrat): the number is what is left of it.
    case_deleted = serializers.BooleanField(source="is_severed")
    unit = serializers.SerializerMethodField()
    description = serializers.SerializerMethodField()
    # The comment in the request's language (the application's closing note worded now): still a string.
    status_comment = serializers.CharField(source="shown_status_comment")
    status_changed_at = serializers.DateTimeField(allow_null=True)

    def get_case_number(self, obj) -> str | None:
        return obj.shown_case_number or None

    def get_unit(self, obj) -> str | None:
        unit = obj.shown_unit
        return unit.code if unit is not None else None

    def get_description(self, obj) -> str:
        # The rendered text in the request's language (the field stays a string: the API's contract).
        return selectors.shown_description(obj, case_contents=self.context["case_contents"],
                                           names=self.context.get("names") or organisation_names(obj.organisation_id))


class DeviationCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=DeviationKind.choices, default=DeviationKind.MANUAL)
    case = serializers.CharField(required=False, allow_blank=True, max_length=12, help_text="Ärendenummer, t.ex. 2026-0042.")
    description = serializers.CharField(max_length=4000)
    occurred_on = serializers.DateField(required=False)


class DeviationHandleSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=[c for c in DeviationStatus.choices if c[0] != DeviationStatus.NEW])
    comment = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")


def _validation_response(exc: ValidationError) -> Response:
    return Response(exc.message_dict, status=status.HTTP_400_BAD_REQUEST)


ERRORS = {
    400: OpenApiResponse(description="Ogiltig indata: fel per fält."),
    403: OpenApiResponse(description="Rollen saknar behörighet."),
    404: OpenApiResponse(description="Finns inte, eller så saknar användaren behörighet (samma svar)."),
}
PERIOD = [
    OpenApiParameter("from", OpenApiTypes.DATE, description="Första dagen (ingår)."),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Sista dagen (ingår)."),
]


class DeviationListView(ApiView):
    @extend_schema(
        parameters=[
            *PERIOD,
            OpenApiParameter("kind", OpenApiTypes.STR, enum=DeviationKind.values),
            OpenApiParameter("status", OpenApiTypes.STR, enum=DeviationStatus.values),
            OpenApiParameter("unit", OpenApiTypes.STR, description="Enhetskod (codes.md)."),
        ],
        responses={200: inline_serializer("PaginatedDeviationList", fields={
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": DeviationOutSerializer(many=True),
        }), **ERRORS},
        description="Avvikelseregistret, sidindelat som övriga listor.",
    )
    def get(self, request: Request):
        user = request.user
        if not access.may_open_register(user):
            raise PermissionDenied
        # A plain dict: DRF reads a QueryDict as a form and would take "?to=" as absent instead of invalid.
        params = {("date_from" if key == "from" else key): value for key, value in request.query_params.items()}
        query = DeviationQuerySerializer(data=params)
        if not query.is_valid():
            errors = dict(query.errors)
            if "date_from" in errors:
                errors["from"] = errors.pop("date_from")
            return Response(errors, status=status.HTTP_400_BAD_REQUEST)
        d = query.validated_data
        unit = None
        if d.get("unit"):
            unit = selectors.register_units(user).filter(code=d["unit"]).first()
            if unit is None:
                return Response({"unit": [_("Okänd enhet.")]}, status=status.HTTP_400_BAD_REQUEST)
        rows = selectors.deviation_rows(user, selectors.DeviationFilters(
            date_from=d.get("date_from"), date_to=d.get("to"), kind=d.get("kind", ""), status=d.get("status", ""), unit=unit,
        ))
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        out = DeviationOutSerializer(page, many=True, context={"case_contents": access.sees_case_contents(user),
                                                         "names": organisation_names(user.organisation_id)})
        return paginator.get_paginated_response(out.data)

    @extend_schema(request=DeviationCreateSerializer, responses={201: DeviationOutSerializer, **ERRORS})
    def post(self, request: Request):
        user = request.user
        if not access.may_record(user):
            raise PermissionDenied
        data = DeviationCreateSerializer(data=request.data)
        if not data.is_valid():
            return Response(data.errors, status=status.HTTP_400_BAD_REQUEST)
        d = data.validated_data
        case = None
        if d.get("case"):
            case = visible_cases(user).filter(number=d["case"]).first()
            if case is None:
                return Response({"case": [_("Det finns inget ärende med det numret som du har behörighet till.")]},
                                status=status.HTTP_400_BAD_REQUEST)
        try:
            deviation = services.deviation_register(
                organisation=user.organisation, user=user, kind=d["kind"], case=case, description=d["description"],
                occurred_on=d.get("occurred_on"), request=request,
            )
        except ValidationError as exc:
            return _validation_response(exc)
        deviation = access.deviation_get_for_user(user, deviation.pk)
        return Response(DeviationOutSerializer(deviation, context={"case_contents": True}).data, status=status.HTTP_201_CREATED)


class DeviationHandleView(ApiView):
    @extend_schema(request=DeviationHandleSerializer, responses={200: DeviationOutSerializer, **ERRORS})
    def post(self, request: Request, pk: int):
        user = request.user
        deviation = access.deviation_get_for_user(user, pk, handle=True)
        data = DeviationHandleSerializer(data=request.data)
        if not data.is_valid():
            return Response(data.errors, status=status.HTTP_400_BAD_REQUEST)
        try:
            deviation = services.deviation_handle(
                deviation=deviation, user=user, status=data.validated_data["status"],
                comment=data.validated_data["comment"], request=request,
            )
        except ValidationError as exc:
            return _validation_response(exc)
        deviation = access.deviation_get_for_user(user, pk)
        out = DeviationOutSerializer(deviation, context={"case_contents": access.sees_case_contents(user),
                                                         "names": organisation_names(user.organisation_id)})
        return Response(out.data)


class StatisticsQuerySerializer(serializers.Serializer):
    date_from = serializers.DateField()
    to = serializers.DateField()
    unit = serializers.CharField(required=False, allow_blank=True, max_length=60)
    area = serializers.CharField(required=False, allow_blank=True, max_length=100)
    publish = serializers.BooleanField(required=False, default=False, help_text="Undertryck små tal (för publicering).")

    def validate(self, attrs):
        if attrs["date_from"] > attrs["to"]:
            raise serializers.ValidationError({"to": _("Slutdatumet ligger före startdatumet.")})
        if (attrs["to"] - attrs["date_from"]).days > 366 * 5:
            raise serializers.ValidationError({"to": _("Perioden får vara högst fem år.")})
        return attrs


def parse_statistics_query(params):
    """(validated data, None) or (None, errors keyed as in the query string)."""
    params = {("date_from" if key == "from" else key): value for key, value in params.items()}
    query = StatisticsQuerySerializer(data=params)
    if query.is_valid():
        return query.validated_data, None
    errors = dict(query.errors)
    if "date_from" in errors:
        errors["from"] = errors.pop("date_from")
    return None, errors


class StatisticsView(ApiView):
    @extend_schema(
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, required=True, description="Första dagen (ingår)."),
            OpenApiParameter("to", OpenApiTypes.DATE, required=True, description="Sista dagen (ingår)."),
            OpenApiParameter("unit", OpenApiTypes.STR, description="Enhetskod: ärenden med den ansvariga enheten."),
            OpenApiParameter("area", OpenApiTypes.STR, description="Hushållets område (Household.area); skyddade hushåll ingår inte."),
            OpenApiParameter("publish", OpenApiTypes.BOOL, description="För publicering: små tal blir null."),
        ],
        responses={200: OpenApiResponse(OpenApiTypes.OBJECT, description="Nyckeltalen, se docs/api.md."), **ERRORS},
    )
    def get(self, request: Request):
        from .statistics import compute, suppress

        user = request.user
        if not access.may_see_statistics(user):
            raise PermissionDenied
        d, errors = parse_statistics_query(request.query_params)
        if errors:
            return Response(errors, status=status.HTTP_400_BAD_REQUEST)
        try:
            scope = access.statistics_scope(user, d.get("unit") or "")
        except access.ScopeError:
            return Response({"unit": [_("Okänd enhet, eller en enhet utanför ditt område.")]}, status=status.HTTP_400_BAD_REQUEST)
        if d.get("area"):
            scope = dataclasses.replace(scope, areas=(d["area"],))
        figures = compute(scope, d["date_from"], d["to"])
        if d["publish"] or access.is_city_level(user):
            figures = suppress(figures, settings.STATISTICS_SUPPRESSION_THRESHOLD)
        return Response(figures.data)
