"""``WorkbenchSpawner``: each signed-in reviewer's own Voilà dashboard, run as the hub's own
OS user — no system accounts, no root.

One OS user is enough because a reviewer can do nothing in the dashboard but press its
buttons: Voilà's kernels accept widget messages only (no code from the browser, no file
browser, no terminal), and the hub lets only the owner into each dashboard (OAuth access
scopes checked by ``voila_auth.HubIdentityProvider``). The login reaches the dashboard as
``JUPYTERHUB_USER``, which the hub sets here from the authenticated user, never typed.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from jupyterhub.spawner import LocalProcessSpawner
from traitlets import Unicode, default

from workbench.dashboard.serve import DASHBOARD_NOTEBOOK, voila_args

IDENTITY_PROVIDER = "workbench.hub.voila_auth.HubIdentityProvider"
AUTHORIZER = "jupyterhub.singleuser.extension.JupyterHubAuthorizer"


class WorkbenchSpawner(LocalProcessSpawner):
    """The review dashboard notebook in Voilà at the user's prefix (``/user/<login>/``)."""

    db_url = Unicode("", config=True, help="The workbench store (passed as WORKBENCH_DB).")
    notebook = Unicode(str(DASHBOARD_NOTEBOOK), config=True, help="The dashboard notebook.")

    @default("cmd")
    def _default_cmd(self) -> list[str]:
        return [sys.executable, "-m", "voila"]

    def get_args(self) -> list[str]:
        return voila_args(
            Path(self.notebook),
            port=int(self.port),
            host=self.ip or "127.0.0.1",
            identity_provider=IDENTITY_PROVIDER,
            extra=[
                f"--Voila.base_url={self.server.base_url}",
                f"--Voila.authorizer_class={AUTHORIZER}",
                *self.args,
            ],
        )

    def make_preexec_fn(self, name: str) -> Any:
        return None  # stay the hub's own user: no setuid, no system account per reviewer

    def user_env(self, env: dict[str, str]) -> dict[str, str]:
        env["USER"] = self.user.name
        env["HOME"] = os.environ.get("HOME", "/tmp")  # the hub's: kernels need a runtime dir
        return env

    def get_env(self) -> dict[str, str]:
        env: dict[str, str] = super().get_env()
        env["WORKBENCH_DB"] = self.db_url
        return env
