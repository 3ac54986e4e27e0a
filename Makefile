# The two commands of the quick start: `make demo` and `make test`.
# Each creates the virtual environment and installs what it needs on first use.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SERVE  ?= 1
# JupyterHub's proxy (configurable-http-proxy) from npm, into deploy/hub/node_modules only
PROXY  := deploy/hub/node_modules/.installed
HUB_CONFIG ?= /etc/workbench/hub.toml

.PHONY: demo test lint typecheck pytest install hub-install hub clean

install: $(STAMP)

# dev includes the hub extra: the hub's browser test runs in `make test`
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,hub]'
	@# an editable install writes no bytecode, and PYTHONDONTWRITEBYTECODE keeps imports from it
	$(BIN)/python -m compileall -q workbench > /dev/null
	@touch $(STAMP)

$(PROXY): deploy/hub/package.json deploy/hub/package-lock.json
	cd deploy/hub && npm ci --no-audit --no-fund --loglevel=error
	@touch $(PROXY)

# What an office's server needs for `workbench hub` (README: 多人审核)
hub-install: $(STAMP) $(PROXY)

# Start the office's hub: make hub HUB_CONFIG=/etc/workbench/hub.toml
hub: hub-install
	$(BIN)/workbench hub start --config $(HUB_CONFIG)

demo: $(STAMP)
	$(BIN)/workbench demo $(if $(filter 0,$(SERVE)),--no-serve,)

test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP) $(PROXY)
	$(BIN)/pytest

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache deploy/hub/node_modules
