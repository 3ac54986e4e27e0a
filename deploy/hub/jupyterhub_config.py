# JupyterHub configuration for the review dashboard of an office with several reviewers.
#
# Start it with `workbench hub start --config /etc/workbench/hub.toml` (README: 多人审核),
# which sets WORKBENCH_HUB_CONFIG and runs `python -m jupyterhub -f` on this file. All the
# choices live in workbench/hub/configure.py and are tested; the office edits only its TOML
# settings file (a copy of office.example.toml), never this file.
from workbench.hub.configure import configure_from_environment

configure_from_environment(c)  # type: ignore[name-defined]  # noqa: F821
