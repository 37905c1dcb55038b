"""The statistics as tables: one list of (code, label, value) per figure group, shared by the dashboard,
the exports, the period report and the charts, so that every view shows the same numbers."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from cases.models import ChildResidence, DeviationKind, LandlordKind, NoticeChannel, NoticeType, Outcome, SenderKind

from .statistics import DEBT_BANDS, Figures

DEBT_LABELS = {
    "UNDER_10000": _("Under 10 000 kr"),
    "10000_20000": _("10 000–20 000 kr"),
    "20000_50000": _("20 000–50 000 kr"),
    "OVER_50000": _("Över 50 000 kr"),
}


@dataclass
class Row:
    code: str
    label: str
    value: int | float | None  # None: suppressed (or no data)
    drill: str = ""  # a figure key the drill-down list understands, if any


@dataclass
class Table:
    key: str
    title: str
    rows: list[Row]
    chart: bool = False  # a bar chart beside the table helps

    @property
    def max_value(self) -> float:
        return max((r.value or 0 for r in self.rows), default=0)


def _from_choices(values: dict, choices, drill_prefix: str = "") -> list[Row]:
    return [Row(c.value, str(c.label), values.get(c.value), f"{drill_prefix}{c.value}" if drill_prefix else "") for c in choices]


def build_tables(figures: Figures) -> list[Table]:
    d, x = figures.data, figures.extra
    n = d["notices"]
    return [
        Table("notices_by_type", str(_("Underrättelser per typ")), _from_choices(n["by_type"], NoticeType, "notice_type:"), chart=True),
        Table("notices_by_sender_kind", str(_("Underrättelser per avsändare")), _from_choices(n["by_sender_kind"], SenderKind)),
        Table("notices_by_channel", str(_("Underrättelser per kanal")), _from_choices(x["notices_by_channel"], NoticeChannel)),
        Table("notices_by_month", str(_("Underrättelser per månad")),
              [Row(month, month, value) for month, value in n["by_month"].items()], chart=True),
        Table("households", str(_("Hushåll och barn")), [
            Row("notices", str(_("Underrättelser")), n["total"], "notices"),
            Row("households", str(_("Hushåll")), d["households"]["total"], "households"),
            Row("households_repeat", str(_("Hushåll som var kända sedan tidigare")), d["households"]["repeat"]),
            Row("households_with_children", str(_("Hushåll med barn")), d["households"]["with_children"], "with_children"),
            Row("single_adult_with_children", str(_("Ensamstående med barn")), x["single_adult_with_children"]),
            Row("children", str(_("Barn")), d["children"]["total"]),
        ]),
        Table("children_by_residence", str(_("Barn per boendeform")),
              _from_choices(d["children"]["by_residence"], ChildResidence), chart=True),
        Table("outcomes", str(_("Utfall i avslutade ärenden")), _from_choices(d["outcomes"], Outcome, "outcome:"), chart=True),
        Table("payment_commitments", str(_("Betalningsförbindelser")), [
            Row("applications", str(_("Ansökningar om ekonomiskt bistånd för betalningsförbindelse")),
                d["payment_commitments"]["applications"]),
            Row("granted", str(_("Beviljade")), d["payment_commitments"]["granted"]),
            Row("denied", str(_("Avslag")), d["payment_commitments"]["denied"]),
            Row("sent", str(_("Betalningsförbindelser skickade till hyresvärden")), d["payment_commitments"]["sent"]),
        ]),
        Table("evictions", str(_("Avhysningar")), [
            Row("executed", str(_("Verkställda avhysningar")), d["evictions"]["executed"], "executed"),
            Row("executed_with_children", str(_("Verkställda avhysningar av barnfamiljer")), d["evictions"]["executed_with_children"],
                "executed_with_children"),
            Row("children_present", str(_("… där barn var närvarande")), d["evictions"]["children_present"]),
            Row("social_services_present", str(_("… där socialtjänsten var närvarande")), d["evictions"]["social_services_present"]),
        ]),
        Table("contact", str(_("Kontakt med hushållen")), [
            Row("first_contact_median", str(_("Arbetsdagar till första kontakt, median")), d["first_contact_working_days"]["median"]),
            Row("first_contact_p90", str(_("Arbetsdagar till första kontakt, 90:e percentilen")), d["first_contact_working_days"]["p90"]),
            Row("contacted_before_recovery_deadline", str(_("Hushåll med kontakt före återvinningsfristen")),
                d["contacted_before_recovery_deadline"]["count"]),
            Row("contacted_before_recovery_deadline_share", str(_("Andel med kontakt före återvinningsfristen")),
                d["contacted_before_recovery_deadline"]["share"]),
            Row("home_visits_before_deadline", str(_("Hembesök före återvinningsfristen")), x["home_visits_before_deadline"]),
        ]),
        Table("debt_bands", str(_("Skuldbelopp")),
              [Row(code, str(DEBT_LABELS[code]), d["debt_bands"][code]) for code, _l, _h in DEBT_BANDS], chart=True),
        Table("landlord_kinds", str(_("Typ av hyresvärd")), _from_choices(d["landlord_kinds"], LandlordKind), chart=True),
        Table("deviations", str(_("Avvikelser per typ")), _from_choices(d["deviations"], DeviationKind), chart=True),
        Table("bosam", str(_("BOSAM")), [
            Row("meetings", str(_("Möten som hölls")), x["bosam_meetings"]),
            Row("cases_discussed", str(_("Ärenden som behandlades")), x["bosam_cases_discussed"]),
            Row("activities", str(_("Beslutade aktiviteter")), x["bosam_activities"]),
            Row("activities_on_time", str(_("… klara i tid")), x["bosam_activities_on_time"]),
        ]),
    ]
