# make run  — set everything up and serve the platform with demo data at http://127.0.0.1:8000
# make test — set everything up and run every check and test
# make scale — the scale tier (PostgreSQL, Redis queue, gunicorn) at http://127.0.0.1:8400; make scale-stop
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP_PY := $(VENV)/.installed
STAMP_JS := node_modules/.installed
CHART_ASSETS := node_modules/.kechuang-charts/changchun.json

.PHONY: setup pdf-libs run test test-only lint browser demo-large bench clean scale scale-stop load-test

MO_FILES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/django.po))

setup: $(STAMP_PY) $(STAMP_JS) $(CHART_ASSETS) $(MO_FILES) pdf-libs

pdf-libs:
	bash scripts/ensure-pdf-libs.sh

locale/%/LC_MESSAGES/django.mo: locale/%/LC_MESSAGES/django.po
	msgfmt --check -o $@ $<

$(STAMP_PY): requirements.txt requirements-dev.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

$(STAMP_JS): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# ECharts and the 长春 district shapes for the 科创大脑 dashboard (npm ci empties node_modules).
$(CHART_ASSETS): $(STAMP_JS) scripts/chart-assets.py core/data/cities/changchun.json
	$(PYTHON) scripts/chart-assets.py

run: setup
	bash scripts/run.sh

scale: setup
	bash scripts/ensure-nginx.sh
	bash scripts/scale-tier.sh start

scale-stop:
	bash scripts/scale-tier.sh stop

# Against a running scale tier (make scale): wrk at 10, 50 and 200 clients (bench/load_test.py).
load-test: setup
	bash scripts/ensure-wrk.sh
	$(PY) bench/load_test.py

browser:
	bash scripts/ensure-browser.sh

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: setup browser lint test-only

test-only:
	mkdir -p var
	SECRET_KEY=test-only-secret-key-that-is-long-enough-0123456789 $(PY) manage.py check --fail-level WARNING
	SECRET_KEY=test-only-secret-key-that-is-long-enough-0123456789 $(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest -n 2 -q

demo-large: setup
	KECHUANG_DEBUG=1 $(PY) manage.py migrate --noinput
	KECHUANG_DEBUG=1 $(PY) manage.py demo --seed 1 --scale large

clean:
	rm -rf $(VENV) node_modules var
