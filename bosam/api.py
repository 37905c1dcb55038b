"""BOSAM's REST API: meetings, their agendas and the agenda PDF (a stable link the chair can bookmark).

Access as in the browser (bosam/access.py): the chair and the participants'
roles of the same organisation; anyone else gets 404. Reads are audit-logged."""

import datetime as dt

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import renderers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from .access import agenda_read_log, meeting_get_for_user, visible_meetings
from .models import MeetingDocument, MeetingStatus
from .pdf import document_pdf, pdf_filename
from .serializers import MeetingDetailSerializer, MeetingListSerializer

# Documented so that integrations (and the schemathesis fuzz test) know every answer they can get.
ERROR_400 = OpenApiResponse(description="Ogiltig indata: fel per fält, nycklade på fältets namn.")
ERROR_401 = OpenApiResponse(description="Ingen eller ogiltig inloggning/token.")
ERROR_404 = OpenApiResponse(
    description="Finns inte, eller så saknar användaren behörighet (samma svar, för att inte röja att mötet finns)."
)


class PDFRenderer(renderers.BaseRenderer):
    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        return renderers.JSONRenderer().render(data)  # errors


class MeetingListView(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("from", str, description="YYYY-MM-DD; standard: i dag")],
        responses={200: MeetingListSerializer(many=True), 400: ERROR_400, 401: ERROR_401},
    )
    def get(self, request):
        raw = request.query_params.get("from")
        try:
            start = dt.date.fromisoformat(raw) if raw else timezone.localdate()
        except ValueError as exc:
            raise ValidationError({"from": [_("Ange datumet som ÅÅÅÅ-MM-DD.")]}) from exc
        meetings = visible_meetings(request.user).filter(date__gte=start).order_by("date", "time")
        return Response(MeetingListSerializer(meetings, many=True).data)


class MeetingDetailView(APIView):
    @extend_schema(responses={200: MeetingDetailSerializer, 401: ERROR_401, 404: ERROR_404})
    def get(self, request, pk):
        meeting = meeting_get_for_user(request.user, pk)
        agenda_read_log(request.user, meeting, request=request, detail=f"api meeting={meeting.pk}")
        return Response(MeetingDetailSerializer(meeting).data)


class _PdfView(APIView):
    renderer_classes = (PDFRenderer, renderers.JSONRenderer)
    kind = MeetingDocument.Kind.AGENDA

    @extend_schema(responses={(200, "application/pdf"): bytes, 401: ERROR_401, 404: ERROR_404})
    def get(self, request, pk):
        meeting = meeting_get_for_user(request.user, pk)
        if self.kind == MeetingDocument.Kind.MINUTES and meeting.status != MeetingStatus.CLOSED:
            raise Http404(_("Protokollet finns först när mötet är avslutat."))
        pdf = document_pdf(meeting, self.kind)
        agenda_read_log(request.user, meeting, request=request, detail=f"pdf {self.kind} meeting={meeting.pk}")
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{pdf_filename(meeting, self.kind)}"'
        response["Cache-Control"] = "private, no-store"  # secret: never in a shared cache
        return response


class AgendaPdfView(_PdfView):
    kind = MeetingDocument.Kind.AGENDA


class MinutesPdfView(_PdfView):
    kind = MeetingDocument.Kind.MINUTES
