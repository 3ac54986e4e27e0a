"""Facts: what the fetchers and extractors observed, as the indicators read it.

Indicators never fetch; they read these records (and the check time and the rules).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from workbench.extract.dates import DatedItem
from workbench.fetch.feeds import FeedResult
from workbench.models import Inventory, MediaAccount, Website


@dataclass
class PageFacts:
    """One fetched page and the dated items listed on it."""

    url: str
    final_url: str
    status: int | None
    error: str | None
    title: str = ""
    items: list[DatedItem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None and self.status is not None and self.status < 400


@dataclass
class SiteFacts:
    """A website: its homepage and, when the homepage lists nothing dated, its second-level pages."""

    website: Website
    homepage: PageFacts
    second_level: list[PageFacts] = field(default_factory=list)


@dataclass
class AccountFacts:
    """A new-media account and what its data source returned."""

    account: MediaAccount
    feed: FeedResult


@dataclass(frozen=True)
class ProbeFact:
    """One availability probe of a homepage (ours or imported)."""

    url: str
    time: datetime
    ok: bool


@dataclass
class Facts:
    """Everything observed for one quarterly check."""

    quarter: str
    as_of: date
    inventory: Inventory
    sites: list[SiteFacts] = field(default_factory=list)
    accounts: list[AccountFacts] = field(default_factory=list)
    probes: list[ProbeFact] = field(default_factory=list)
