"""Imported last by the page pool's fork server (:mod:`workbench.fetch.page_pool`), after
the modules its worker processes read pages with: it freezes what those imports allocated.

A worker process is forked from the fork server and shares its memory pages until it writes
to them. A full garbage collection in a worker writes to every object it tracks (the
collector's own header in each object), which copies the whole imported heap (about 20 MB:
code, classes, compiled patterns) into each worker. :func:`gc.freeze` moves those objects
out of the collector's reach, so the workers keep sharing them with the fork server and with
each other.
"""

from __future__ import annotations

import gc

gc.collect()
gc.freeze()
