# The two commands a newcomer needs: `make run` (set up, then the notebooks) and `make test`.
PYTHON ?= python3
PROFILE ?= full
BIN := .venv/bin
NOTEBOOKS := $(sort $(wildcard notebooks/*.ipynb))

.PHONY: setup system-packages soundfont-player test-packages tex-packages test-setup run test test-fast lint strip benchmark robustness ship-model train-shipped report \
	assignment grade

# The virtual environment (.venv/installed), and `make lab`: the rules the student edition ships as its Makefile.
# The main job needs no otter (GRADER); the test and grading tools come from requirements-test.txt (.venv/tested).
GRADER :=
include helpers/assignment/student.mk

.venv/tested: .venv/installed requirements-test.txt | soundfont-player
	$(BIN)/pip install --quiet -r requirements-test.txt
	touch $@

# The wheels that an autograder zip's environment names (requirements.txt and otter), for the test that installs
# them offline in a fresh virtual environment, as Gradescope builds its image (tests/assignment/test_cycle.py).
.venv/wheels: requirements.txt requirements-test.txt | .venv/installed
	rm -rf $@ $@.partial
	$(BIN)/pip download --quiet --dest $@.partial -r requirements.txt "$$(grep '^otter-grader' requirements-test.txt)"
	mv $@.partial $@

# System tools: abc2midi (Debian's abcmidi: a second ABC parser for 07_quality) and the Chromium that Playwright
# drives (the browser tests). The notebooks run without them: installed when missing and we are root on Debian or
# Ubuntu; otherwise set-up says once what is missing, what each adds and how to install it, and goes on.
# `make test` needs both, and says so (test-packages).
# Optional, for tunes that sound like a piano: the TimGM6mb General MIDI soundfont and tinysoundfont, which plays it
# (installed without its PyAudio dependency: see requirements.txt). Without them the audio comes from the NumPy
# synthesizer, so neither ever fails this target.
SOUNDFONT := /usr/share/sounds/sf2/TimGM6mb.sf2
TINYSOUNDFONT := tinysoundfont==0.3.7
system-packages:
	@missing=""; \
	command -v abc2midi >/dev/null || missing="$$missing abcmidi"; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
		else \
			echo "optional system packages missing:$$missing (the notebooks run without them)"; \
			case "$$missing" in *abcmidi*) echo "  abcmidi: abc2midi, the second ABC parser of 07_quality (else its column says not installed);" \
				"sudo apt-get install abcmidi | brew install abcmidi";; esac; \
			case "$$missing" in *chromium*) echo "  chromium: only the browser tests need it; sudo apt-get install chromium";; esac; \
		fi; \
	fi
	@if [ ! -f $(SOUNDFONT) ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			install="env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq timgm6mb-soundfont"; \
			$$install >/dev/null 2>&1 || { apt-get update -qq && $$install >/dev/null; } \
				|| echo "optional timgm6mb-soundfont not installed: tunes play on the NumPy synthesizer"; \
		else echo "optional, for a piano sound: sudo apt-get install timgm6mb-soundfont"; fi; \
	fi

# tinysoundfont goes into the environment once it is built: a step of its own, before the test tools, so that under
# make -j no two pips install into the environment at once.
soundfont-player: .venv/installed
	@if ! $(BIN)/python -c "import tinysoundfont" 2>/dev/null; then \
		$(BIN)/pip install --quiet --no-deps $(TINYSOUNDFONT) \
			|| echo "optional $(TINYSOUNDFONT) not installed: tunes play on the NumPy synthesizer"; \
	fi

setup: .venv/installed system-packages soundfont-player

# What the tests need besides Python: a clear stop, not a failure deep inside a test.
test-packages: system-packages
	@command -v abc2midi >/dev/null || { echo "make test needs abc2midi (sudo apt-get install abcmidi)"; exit 1; }
	@[ -x /usr/bin/chromium ] || { echo "make test needs Chromium at /usr/bin/chromium (sudo apt-get install chromium)"; exit 1; }

# Execute every notebook in order (executed copies in runs/notebooks/$(PROFILE)); PROFILE=quick for the small,
# fast profile. run, test and lint are helpers/cli.py, which also serves where make is missing (python -m helpers.cli).
run: setup
	$(BIN)/python -m helpers.cli run --profile $(PROFILE)

# Lint (ruff, import-linter), then unit tests and every notebook in the quick profile; prints the line coverage of
# helpers/ (pytest-cov; the notebooks' own kernels are other processes, not measured).
# The set-up steps run two at a time (pip beside apt-get, the wheels' download beside the test tools' install);
# --jobs is in every make, macOS's 3.81 included (not --output-sync: their quiet lines may interleave).
COVERAGE := --cov --cov-report=term:skip-covered
test:
	$(MAKE) --jobs=2 test-setup
	PYTEST_ADDOPTS="$(COVERAGE) $$PYTEST_ADDOPTS" $(BIN)/python -m helpers.cli test

test-setup: setup .venv/tested .venv/wheels test-packages tex-packages

# The TeX packages the report needs (report/tex.sh), for the test that builds it: after the other system packages
# (one apt-get at a time), beside pip's work.
tex-packages: system-packages
	@bash report/tex.sh

# The fast tier, while working: every test not marked slow (no notebook, no real training), in a few minutes.
# `make test` (and CI) runs the slow ones too.
test-fast: setup .venv/tested test-packages
	MUSICRNN_PROFILE=quick $(BIN)/python -m pytest -m "not slow" -q

lint: setup .venv/tested
	$(BIN)/python -m helpers.cli lint

# Build report/build/main.pdf from results/$(PROFILE) and figures/$(PROFILE); installs TeX if it can.
report:
	bash report/build.sh $(PROFILE)

# Remove outputs from the notebooks before committing them.
strip: setup
	$(BIN)/jupyter nbconvert --clear-output --inplace $(NOTEBOOKS)

benchmark: setup
	$(BIN)/python benchmarks/train_throughput.py
	$(BIN)/python benchmarks/sample_speed.py
	$(BIN)/python benchmarks/plain_keras.py

# Kills at random moments (resumed = uninterrupted?), bad inputs and a seeded fuzz run (about 12 minutes).
robustness: setup
	$(BIN)/python benchmarks/kill_resume.py
	$(BIN)/python benchmarks/robustness.py

# Replace a committed ready-trained model (models/$(NAME)) with a finished run of the full profile.
RUN ?= runs/full/baseline
NAME ?= baseline
ship-model: setup
	$(BIN)/python -c "from helpers.rnn.runs import ship_model; print(ship_model('$(RUN)', name='$(NAME)'))"

# The shipped generator (models/folk-lstm): the dance-tune corpus in C, in the canonical ABC, a 2 x LSTM-512;
# resumes where a kill left it. Then 500 free samples at T = 1 are scored and the model is copied to models/ with its card (README.md).
train-shipped: setup
	$(BIN)/python -m helpers.rnn.shipped
	$(BIN)/python -m helpers.report.model_card

# The assignment: the student, solution and autograder editions in editions/ (otter assign; no network, no Docker).
assignment: setup .venv/tested
	$(BIN)/python -m helpers.assignment build

# Grade submissions offline: make grade SUBMISSIONS=path (a folder or zip: a folder or zip per student, or Canvas's or
# Gradescope's download); WORKERS=n grades n students at once (default one per core). Writes graded/: grades.csv,
# feedback/, manifest.csv and hand_scores.csv to fill in.
grade: setup .venv/tested
	@[ -n "$(SUBMISSIONS)" ] || { echo "usage: make grade SUBMISSIONS=folder-or-zip-of-submissions"; exit 2; }
	$(BIN)/python -m helpers.assignment grade "$(SUBMISSIONS)" $(if $(WORKERS),--workers $(WORKERS))

# The filled graded/hand_scores.csv into graded/grades.csv (totals) and graded/canvas_grades.csv; ROSTER= a Canvas
# gradebook export to match its students, ASSIGNMENT= the Canvas column, MERGE_FLAGS=--partial for blanks as 0.
.PHONY: merge-grades
ASSIGNMENT ?= Folk RNN assignment
merge-grades: setup .venv/tested
	$(BIN)/python -m helpers.assignment merge --assignment "$(ASSIGNMENT)" $(if $(ROSTER),--roster $(ROSTER)) $(MERGE_FLAGS)

