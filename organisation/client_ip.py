"""The client's address, for the audit log and django-axes (one function for both).

Behind the reverse proxy REMOTE_ADDR is the proxy. The proxy appends the address it saw to
TRUSTED_PROXY_HEADER (X-Forwarded-For); whatever the client sent itself stands to the left of that.
So the header is read only when REMOTE_ADDR is a trusted proxy, and from the right: the first address
that is not a trusted proxy is the client. Anything unparsable stops the walk at the last trusted hop."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip())


def _parse(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = value.strip()
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def _meta_key(header: str) -> str:
    return "HTTP_" + header.upper().replace("-", "_")


def client_address(request) -> str | None:
    if request is None:
        return None
    remote = _parse(request.META.get("REMOTE_ADDR", "") or "")
    if remote is None:
        return None
    trusted = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))

    def is_trusted(address) -> bool:
        return any(address in network for network in trusted if network.version == address.version)

    if not trusted or not is_trusted(remote):
        return str(remote)
    header = request.META.get(_meta_key(getattr(settings, "TRUSTED_PROXY_HEADER", "X-Forwarded-For")), "")
    client = remote
    for part in reversed(header.split(",")) if header else ():
        address = _parse(part)
        if address is None:
            break
        client = address
        if not is_trusted(address):
            break
    return str(client)
