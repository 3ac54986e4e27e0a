"""Test-wide settings.

Tests talk to loopback servers only. ``WORKBENCH_OFFLINE`` makes the SSRF guard refuse every
host that is not one of the inventory's own sites without even resolving it, so a page or a
post that links to a real government site (beian, conac, weibo …) never sends traffic off
this machine — in this process and in every subprocess (CLI, Papermill kernel, Voilà).
"""

import os

os.environ["WORKBENCH_OFFLINE"] = "1"
