"""The review dashboard: one tabbed app (总览 / 问题审核 / 通报起草 / 整改跟踪) over the store.

``notebooks/review_dashboard.ipynb`` only does ``ReviewDashboard.from_environment().widget``;
``workbench serve`` and the hub's spawner pass the database URL in ``WORKBENCH_DB``. Under
JupyterHub the 审核人 is the signed-in login (``identity.ReviewerBox``).
"""

from __future__ import annotations

import os
from typing import Any

import ipywidgets as widgets

from workbench import store
from workbench.dashboard.drafting import DraftingPanel
from workbench.dashboard.identity import ReviewerBox
from workbench.dashboard.overview import QuarterOverview
from workbench.dashboard.rectification import RectificationPanel
from workbench.dashboard.review import ReviewPanel
from workbench.dashboard.ui import STYLE, StatusLine
from workbench.store import Engine, roles

TAB_TITLES = ("总览", "问题审核", "通报起草", "整改跟踪")


class ReviewDashboard:
    """The four views under one quarter selector and one 审核人 field."""

    def __init__(self, engine: Engine, reviewer: ReviewerBox | None = None) -> None:
        self.engine = engine
        self.reviewer = reviewer or ReviewerBox()
        self.overview = QuarterOverview(engine)
        self.review = ReviewPanel(engine, self.reviewer)
        self.drafting = DraftingPanel(engine, self.reviewer)
        self.rectification = RectificationPanel(engine, self.reviewer)
        self.quarter = self.overview.quarter
        self.quarter.add_class("wb-quarter")
        self.status = StatusLine()
        self.refresh_button = widgets.Button(description="刷新", icon="refresh")
        self.refresh_button.on_click(lambda _b: self.status.run(self.refresh))
        self.tabs = widgets.Tab(
            children=[
                self.overview.body,
                self.review.widget,
                self.drafting.widget,
                self.rectification.widget,
            ]
        )
        for index, title in enumerate(TAB_TITLES):
            self.tabs.set_title(index, title)
        header = widgets.HTML(
            '<div class="wb-banner"><h1>政府网站与政务新媒体检查 · 审核看板</h1>'
            "<span>依据《政府网站与政务新媒体检查指标》（国办秘函〔2019〕19号）</span></div>"
        )
        bar = widgets.HBox(
            [self.quarter, self.reviewer.widget, self.refresh_button, self.status.widget],
            layout={"align_items": "center", "padding": "6px 0"},
        )
        self.widget = widgets.VBox([widgets.HTML(STYLE), header, bar, self.tabs])
        self.widget.add_class("wb-app")
        self.quarter.observe(self._quarter_changed, names="value")
        self._quarter_changed()

    @classmethod
    def from_environment(cls) -> ReviewDashboard:
        """The app on the database named by ``WORKBENCH_DB`` (default: reports/workbench.db),
        signed in as ``JUPYTERHUB_USER`` when the hub started it."""
        engine = store.connect(os.environ.get("WORKBENCH_DB") or store.default_url())
        return cls(engine, ReviewerBox.from_environment(roles.current_leads(engine)))

    def _quarter_changed(self, *_: Any) -> None:
        quarter = str(self.quarter.value or "")
        self.review.set_quarter(quarter)
        self.drafting.set_quarter(quarter)
        self.rectification.set_quarter(quarter)

    def refresh(self) -> None:
        """Re-read everything (other supervisors' decisions included)."""
        self.overview.refresh()
        self.review.reload()
        self.drafting.reload()
        self.rectification.reload()
        self.status.ok("已刷新。")
