"""/api/v1/submissions/: the landlord's channel for integrations (issue 14 §2).

- A token with the scope ``notices:submit`` of a hyresvard account (bound to its landlord) POSTs the notice body of
  POST /api/v1/notices/ and lists its own submissions (status only). Nothing else of the API answers it.
- A hyresrådgivare (session or ``staff`` token) lists the organisation's queue and registers one.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle

from cases.api.serializers import CaseOutSerializer, NoticeCreateSerializer
from cases.api.views import ERROR_400, ERROR_401, ERROR_403, ERROR_404, ApiView, case_for_response
from cases.models import NoticeChannel
from organisation.models import ApiScope, ApiToken

from . import access, selectors, services
from .models import SubmissionStatus


class SubmissionThrottle(SimpleRateThrottle):
    """Per token (or per signed-in user): SUBMISSIONS_API_RATE, e.g. 60/min, read when the request comes."""

    scope = "submissions"

    def get_rate(self):
        return settings.SUBMISSIONS_API_RATE

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


def _scopes(request) -> set[str]:
    # A session is the browser: the user's roles decide, as with a staff token.
    return set(request.auth.scopes) if isinstance(request.auth, ApiToken) else {ApiScope.STAFF.value}


class SubmissionReceiptSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=SubmissionStatus.choices)
    received_at = serializers.DateTimeField()


class LandlordSubmissionSerializer(SubmissionReceiptSerializer):
    completion_requested = serializers.BooleanField(help_text="Komplettering begärd: belopp för återvinning eller delgivningsdatum saknas.")
    rejected_reason = serializers.CharField()


class QueueSubmissionSerializer(LandlordSubmissionSerializer):
    channel = serializers.CharField()
    landlord = serializers.SerializerMethodField()
    missing = serializers.ListField(child=serializers.CharField())
    notice_type = serializers.SerializerMethodField()
    case = serializers.SerializerMethodField()

    def get_landlord(self, obj) -> dict:
        return {"name": obj.landlord.name, "org_number": obj.landlord.org_number}

    def get_notice_type(self, obj) -> str:
        return (obj.payload or {}).get("notice_type", "")

    def get_case(self, obj) -> int | None:
        return obj.notice.case_id if obj.notice_id else None


def _landlord_or_403(request):
    try:
        return access.landlord_for_user(request.user)
    except DjangoPermissionDenied as exc:
        raise PermissionDenied(str(exc)) from None


class SubmissionListCreateView(ApiView):
    api_token_scopes = (ApiScope.NOTICES_SUBMIT, ApiScope.STAFF)
    throttle_classes = (SubmissionThrottle,)

    @extend_schema(
        operation_id="submission_list",
        summary="Lista inkomna underrättelser",
        description=(
            "Med en token `notices:submit` (hyresvärdens konto): hyresvärdens egna underrättelser, bara status. "
            "För en hyresrådgivare (session eller token `staff`): organisationens kö (status RECEIVED), eller alla med "
            "`?status=ALL`, `REGISTERED`, `REJECTED`."
        ),
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=[*SubmissionStatus.values, "ALL"],
                             description="Bara för hyresrådgivare; standard RECEIVED (kön)."),
        ],
        # Paginated like every list (PageNumberPagination); the items are the queue's (a landlord's hold fewer fields).
        responses={200: inline_serializer("PaginatedSubmissionList", fields={
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": QueueSubmissionSerializer(many=True),
        }), 400: ERROR_400, 401: ERROR_401, 403: ERROR_403},
        tags=["hyresvärdens kanal"],
    )
    def get(self, request):
        scopes = _scopes(request)
        if access.is_landlord_account(request.user):
            landlord = _landlord_or_403(request)
            if ApiScope.NOTICES_SUBMIT not in scopes and isinstance(request.auth, ApiToken):
                raise PermissionDenied(gettext("Token saknar behörighet för detta anrop."))
            rows = selectors.landlord_submissions(landlord_id=landlord.pk)
            return self._page(request, rows, LandlordSubmissionSerializer)
        if ApiScope.STAFF not in scopes or not access.is_queue_user(request.user):
            raise PermissionDenied(gettext("Endast hyresvärdens konto eller hyresrådgivare ser inkomna underrättelser."))
        wanted = request.query_params.get("status", SubmissionStatus.RECEIVED)
        if wanted not in [*SubmissionStatus.values, "ALL"]:
            return Response({"status": [gettext("Okänd status.")]}, status=status.HTTP_400_BAD_REQUEST)
        rows = selectors.organisation_submissions(organisation_id=request.user.organisation_id, status=None if wanted == "ALL" else wanted)
        return self._page(request, rows, QueueSubmissionSerializer)

    def _page(self, request, rows, serializer_class):
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(serializer_class(page, many=True).data)

    @extend_schema(
        operation_id="submission_create",
        summary="Lämna en underrättelse (hyresvärd)",
        description=(
            "Samma kropp som POST /api/v1/notices/. Avsändaren är alltid token-innehavarens hyresvärd, vad kroppen än "
            "säger (bara `landlord.reference` behålls); kanalen är API; mottagningsdatum är dagen den togs emot; "
            "`active_units` och Kronofogdens fält ignoreras. Ger ett kvitto. Begränsas per token (SUBMISSIONS_API_RATE)."
        ),
        request=NoticeCreateSerializer,
        responses={201: SubmissionReceiptSerializer, 400: ERROR_400, 401: ERROR_401, 403: ERROR_403,
                   429: OpenApiResponse(description="För många anrop: vänta det antal sekunder som Retry-After anger.")},
        tags=["hyresvärdens kanal"],
    )
    def post(self, request):
        _landlord_or_403(request)
        if ApiScope.NOTICES_SUBMIT not in _scopes(request) and isinstance(request.auth, ApiToken):
            raise PermissionDenied(gettext("Token saknar behörighet för detta anrop."))
        submission = services.submission_receive(user=request.user, channel=NoticeChannel.API, body=request.data, request=request)
        return Response(SubmissionReceiptSerializer(submission).data, status=status.HTTP_201_CREATED)


class SubmissionRegisterView(ApiView):
    @extend_schema(
        operation_id="submission_register",
        summary="Registrera en inkommen underrättelse",
        description=(
            "Hyresrådgivare: registrerar underrättelsen genom samma tjänst som formuläret (ärende, handlingsplanen, "
            "uppgifter, brev). 400 med det som saknas (fel per fält, och `missing` för belopp för återvinning eller "
            "delgivningsdatum); `{\"allow_missing\": true}` registrerar ändå när bara `missing` återstår (ärendet "
            "flaggas). 409 när den redan är registrerad eller avvisad."
        ),
        request=None,
        responses={201: OpenApiResponse(description='{"case": <case>}'), 400: ERROR_400, 401: ERROR_401, 403: ERROR_403,
                   404: ERROR_404, 409: OpenApiResponse(description="Redan registrerad eller avvisad.")},
        tags=["hyresvärdens kanal"],
    )
    def post(self, request, pk: int):
        try:
            submission = access.submission_get_for_staff(request.user, pk)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None
        allow_missing = isinstance(request.data, dict) and request.data.get("allow_missing") is True
        try:
            notice = services.submission_register(submission=submission, user=request.user, request=request, allow_missing=allow_missing)
        except services.SubmissionIncomplete as exc:
            return Response(exc.errors, status=status.HTTP_400_BAD_REQUEST)
        except services.SubmissionNotOpen as exc:
            return Response({"status": exc.submission.status, "detail": gettext("Underrättelsen är redan hanterad.")},
                            status=status.HTTP_409_CONFLICT)
        return Response({"case": CaseOutSerializer(case_for_response(notice.case_id)).data}, status=status.HTTP_201_CREATED)
