# Two commands on a fresh machine: `make run` (the series) and `make test` (the checks).
# Both create .venv when missing and install everything they need into it.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check -q
STAMP  := $(VENV)/.installed

.PHONY: setup run test test-fast nbval bench clean

setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -r requirements.txt
	$(PIP) install --no-deps -e .
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (mnist-8k)" >/dev/null
	touch $(STAMP)

# The four notebooks at full length, then the README's results tables from results/*.json.
run: $(STAMP)
	$(PY) -m utils.series --readme README.md

# Everything: unit tests, papermill smoke runs, result regression checks, then nbval on the committed notebooks.
test: test-fast nbval

# Unit tests, smoke runs and result checks; no full-length training (a few minutes on 2 CPU cores).
test-fast: $(STAMP)
	$(PY) -m pytest -q

# Re-executes copies of the committed notebooks at full length (a temp folder, so results/ and image/ are
# never touched) and compares the cells marked NBVAL_CHECK_OUTPUT.
nbval: $(STAMP)
	$(PY) -m utils.nbval_copy

bench: $(STAMP)
	$(PY) -m utils.bench --record

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
