"""政府网站与政务新媒体检查工作台 — the inspection workbench."""

from workbench.errors import InventoryError, QuarterError, RulesError, RunError, WorkbenchError
from workbench.models import Finding, Inventory, MediaAccount, Website

__version__ = "0.1.0"

__all__ = [
    "Finding",
    "Inventory",
    "InventoryError",
    "MediaAccount",
    "QuarterError",
    "RulesError",
    "RunError",
    "Website",
    "WorkbenchError",
    "__version__",
]
