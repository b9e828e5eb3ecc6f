# The student edition: `make lab` sets up a virtual environment once (Python 3.11 and pip), then opens JupyterLab.
PYTHON ?= python3
BIN := .venv/bin
# The student notebooks' checks (grader.check) run on otter; the project's Makefile sets it empty, since its main
# job needs no otter and `make test` installs requirements-test.txt. tests/test_packaging.py keeps this pin there.
GRADER ?= otter-grader==7.0.0

.PHONY: setup lab

.venv/installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv .venv
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --no-compile -r requirements.txt $(GRADER)
	$(BIN)/pip install --quiet --no-deps -e .
	$(BIN)/python -m helpers.cli slim
	touch $@

setup: .venv/installed
	@command -v abc2midi >/dev/null || echo "07_quality also uses abc2midi: sudo apt-get install abcmidi"

# `make lab PROFILE=quick` opens JupyterLab in the quick profile; without PROFILE the notebooks read $MUSICRNN_PROFILE
# (full when unset). Only a PROFILE given on the command line counts: the project's Makefile sets a default.
lab: setup
	$(if $(filter command line,$(origin PROFILE)),MUSICRNN_PROFILE=$(PROFILE) )$(BIN)/jupyter lab notebooks/
