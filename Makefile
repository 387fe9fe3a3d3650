# Two commands on a fresh machine: `make run` (the series) and `make test` (the checks).
# Both create .venv when missing and install everything they need into it.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check -q
STAMP  := $(VENV)/.installed

.PHONY: setup run test test-fast test-slow regress trials search spread study bench clean

setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@start=$$(date +%s); \
	test -x $(PY) || $(PYTHON) -m venv $(VENV); \
	$(PIP) install -r requirements.txt && $(PIP) install --no-deps -e . && \
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (mnist-8k)" >/dev/null && \
	touch $(STAMP) && echo "[setup] .venv installed in $$(( $$(date +%s) - start )) s"

# The five notebooks at full length (about 35 minutes on 2 CPU cores), replacing the committed notebooks, results/
# and image/, then the generated sections of the README and docs/selection.md. `make run OUT=runs/gpu` writes
# everything under runs/gpu instead and leaves the committed record alone (a GPU run, or any platform you do not mean
# to record).
run: $(STAMP)
	$(PY) -m utils.commands.run $(if $(OUT),--out $(OUT),--readme README.md)

# Unit tests, then smoke runs, then every notebook re-executed and compared; the time of each part is printed.
# 23 minutes on 2 CPU cores of another CPU than the record's (1,356 s measured on a clean clone of 0a531eb, set-up
# included; CI's last pass took 1,204 s): on the CPU that recorded the notebooks each re-runs alone with the recorded
# threads, which takes longer.
# Needs MNIST (MNIST_ROOT, or <project>/data).
test: $(STAMP)
	@t0=$$(date +%s); \
	$(MAKE) --no-print-directory test-fast && t1=$$(date +%s) && \
	$(MAKE) --no-print-directory test-slow && t2=$$(date +%s) && \
	$(MAKE) --no-print-directory regress && t3=$$(date +%s) && \
	echo "[make test] unit tests $$((t1 - t0)) s, smoke and failure tests $$((t2 - t1)) s, notebooks re-executed and compared $$((t3 - t2)) s; total $$((t3 - t0)) s"

# Unit tests only: no notebook, no full-length training (under a minute on 2 CPU cores).
test-fast: $(STAMP)
	$(PY) -m pytest -q -m "not slow"

# papermill smoke runs of every notebook on a slice, failure handling, the Colab-style install.
test-slow: $(STAMP)
	$(PY) -m pytest -q -m slow

# Every notebook re-executed in a temporary folder (committed files never touched) and compared: exactly on the
# recording platform, where notebooks 1-3 (a constant learning rate) re-run their first 5 epochs (FULL=1: all 15),
# within each notebook's tolerance elsewhere, at full length.
regress: $(STAMP)
	$(PY) -m utils.commands.regress $(if $(FULL),--full)

# Phase 4's recipe trials, round 4, on the validation split: a plan (utils/experiments/phase4_round4.py) that the
# experiment driver runs. Stage 1: the base and 6 candidates x seeds 1-4; stage 2: those within two paired standard
# errors of the best, seeds 5-8; stage 3: the best and the simplest tied with it, seeds 9-16. Runs of 4-6 minutes
# (median 265 s on a quiet machine), 2 at a time through torch.compile, resumable (results/phase4_trials_round4.json
# keeps every finished run); finished: it picked wd+nesterov. Round 3, which chose today's recipe:
# python -m utils.commands.trials --round 3.
trials: $(STAMP)
	$(PY) -m utils.commands.trials --jobs 2

# Phase 5's search, round 4, on the validation split: a plan (utils/experiments/phase5_round4.py) that the experiment
# driver runs under the pick of phase 4's round 4 (weight decay and Nesterov momentum): 8 candidates of at most 4,000
# parameters x seeds 1-4, then the close ones on seeds 5-8, then two on seeds 9-16; eager runs of 6-10 minutes, two
# at a time, resumable (results/phase5_round4.json). The frontier, which chose today's model:
# python -m utils.commands.search --round 3.
search: $(STAMP)
	$(PY) -m utils.commands.search --jobs 2

# Phases 1-3 under seeds 2 and 3: the spread behind their regression tolerances (results/spread.json; ~20 minutes).
spread: $(STAMP)
	$(PY) -m utils.commands.spread --jobs 2

# A phase's seed study on the test split, 2 runs at a time, resumable: make study PHASE=4 (10 seeds of its recipe and 5
# of the recipe it is compared with: about an hour on 2 CPU cores) -> results/phase4_study.json. More seeds of its
# recipe: make study PHASE=4 SEEDS="$(seq -s ' ' 1 20)" (the recorded runs are kept). The pick of a phase's latest
# round, before its notebook runs it, into a file no notebook reads (as results/phase4_study_round4.json was made):
# python -m utils.commands.study --phase 4 --pick --seeds $(seq -s ' ' 101 120) --compared-seeds --compile \
#     --out results/phase4_study_round4.json
study: $(STAMP)
	$(PY) -m utils.commands.study --phase $(PHASE) --jobs $(or $(JOBS),2) $(if $(SEEDS),--seeds $(SEEDS)) $(if $(DEVICE),--device $(DEVICE))

bench: $(STAMP)
	$(PY) -m utils.commands.bench --record

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
