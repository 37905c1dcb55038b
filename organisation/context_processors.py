from django.urls import NoReverseMatch, reverse
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from .models import Role
from .roles import user_roles

# (url name, label, roles that see it). Order is the order in the menu.
# "/arenden/" is the root of the whole case area (notifications, retention, emergency access, ...):
# its item is active on its own address only, never on the pages below it.
EXACT_ONLY = {"cases:my_cases", "submissions:landlord_home"}
# A count shown with the item, from a function named by its dotted path (the app above is not imported here).
COUNTS = {"submissions:queue": "submissions.selectors.queue_count"}
NAVIGATION = [
    ("cases:my_cases", _("Mina ärenden"), {Role.HANDLAGGARE, Role.HYRESRADGIVARE, Role.CHEF}),
    ("cases:overview", _("Alla öppna ärenden"), {Role.HYRESRADGIVARE, Role.CHEF}),
    ("cases:unit_caseload", _("Enhetens ärenden"), {Role.CHEF}),
    ("cases:intake_search", _("Registrera underrättelse"), {Role.HYRESRADGIVARE}),
    ("imports:start", _("Importera lista"), {Role.HYRESRADGIVARE}),
    ("submissions:queue", _("Inkomna underrättelser"), {Role.HYRESRADGIVARE}),
    # The landlord's own area (issue 14 §2): nothing else is in its menu.
    ("submissions:landlord_home", _("Mina underrättelser"), {Role.HYRESVARD}),
    ("submissions:landlord_new", _("Lämna underrättelse"), {Role.HYRESVARD}),
    ("submissions:landlord_import", _("Importera en lista"), {Role.HYRESVARD}),
    ("bosam:meeting_list", _("BOSAM"), {Role.BOSAM_ORDFORANDE, Role.HYRESRADGIVARE, Role.HANDLAGGARE, Role.CHEF}),
    ("followup:register", _("Avvikelser"), {Role.CHEF, Role.STYRGRUPP, Role.HYRESRADGIVARE, Role.HANDLAGGARE}),
    ("followup:statistics", _("Statistik"), {Role.CHEF, Role.STYRGRUPP, Role.STAD}),
    ("followup:reports", _("Periodrapporter"), {Role.STYRGRUPP}),
    ("cases:audit_review", _("Logguppföljning"), {Role.CHEF}),
    ("cases:emergency_access", _("Nödåtkomst"), {Role.SOCIALJOUR}),
    ("cases:retention", _("Gallring"), {Role.SYSTEMADMINISTRATOR}),
    ("admin:index", _("Administration"), {Role.SYSTEMADMINISTRATOR}),
]


def navigation(request):
    roles = user_roles(request.user) if hasattr(request, "user") else frozenset()
    items = []
    for url_name, label, allowed in NAVIGATION:
        if roles & {r.value for r in allowed}:
            try:
                url = reverse(url_name)
            except NoReverseMatch:  # an area not installed in this deployment
                continue
            count = import_string(COUNTS[url_name])(request) if url_name in COUNTS else None
            items.append({"url": url, "label": label, "active": False, "exact": url_name in EXACT_ONLY, "count": count})
    # The menu item with the longest address that the current page starts with is the active one;
    # an exact-only item counts only on its own address.
    matching = [
        item
        for item in items
        if request.path == item["url"] or (not item["exact"] and request.path.startswith(item["url"]))
    ]
    if matching:
        max(matching, key=lambda item: len(item["url"]))["active"] = True
    return {"nav_items": items}
