"""The 审核人 of a dashboard: the signed-in login under JupyterHub, otherwise a typed name.

Under JupyterHub the spawner starts each user's own Voilà with ``JUPYTERHUB_USER`` set to
the login the hub authenticated; the kernel inherits it. That login is the reviewer for every
``store.decisions`` / ``store.drafts`` call, shown read-only: no widget value the browser can
send (a disabled text box still syncs) ever names the reviewer. Without the hub (``workbench
serve`` on loopback, single-user) the box takes a typed name as before.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import ipywidgets as widgets

from workbench.dashboard.ui import esc
from workbench.errors import WorkbenchError
from workbench.store.roles import LEAD_TITLE

HUB_USER_ENV = "JUPYTERHUB_USER"


class ReviewerBox:
    """The shared 审核人 field of the app; ``name`` is who acts."""

    def __init__(self, login: str | None = None, *, lead: bool = False, logout_url: str = ""):
        self.login = (login or "").strip() or None
        self.lead = lead
        self.text = widgets.Text(
            description="审核人",
            placeholder="请输入您的姓名",
            style={"description_width": "initial"},
            layout={"width": "240px"},
        )
        self.text.add_class("wb-reviewer")
        if self.login is None:
            self.widget: widgets.Widget = self.text
            return
        role = f"（{LEAD_TITLE}）" if lead else ""
        logout = f'　<a href="{esc(logout_url)}">退出登录</a>' if logout_url else ""
        self.widget = widgets.HTML(
            f'<span class="wb-login">审核人：<b>{esc(self.login)}</b>{esc(role)}{logout}</span>'
        )

    @classmethod
    def from_environment(
        cls, leads: frozenset[str] | None, environ: Mapping[str, str] | None = None
    ) -> ReviewerBox:
        """The signed-in login when the hub started this dashboard, else a name box.
        ``leads``: the configured 审核负责人 (``roles.current_leads``), for the role shown."""
        env = os.environ if environ is None else environ
        login = env.get(HUB_USER_ENV, "").strip()
        if not login:
            return cls()
        base = env.get("JUPYTERHUB_BASE_URL", "/") or "/"
        lead = leads is not None and login in leads
        return cls(login, lead=lead, logout_url=base.rstrip("/") + "/hub/logout")

    @property
    def signed_in(self) -> bool:
        return self.login is not None

    @property
    def name(self) -> str:
        """The reviewer's name: the login when signed in, else what was typed (stripped)."""
        return self.login if self.login is not None else str(self.text.value).strip()

    @property
    def value(self) -> str:
        return self.name

    @value.setter
    def value(self, typed: str) -> None:
        if self.login is not None:
            raise WorkbenchError("已登录时审核人即登录账号，不能修改。")
        self.text.value = typed
