"""What the quarterly notebook's first cell imports, imported by its kernel as it starts
(``workbench.kernel``), while ``workbench run`` is still getting ready to send that cell.
``tests/test_cli.py`` checks that the cell then imports nothing this left out. The page
readers' fork server is started too, for the crawl's first page not to wait for it."""

import pandas  # noqa: F401
from IPython.display import Image, Markdown, display  # noqa: F401

from workbench import pass_rate_trend, pipeline, report  # noqa: F401
from workbench.dashboard.charts import findings_by_indicator_chart  # noqa: F401
from workbench.extract.accounts import suspected_unregistered  # noqa: F401
from workbench.fetch.page_pool import start_fork_server

start_fork_server()
