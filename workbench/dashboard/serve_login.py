"""Sign-in for ``workbench serve`` beyond loopback: a shared token or password, asked for on
a Chinese login page.

Voilà (standalone, jupyter-server 2) takes its identity provider by class name; ``serve.py``
passes ``--Voila.identity_provider_class=workbench.dashboard.serve_login.ServeIdentityProvider``
and ``--Voila.auto_token=True`` (so Voilà does not overwrite the token), and hands the secrets
to the child in its environment, never on its command line: ``WORKBENCH_TOKEN`` (the token
itself) and ``WORKBENCH_PASSWORD_HASH`` (an argon2 hash from ``jupyter_server.auth.passwd``).
This module is imported only in that Voilà process.
"""

from __future__ import annotations

import html
import os
from typing import Any

from jupyter_server.auth.identity import PasswordIdentityProvider
from traitlets import default
from voila.voila_identity_provider import VoilaLoginHandler

from workbench.dashboard.serve import PASSWORD_HASH_ENV, TOKEN_ENV

LOGIN_PAGE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>登录 · 审核看板</title>
<style>
body {{ font-family: "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; background: #f4f5f7;
  color: #1f2d3d; }}
.box {{ max-width: 380px; margin: 12vh auto; background: #fff; border-top: 4px solid #9b1c1c;
  padding: 24px 28px; border-radius: 4px; box-shadow: 0 1px 4px rgba(0,0,0,.12); }}
h1 {{ font-size: 19px; margin: 0 0 16px; }}
input[type=password] {{ width: 100%; padding: 8px; font-size: 15px; box-sizing: border-box; }}
button {{ margin-top: 14px; background: #9b1c1c; color: #fff; border: 0; padding: 8px 22px;
  font-size: 15px; border-radius: 3px; cursor: pointer; }}
.err {{ color: #b42318; font-weight: 600; }}
</style></head>
<body><div class="box"><h1>政府网站与政务新媒体检查 · 审核看板</h1>
{message}<form method="post" action="{action}">{xsrf}
<label for="password">请输入访问口令或密码</label>
<input type="password" id="password" name="password" autocomplete="current-password" autofocus>
<input type="hidden" name="next" value="{next}">
<button type="submit">登录</button></form></div></body></html>
"""


class ChineseLoginHandler(VoilaLoginHandler):
    """Voilà's login handler with the page in Chinese (the stock page is English)."""

    def _render(self, message: Any = None) -> None:
        error = ""
        if message:
            error = '<p class="err">口令或密码不正确，请重新输入。</p>'
        self.write(
            LOGIN_PAGE.format(
                message=error,
                action=html.escape(self.request.path, quote=True),
                xsrf=self.xsrf_form_html(),
                next=html.escape(self.get_argument("next", default=self.base_url), quote=True),
            )
        )


class ServeIdentityProvider(PasswordIdentityProvider):
    """Token and/or password from the environment; no password change through the web."""

    @default("token")
    def _token_from_environment(self) -> str:
        return os.environ.get(TOKEN_ENV, "")

    @default("hashed_password")
    def _hashed_password_from_environment(self) -> str:
        return os.environ.get(PASSWORD_HASH_ENV, "")

    @default("allow_password_change")
    def _no_password_change(self) -> bool:
        return False

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.login_handler_class = ChineseLoginHandler
