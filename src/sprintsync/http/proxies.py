"""The proxy variables (HTTP(S)_PROXY, ALL_PROXY, NO_PROXY) as httpx mount patterns."""

from __future__ import annotations

import ipaddress
from urllib.request import getproxies

PROXIED_SCHEMES = ("http", "https", "all")  # other *_PROXY variables are not HTTP proxies


def environment_proxies() -> dict[str, str | None]:
    """Mount pattern -> proxy URL, or None for a NO_PROXY host reached directly.

    The same mapping httpx applies to its own default transport when `trust_env` is on
    (curl's NO_PROXY rules: `*` disables every proxy, `.example.com` matches subdomains only,
    `example.com` the domain and its subdomains, IP addresses and `localhost` as they are).
    """
    found = getproxies()
    mounts: dict[str, str | None] = {}
    for scheme in PROXIED_SCHEMES:
        proxy = found.get(scheme)
        if proxy:
            mounts[f"{scheme}://"] = proxy if "://" in proxy else f"http://{proxy}"
    for host in (name.strip() for name in found.get("no", "").split(",")):
        if host == "*":
            return {}
        if host:
            mounts[no_proxy_pattern(host)] = None
    return mounts


def no_proxy_pattern(host: str) -> str:
    """The httpx mount pattern that sends `host` (one NO_PROXY entry) around the proxy."""
    if "://" in host:
        return host
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if address is not None:
        return f"all://{host}" if address.version == 4 else f"all://[{host}]"
    if host.lower() == "localhost":
        return f"all://{host}"
    return f"all://*{host}"
