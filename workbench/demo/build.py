"""Building the demo city's model from its parts (``city.py`` holds the model's types).

``build_city_model`` is pure: the same ``as_of`` and ``seed`` give an equal model. It sits
above the modules that plant problems and build sites and accounts, which all read the
model's types from ``city.py``: no module of the demo imports the one that imports it.
"""

from __future__ import annotations

import random
from datetime import date

from workbench.demo import accounts, catalog, issue17, issue21, planted, truth
from workbench.demo.city import DEFAULT_SEED, CityModel, quarter_of
from workbench.demo.site_builder import SiteTuning, build_site


def build_city_model(*, as_of: date = date(2022, 9, 30), seed: int = DEFAULT_SEED) -> CityModel:
    """The whole demo city for the 监测时间点 ``as_of``; pure and deterministic."""
    units = catalog.all_units()
    tunings = planted.site_tunings(as_of, seed)
    sites = []
    for index, spec in enumerate(units):
        rng = random.Random(f"{seed}:site:{spec.key}")
        site = build_site(spec, index, rng, as_of, tunings.get(spec.key, SiteTuning()))
        sites.append(issue21.apply_issue21(issue17.apply_issue17(site, as_of), as_of))
    accts = accounts.build_accounts(as_of, seed, units, planted.ACCOUNT_PLANTS)
    return CityModel(
        name=catalog.CITY,
        quarter=quarter_of(as_of),
        as_of=as_of,
        seed=seed,
        sites=tuple(sites),
        accounts=tuple(accts),
        truth=truth.truth_entries(as_of, tuple(sites), tuple(accts)),
    )
