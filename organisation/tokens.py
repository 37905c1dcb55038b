"""API tokens: create (the key is returned once), hash, and authenticate with `Authorization: Token <key>`.

The key is 40 random hex characters (160 bits), so an unsalted SHA-256 is enough: nobody can guess a key
from its hash, and a lookup by hash needs no per-row work. A token's scopes limit what it may call; every
API view accepts `staff` unless it says otherwise (`api_token_scopes`), and the check is made here, in
the authentication, so that no view can forget it."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from .demo import is_refused_demo_username
from .models import ApiScope, ApiToken, User

PREFIX_LENGTH = 8
# last_used is written at most this often per token, not on every request.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> str:
    return secrets.token_hex(20)


def token_set_new_key(token: ApiToken) -> str:
    """Give an unsaved token a fresh key; returns the plain key (the caller shows it once, then it is gone)."""
    key = new_key()
    token.key_hash, token.prefix = hash_key(key), key[:PREFIX_LENGTH]
    token.scopes = sorted({ApiScope(scope).value for scope in token.scopes})  # ValueError for an unknown scope
    return key


def api_token_create(*, user: User, name: str, scopes: Iterable[str], created_by: User | None = None) -> tuple[ApiToken, str]:
    """A new token for `user`; returns it with the plain key, which exists nowhere else after this call."""
    token = ApiToken(user=user, name=name, scopes=list(scopes), created_by=created_by)
    key = token_set_new_key(token)
    token.full_clean()
    token.save()
    return token, key


class ApiTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>` against the hashed ApiToken (replaces DRF's plain authtoken)."""

    model = ApiToken

    def authenticate_credentials(self, key):
        token = ApiToken.objects.select_related("user__organisation").filter(key_hash=hash_key(key), revoked_at__isnull=True).first()
        if token is None or not token.user.is_active or is_refused_demo_username(token.user.username):
            raise exceptions.AuthenticationFailed(_("Ogiltig token."))
        now = timezone.now()
        if token.last_used is None or now - token.last_used > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used=now)
        return token.user, token

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            view = (getattr(request, "parser_context", None) or {}).get("view")
            accepted = set(getattr(view, "api_token_scopes", {ApiScope.STAFF}))
            if not accepted & set(result[1].scopes):
                raise exceptions.PermissionDenied(_("Token saknar behörighet för detta anrop."))
            # A landlord's account (issue 14 §2) reaches the landlord's channel only, whatever its token says.
            if result[0].landlord_id and ApiScope.NOTICES_SUBMIT not in accepted:
                raise exceptions.PermissionDenied(_("Token saknar behörighet för detta anrop."))
        return result
