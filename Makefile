# pmsim: the two commands a user needs are `make lab` and `make test`.
#
#   make lab        set up .venv and start JupyterLab on notebooks/
#   make test       set up .venv and run every test (unit, doctests, properties,
#                   notebooks through nbval, browser tests)
#   make dashboard  serve the what-if dashboard with Voila on 127.0.0.1
#                   (PROJECT=path: a folder, .xlsx, .xml, .mpp or .xer; else the sample)
#   make report     render every notebook to offline HTML under build/report/
#   make docs       build the documentation site into build/docs/html/ (index.html)
#   make bench      run the benchmarks and update benchmarks/RESULTS.md
#   make screenshots  the README's dashboard screenshots, taken in Chromium (docs/dashboard*.png)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PORT   ?= 8866
# Extra options for `make dashboard`: --token (ask for a generated token: see README, Security), --open.
VOILA_ARGS ?=
# Jupyter refuses to run as root (containers, CI machines) unless told it may.
ROOT_OK := $(if $(filter 0,$(shell id -u)),--ServerApp.allow_root=True)

.PHONY: install lab test dashboard report docs bench screenshots clean

install: $(STAMP)

# Re-installs only when pyproject.toml changes; otherwise does nothing.
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "pmsim needs Python 3.11 or newer (found: $$($(PYTHON) --version))"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || \
	  { rm -rf $(VENV); echo "Could not create a virtual environment. On Debian/Ubuntu: sudo apt-get install python3-venv"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[all]'
	@touch $(STAMP)

lab: install
	@echo "Starting JupyterLab on notebooks/; open the http://127.0.0.1:... URL printed below."
	$(BIN)/jupyter lab --notebook-dir=notebooks --ServerApp.ip=127.0.0.1 --no-browser $(ROOT_OK)

test: install
	$(BIN)/python -m pytest

dashboard: install
	$(BIN)/python -m pmsim.widgets $(if $(PROJECT),"$(PROJECT)") --port=$(PORT) $(VOILA_ARGS)

report: install
	$(BIN)/python -m pmsim.render notebooks build/report

# The site's sources are the README, docs/ and the notebooks (docs/conf.py); any warning fails the build.
DOCS ?= build/docs/html
docs: install
	$(BIN)/python -m sphinx -b html -c docs -W --keep-going -q . $(DOCS)
	@echo "The documentation: $(DOCS)/index.html"

bench: install
	$(BIN)/python benchmarks/bench_cpm.py
	$(BIN)/python benchmarks/bench_montecarlo.py
	$(BIN)/python benchmarks/bench_levelling.py
	$(BIN)/python benchmarks/bench_widgets.py
	$(BIN)/python benchmarks/bench_calendars.py
	$(BIN)/python benchmarks/bench_level_calendars.py
	$(BIN)/python benchmarks/bench_import.py
	$(BIN)/python benchmarks/bench_dashboard_page.py

# The README's dashboard screenshots, taken in Chromium by the page benchmark (which also writes its
# page-load and change latencies to benchmarks/RESULTS.md).
screenshots: install
	$(BIN)/python benchmarks/bench_dashboard_page.py --screenshots docs

clean:
	rm -rf $(VENV) build .pytest_cache .hypothesis
