"""The imports API (issue 14 §1): the same steps as the pages, for integrations and tests.

POST /api/v1/imports/ (multipart: file, optional mapping JSON {heading: field}, optional landlord id)
  → 201 {"id", "status": "PREVIEW", "rows": [{"row", "outcome", "case_number", "errors"}]}
POST /api/v1/imports/{id}/commit/ {"rows": "ALL"|"VALID"} → 202 {"status": "RUNNING"}
GET  /api/v1/imports/{id}/ → {"status", "progress": {"done", "total"}, "created_cases", "joined_cases"}
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from cases.api.views import ERROR_400, ERROR_401, ERROR_403, ERROR_404, ApiView, IsTenancyAdvisor
from cases.models import Landlord

from . import selectors, services
from .models import CommitChoice, ImportStatus, NoticeImport
from .reader import MAX_FILE_BYTES, ImportFileError, MappingError

if TYPE_CHECKING:
    from rest_framework.request import Request


class ImportCreateSerializer(serializers.Serializer):
    file = serializers.FileField(error_messages={"required": _("Bifoga filen i fältet file."), "empty": _("Filen är tom.")})
    mapping = serializers.CharField(required=False, allow_blank=True,
                                    help_text="JSON: {kolumnrubrik i filen: fält}, t.ex. {\"Pnr\": \"tenant_pin\"}.")
    landlord = serializers.IntegerField(required=False, help_text="Hyresvärdens id: förval för kolumner och hyresvärd för rader utan.")

    def validate_file(self, value):
        if value.size > MAX_FILE_BYTES:
            raise serializers.ValidationError(_("Filen är för stor: högst 10 MB."))
        return value

    def validate_mapping(self, value):
        if not value:
            return None
        try:
            mapping = json.loads(value)
        except ValueError as exc:
            raise serializers.ValidationError(_("Mappningen måste vara JSON.")) from exc
        if not isinstance(mapping, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()):
            raise serializers.ValidationError(_("Mappningen ska vara ett objekt {kolumnrubrik: fält}."))
        return mapping

    def validate_landlord(self, value):
        landlord = Landlord.objects.filter(pk=value, organisation=self.context["organisation"]).first()
        if landlord is None:
            raise serializers.ValidationError(_("Hyresvärden finns inte."))
        return landlord

class CommitSerializer(serializers.Serializer):
    rows = serializers.ChoiceField(
        choices=CommitChoice.choices,
        error_messages={"invalid_choice": _("Ange \"ALL\" eller \"VALID\"."), "required": _("Ange \"ALL\" eller \"VALID\".")},
    )

ROW_OUT = inline_serializer("ImportRowOut", {
    "row": serializers.IntegerField(), "outcome": serializers.CharField(), "case_number": serializers.CharField(allow_null=True),
    "errors": serializers.DictField(child=serializers.ListField(child=serializers.CharField())),
})
CREATED_OUT = inline_serializer("ImportCreated", {"id": serializers.IntegerField(), "status": serializers.CharField(),
                                                  "rows": ROW_OUT.__class__(many=True)})
STATUS_OUT = inline_serializer("ImportStatusOut", {
    "status": serializers.CharField(),
    "progress": inline_serializer("ImportProgress", {"done": serializers.IntegerField(), "total": serializers.IntegerField()}),
    "created_cases": serializers.IntegerField(), "joined_cases": serializers.IntegerField(),
})

def _import_for(request: Request, pk: int) -> NoticeImport:
    """The organisation's import or 404 (for every role, as for a case), then the role (403)."""
    notice_import = selectors.import_get(request.user.organisation, pk) if request.user.organisation_id else None
    if notice_import is None:
        raise Http404
    if not IsTenancyAdvisor().has_permission(request, None):
        raise PermissionDenied(IsTenancyAdvisor.message)
    return notice_import

class ImportCreateView(ApiView):
    permission_classes = (IsTenancyAdvisor,)
    parser_classes = (MultiPartParser, FormParser)

    @extend_schema(
        operation_id="import_create", summary="Ladda upp en lista och förhandsgranska den",
        description=("Varje rad kontrolleras som registreringsformuläret gör. Ingenting registreras. Kolumnerna känns igen "
                     "från vanliga rubriker, eller anges i mapping."),
        request={"multipart/form-data": ImportCreateSerializer},
        responses={201: CREATED_OUT, 400: ERROR_400, 401: ERROR_401, 403: ERROR_403},
        tags=["import"],
    )
    def post(self, request: Request):
        serializer = ImportCreateSerializer(data=request.data, context={"organisation": request.user.organisation})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            notice_import = services.import_create(
                organisation=request.user.organisation, user=request.user, upload=data["file"], landlord=data.get("landlord"),
                mapping_by_heading=data.get("mapping"), request=request,
            )
        except ImportFileError as exc:
            return Response({"mapping" if isinstance(exc, MappingError) else "file": [str(exc)]}, status=status.HTTP_400_BAD_REQUEST)
        rows = [
            {"row": r.row_number, "outcome": r.outcome, "case_number": r.case_number or None, "errors": r.errors or {}}
            for r in notice_import.rows.order_by("row_number").iterator(chunk_size=1000)
        ]
        return Response({"id": notice_import.pk, "status": notice_import.status, "rows": rows}, status=status.HTTP_201_CREATED)

class ImportCommitView(ApiView):

    @extend_schema(
        operation_id="import_commit", summary="Genomför importen",
        description="ALL kräver att varje rad är giltig; VALID importerar de giltiga och lämnar resten. Allt eller inget.",
        request=CommitSerializer,
        responses={202: inline_serializer("ImportRunning", {"status": serializers.CharField()}), 400: ERROR_400, 401: ERROR_401,
                   404: ERROR_404},
        tags=["import"],
    )
    def post(self, request: Request, pk: int):
        notice_import = _import_for(request, pk)
        serializer = CommitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            notice_import = services.import_commit_start(notice_import=notice_import, user=request.user,
                                                         rows=serializer.validated_data["rows"], request=request)
        except services.ImportStateError as exc:
            return Response({"rows": [str(exc)]}, status=status.HTTP_400_BAD_REQUEST)
        return Response({"status": ImportStatus.RUNNING}, status=status.HTTP_202_ACCEPTED)

class ImportDetailView(ApiView):

    @extend_schema(operation_id="import_retrieve", summary="Importens status och framsteg",
                   responses={200: STATUS_OUT, 401: ERROR_401, 404: ERROR_404}, tags=["import"])
    def get(self, request: Request, pk: int):
        notice_import = _import_for(request, pk)
        return Response({
            "status": notice_import.status if notice_import.status != ImportStatus.UPLOADED else ImportStatus.PREVIEW,
            "progress": selectors.import_progress(notice_import),
            "created_cases": notice_import.created_cases,
            "joined_cases": notice_import.joined_cases,
        })

