from django.shortcuts import redirect, render

from .models import Role
from .roles import has_role


def home(request):
    """Each role lands on its own start page."""
    user = request.user
    if has_role(user, Role.HYRESVARD):
        return redirect("submissions:landlord_home")
    if has_role(user, Role.HYRESRADGIVARE, Role.HANDLAGGARE, Role.CHEF):
        return redirect("cases:my_cases")
    if has_role(user, Role.SOCIALJOUR):
        return redirect("cases:emergency_access")
    if has_role(user, Role.STYRGRUPP):
        return redirect("followup:register")
    if has_role(user, Role.STAD):
        return redirect("followup:statistics")
    if has_role(user, Role.BOSAM_ORDFORANDE):
        return redirect("bosam:meeting_list")
    if has_role(user, Role.SYSTEMADMINISTRATOR):
        return redirect("admin:index")
    return render(request, "organisation/no_role.html")
