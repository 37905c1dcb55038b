"""Reads on BOSAM that other apps may use."""

import datetime as dt


def next_meeting_date(organisation, today: dt.date) -> dt.date | None:
    return None


def case_ids_on_agendas(organisation):
    return []
