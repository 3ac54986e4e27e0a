"""政府网站与政务新媒体检查工作台 — the inspection workbench.

For analysts, the one way into a quarter's results::

    import workbench
    q = workbench.open_quarter("2022Q3", db="sqlite:///reports/workbench.db")
    q.findings        # findings with review decisions (label: 栏目名（网站名）…)
    q.scores          # scores.csv as the reviewed findings make it
    q.circular()      # the circular as ``workbench run`` and the dashboard build it
    q.pages(site), q.links(site), q.items(site), q.columns(site), q.posts(account)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workbench.errors import InventoryError, QuarterError, RulesError, RunError, WorkbenchError
from workbench.models import Finding, Inventory, MediaAccount, Website

if TYPE_CHECKING:
    from workbench.reviewed import ReviewedQuarter, open_quarter, pass_rate_trend, quarters

# The reviewed quarter loads pandas and the store: imported on first use, so that the
# ``workbench`` command answers bad input at once.
_LAZY = {"ReviewedQuarter", "open_quarter", "pass_rate_trend", "quarters"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from workbench import reviewed

        return getattr(reviewed, name)
    raise AttributeError(f"module 'workbench' has no attribute {name!r}")


__version__ = "0.1.0"

__all__ = [
    "Finding",
    "Inventory",
    "InventoryError",
    "MediaAccount",
    "QuarterError",
    "ReviewedQuarter",
    "RulesError",
    "RunError",
    "Website",
    "WorkbenchError",
    "__version__",
    "open_quarter",
    "pass_rate_trend",
    "quarters",
]
