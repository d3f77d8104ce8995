# The course's two commands (see README.md):
#   make lab    set up .venv if needed, then open JupyterLab on the notebooks
#   make test   set up .venv if needed, then `ruff check` (pyflakes) on the code and
#               notebooks, then every unit test and every notebook
#               (make test BROWSER=1 adds the JupyterLab browser tests: needs /usr/bin/chromium)
# `make lab` installs requirements.txt (what the course needs); `make test` adds
# requirements-dev.txt (the maintainers' test tools). Set-up runs again only
# when those files or pyproject.toml change.
# torch comes first, from lstm_course/install.py: the CPU build on Linux without
# an NVIDIA GPU (PyTorch's CPU index), PyPI's (CUDA) build where nvidia-smi finds
# one, PyPI's on macOS and Windows. TORCH=cpu or TORCH=cuda forces it, also on an
# environment already set up: make lab TORCH=cpu (README, "Which PyTorch").

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.course-installed
DEV_STAMP := $(VENV)/.dev-installed
NOTEBOOKS ?= notebooks
LAB_ARGS ?=
# auto | cpu | cuda (see above)
TORCH ?=
# JupyterLab's interface language, opt-in: make lab LAB_LANG=zh_CN (LAB_LANG=en for English again).
# Installs the language pack and sets the locale in the environment's overrides.json; the course stays English.
LAB_LANG ?=
# Browser tests (tests/browser) run only with BROWSER=1; they include the static site's (make site first, when stale).
BROWSER ?=
# The static site (README, "Read the course without installing"): every notebook executed, one page each.
SITE ?= build/site
SITE_SOURCES := $(wildcard notebooks/*.ipynb) $(shell find lstm_course -name '*.py') site/package-lock.json
# JupyterLab refuses to run as root without this flag (containers, CI).
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: lab test setup check-clean strip torch lab-language site site-only

lab: $(STAMP) $(if $(TORCH),torch) $(if $(LAB_LANG),lab-language)
	$(BIN)/jupyter lab --ServerApp.root_dir=$(NOTEBOOKS) $(ROOT_FLAG) $(LAB_ARGS)

test: $(DEV_STAMP) $(if $(TORCH),torch) $(if $(BROWSER),site)
	$(BIN)/ruff check lstm_course tests benchmarks notebooks
	$(BIN)/python -m pytest -n 2 --dist loadscope $(if $(BROWSER),,-m "not browser")

setup: $(STAMP) $(if $(TORCH),torch)

site: $(if $(ONLY),site-only,$(SITE)/index.html)

$(SITE)/index.html: $(SITE_SOURCES) $(STAMP)
	$(BIN)/python -m lstm_course.site --out $(SITE)

# make site ONLY="00 01": those notebooks only; the index is dated 1970 so that the next plain `make site` rebuilds all
site-only: $(STAMP)
	$(BIN)/python -m lstm_course.site --out $(SITE) --only $(ONLY)
	touch -d @0 $(SITE)/index.html

lab-language: $(STAMP)
	$(BIN)/python -m lstm_course.environment --lab-language $(LAB_LANG)

# An explicit TORCH=cpu|cuda on an environment already set up: replaces torch if it is the other build.
torch: | $(BIN)/python
	$(BIN)/python lstm_course/install.py --torch $(TORCH)

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 10), "Python 3.10+ is needed, this is " + sys.version' \
	  || { echo "Install Python 3.10 or newer, or run: make PYTHON=python3.11 ..."; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.txt pyproject.toml lstm_course/install.py | $(BIN)/python
	$(BIN)/python lstm_course/install.py --torch $(or $(TORCH),auto)
	$(BIN)/python -m pip install -r requirements.txt
	$(BIN)/python -m pip install --no-deps -e .
	$(BIN)/python -m lstm_course.environment --install-lab-settings
	touch $(STAMP)

$(DEV_STAMP): requirements-dev.txt $(STAMP)
	$(BIN)/python -m pip install -r requirements-dev.txt
	touch $(DEV_STAMP)

# Notebooks are committed clean (nbstripout --keep-id: no outputs, execution counts,
# widget state or run metadata; cell ids kept). nbstripout is a test tool (requirements-dev.txt).
# The extra keys: the details of language_info a run adds (the committed notebooks keep only its name).
NB_EXTRA_KEYS := metadata.language_info.codemirror_mode metadata.language_info.file_extension metadata.language_info.mimetype metadata.language_info.nbconvert_exporter metadata.language_info.pygments_lexer metadata.language_info.version
NBSTRIPOUT = $(BIN)/nbstripout --keep-id --extra-keys "$(NB_EXTRA_KEYS)"

check-clean: $(DEV_STAMP)
	$(NBSTRIPOUT) --verify notebooks/*.ipynb

strip: $(DEV_STAMP)
	$(NBSTRIPOUT) notebooks/*.ipynb
