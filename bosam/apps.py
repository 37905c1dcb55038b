from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BosamConfig(AppConfig):
    name = "bosam"
    verbose_name = _("BOSAM")

    def ready(self):
        # bosam answers the questions cases asks (cases.hooks); cases never imports bosam.
        from avhysning.celery import queue_without_waiting
        from cases import hooks

        from . import retention, selectors, tasks, timeline

        # Looked up at call time, so that the selectors stay the one place to change (or patch in a test).
        hooks.register(
            next_meeting_date=lambda organisation, today: selectors.next_meeting_date(organisation, today),
            case_ids_on_agendas=lambda organisation: selectors.case_ids_on_agendas(organisation),
            timeline_source=timeline.case_discussion_entries,
            # The refresh of a prepared agenda runs in the worker, not in the request that changed the case (issue 16).
            case_changed=lambda case_ids: queue_without_waiting(tasks.refresh_agendas_for_cases_task, case_ids),
            cases_deleting=retention.cases_deleting,
        )
