"""Closing the loop after the circular (整改闭环).

    lists     整改清单: one .xlsx (and a 整改通知 .docx) per unit of a reviewed quarter
    recheck   ``workbench recheck``: each problem judged again from its target, now
    status    each problem with the unit's claim and the latest re-check side by side
    command   the ``workbench recheck`` and ``workbench rectify`` commands

The claims and the re-checks are stored by ``workbench.store.rectification``; the next
quarter's 复查 (``workbench.circular.recheck``) reads both.
"""
