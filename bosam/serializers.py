"""API shapes (a contract: see the issue). Minimal data: ids, codes, counts and dates."""

from rest_framework import serializers

from .models import Activity, AgendaItem, Meeting


class MeetingListSerializer(serializers.ModelSerializer):
    time = serializers.TimeField(format="%H:%M")
    agenda_ready = serializers.BooleanField(read_only=True)

    class Meta:
        model = Meeting
        fields = ("id", "date", "time", "status", "agenda_ready")


class AgendaItemSerializer(serializers.ModelSerializer):
    case_number = serializers.CharField(source="case.number", read_only=True)

    class Meta:
        model = AgendaItem
        fields = ("id", "case", "case_number", "section", "position", "urgent", "children_count", "notice_type")


class ActivitySerializer(serializers.ModelSerializer):
    what = serializers.CharField(source="task.title")
    unit = serializers.CharField(source="task.unit.code")
    due_date = serializers.DateField(source="task.due_date")
    status = serializers.CharField(source="task.status")

    class Meta:
        model = Activity
        fields = ("id", "case", "task", "what", "unit", "due_date", "status")


class AttendanceSerializer(serializers.Serializer):
    department = serializers.CharField(source="department.code")
    present = serializers.BooleanField()


class MeetingDetailSerializer(MeetingListSerializer):
    place = serializers.CharField()
    series = serializers.CharField(source="series.name")
    items = serializers.SerializerMethodField()
    activities = ActivitySerializer(many=True, read_only=True)
    attendance = AttendanceSerializer(many=True, read_only=True)

    class Meta(MeetingListSerializer.Meta):
        fields = (*MeetingListSerializer.Meta.fields, "place", "series", "items", "activities", "attendance")

    def get_items(self, meeting) -> list[dict]:
        items = meeting.items.filter(removed_at__isnull=True).select_related("case").order_by("section", "position", "id")
        return AgendaItemSerializer(items, many=True).data
