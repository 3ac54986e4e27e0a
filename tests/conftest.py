"""Test-wide settings.

Tests talk to loopback servers only. ``WORKBENCH_OFFLINE`` makes the SSRF guard refuse every
host that is not one of the inventory's own sites without even resolving it, so a page or a
post that links to a real government site (beian, conac, weibo …) never sends traffic off
this machine — in this process and in every subprocess (CLI, Papermill kernel, Voilà).
"""

import os
from typing import Any

import pytest

os.environ["WORKBENCH_OFFLINE"] = "1"


def _thin_fetch_url(
    url: Any, *, session: Any = None, user_agent: str | None = None, **kw: Any
) -> Any:
    """``fetch_url`` on the crawl's thin urllib3 path when no session is given."""
    from workbench.fetch import http
    from workbench.fetch.thin_http import ThinSession

    if session is not None:
        return http.fetch_url(url, session=session, user_agent=user_agent, **kw)
    thin = ThinSession(user_agent)
    try:
        return http.fetch_url(url, session=thin, user_agent=user_agent, **kw)
    finally:
        thin.close()


@pytest.fixture(params=["requests", "thin"])
def both_http_paths(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test module's ``fetch_url`` calls on requests and on the crawl's thin path."""
    if request.param == "thin":
        monkeypatch.setattr(request.module, "fetch_url", _thin_fetch_url)
    return str(request.param)
