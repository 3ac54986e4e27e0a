"""JupyterHub sign-in inside a standalone Voilà (imported only in the Voilà a spawner starts).

``JupyterHubIdentityProvider`` is made for jupyter-server's ``ServerApp``, which mounts the
provider's handlers under its base URL; standalone Voilà adds them as they are, so
``/oauth_callback`` would land on Voilà's catch-all notebook route. This subclass mounts them
under the user's prefix (``JUPYTERHUB_SERVICE_PREFIX``, e.g. ``/user/zhangsan/``). Everything
else (the OAuth round trip with the hub, the access scopes that let only the owner in) is
JupyterHub's own.
"""

from __future__ import annotations

from typing import Any

from jupyterhub.singleuser.extension import JupyterHubIdentityProvider
from jupyterhub.utils import url_path_join


class HubIdentityProvider(JupyterHubIdentityProvider):
    def get_handlers(self) -> list[tuple[Any, ...]]:
        prefix = self.hub_auth.base_url
        return [(url_path_join(prefix, path), *rest) for path, *rest in super().get_handlers()]
