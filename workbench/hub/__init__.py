"""Several reviewers on one server: JupyterHub serving each signed-in user their own Voilà
dashboard (``workbench hub``; the configuration is ``deploy/hub/``).

Needs the ``hub`` extra (``pip install -e '.[hub]'``) and configurable-http-proxy from npm
(``make hub-install``). Modules:

- ``settings``: the office's TOML settings file, validated, in Chinese;
- ``configure``: the JupyterHub configuration built from it (``deploy/hub/jupyterhub_config.py``);
- ``spawner``: ``WorkbenchSpawner``, each user's Voilà run as the hub's own OS user;
- ``voila_auth``: JupyterHub's OAuth sign-in mounted in that Voilà;
- ``accounts``: the office's own accounts (bcrypt hashes) and their authenticator;
- ``command``: ``workbench hub start`` / ``workbench hub password``.
"""
