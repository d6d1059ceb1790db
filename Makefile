# Thin wrappers; every target works on a fresh clone after `make install`.
PYTHON ?= python3
FIXTURE_VENV ?= .fixture-venv
FIXTURE_PY := $(FIXTURE_VENV)/bin/python

.PHONY: docs install fixture-env test test-fast lint typecheck bench bench-closure bench-graph bench-deps bench-saving bench-fix bench-render bench-sweep bench-scale golden demo clean

install:
	$(PYTHON) -m pip install -q -e ".[dev]"

# The virtualenv the fixture projects are analysed against (real boto3, pydantic, ...).
fixture-env: $(FIXTURE_PY)
$(FIXTURE_PY): fixtures/lambda_backend/env-requirements.txt
	$(PYTHON) -m venv $(FIXTURE_VENV)
	$(FIXTURE_PY) -m pip install -q -r fixtures/lambda_backend/env-requirements.txt
	touch $(FIXTURE_PY)

test: fixture-env
	LAZYAUDIT_FIXTURE_PYTHON=$(abspath $(FIXTURE_PY)) $(PYTHON) -m pytest -q -p no:cacheprovider

test-fast:
	$(PYTHON) -m pytest -q -x -p no:cacheprovider -m "not venv and not slow"

lint:
	$(PYTHON) -m ruff check lazyaudit tests benchmarks
	lint-imports
	$(PYTHON) -m mypy
	$(PYTHON) -m lazyaudit audit . --select LA1,LA9

typecheck:
	$(PYTHON) -m mypy

# The example is full of findings on purpose: exit code 1 (findings) is the expected result here.
demo: fixture-env
	$(PYTHON) -m lazyaudit audit fixtures/lambda_backend --python $(FIXTURE_PY) || test $$? -eq 1

bench: bench-closure bench-graph bench-render bench-deps bench-saving bench-fix
bench-closure:
	$(PYTHON) benchmarks/closure_accuracy.py
bench-graph:
	$(PYTHON) benchmarks/graph_speed.py
bench-deps:
	$(PYTHON) benchmarks/deps_vs_peers.py
bench-saving: fixture-env
	$(PYTHON) benchmarks/saving_estimate.py --python $(FIXTURE_PY)
bench-render:
	$(PYTHON) benchmarks/graph_render.py
bench-fix:
	$(PYTHON) benchmarks/fix_real_packages.py
bench-sweep:
	$(PYTHON) benchmarks/sweep.py
bench-scale:
	$(PYTHON) benchmarks/scale.py

docs:
	$(PYTHON) scripts/build_rules_doc.py

golden:
	UPDATE_GOLDEN=1 $(PYTHON) -m pytest -q -p no:cacheprovider tests/report tests/e2e

clean:
	rm -rf build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache $(FIXTURE_VENV)
