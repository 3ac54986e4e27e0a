"""The demo city: a deterministic synthetic municipality served on loopback (contract §5).

from workbench.demo import serve_demo_city
with serve_demo_city(tmp_path) as city:
    city.inventory_dir, city.truth_path, city.site_urls
"""

from workbench.demo.build import build_city_model
from workbench.demo.city import CityModel
from workbench.demo.serving import DemoCity, serve_demo_city

__all__ = ["CityModel", "DemoCity", "build_city_model", "serve_demo_city"]
