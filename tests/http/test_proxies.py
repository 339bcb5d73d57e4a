"""The proxy variables become httpx mount patterns the way httpx's own trust_env reads them."""

import pytest

from sprintsync.http.proxies import environment_proxies, no_proxy_pattern


@pytest.fixture
def clean_env(monkeypatch):
    """No proxy variables from the developer's shell."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "FTP_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    return monkeypatch


@pytest.mark.parametrize(
    ("entry", "pattern"),
    [
        ("127.0.0.1", "all://127.0.0.1"),
        ("::1", "all://[::1]"),
        ("localhost", "all://localhost"),
        (".example.com", "all://*.example.com"),
        ("example.com", "all://*example.com"),
        ("http://internal.test", "http://internal.test"),
    ],
)
def test_no_proxy_entries_map_like_httpx(entry, pattern):
    """The NO_PROXY forms curl documents: addresses as they are, domains with their subdomains."""
    assert no_proxy_pattern(entry) == pattern


def test_proxies_per_scheme_and_bypasses(clean_env):
    """HTTP(S)_PROXY and ALL_PROXY mount per scheme; a scheme-less proxy gets http://."""
    clean_env.setenv("HTTPS_PROXY", "proxy.test:3128")
    clean_env.setenv("ALL_PROXY", "http://all.test:8080")
    clean_env.setenv("FTP_PROXY", "http://ftp.test")  # not an HTTP proxy: ignored
    clean_env.setenv("NO_PROXY", "localhost, .corp.test")
    assert environment_proxies() == {
        "https://": "http://proxy.test:3128",
        "all://": "http://all.test:8080",
        "all://localhost": None,
        "all://*.corp.test": None,
    }


def test_no_proxy_star_disables_every_proxy(clean_env):
    """NO_PROXY=* anywhere in the list means no proxy at all."""
    clean_env.setenv("HTTP_PROXY", "http://proxy.test")
    clean_env.setenv("NO_PROXY", "example.com,*")
    assert environment_proxies() == {}
