"""Prepare the provider's database: tables, a signing key, the Avhysning client, the test people.

    PROVIDER_DB=... PROVIDER_URL=... RP_URL=... python -m tests.oidc_provider.bootstrap
"""

import os


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.oidc_provider.settings")
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from oidc_provider.models import Client, ResponseType, RSAKey

    from .claims import PASSWORD, PEOPLE

    call_command("migrate", verbosity=0)
    if not RSAKey.objects.exists():
        call_command("creatersakey")
    rp_url = os.environ["RP_URL"].rstrip("/")
    client, _ = Client.objects.update_or_create(
        client_id=os.environ.get("CLIENT_ID", "avhysning"),
        defaults={
            "name": "Avhysning", "client_type": "confidential", "client_secret": os.environ.get("CLIENT_SECRET", "provider-client-secret"),
            "jwt_alg": "RS256", "require_consent": False, "reuse_consent": True,
        },
    )
    client.redirect_uris = [f"{rp_url}/oidc/callback/"]
    client.post_logout_redirect_uris = [f"{rp_url}/konto/logga-in/"]
    client.scope = ["openid", "profile", "email", "avhysning"]
    client.save()
    client.response_types.set([ResponseType.objects.get(value="code")])
    for username in PEOPLE:
        user, _ = User.objects.get_or_create(username=username)
        user.set_password(PASSWORD)
        user.save()


if __name__ == "__main__":
    main()
