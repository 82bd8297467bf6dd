# Task runner for the course. The two commands a newcomer needs:
#   make book   set up the environment, build the book, say where it is
#   make test   set up the environment (system packages too), run every test
# Everything else here is a step of those two, or a convenience.

SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# Pinned so that a fresh machine resolves exactly what CI used.
UV_VERSION := 0.13.9
# Debian packages the tests need: the browser for the real-browser tests, and ip
# (iproute2) to build the book in a network namespace with no network.
APT_PACKAGES := chromium iproute2 bubblewrap poppler-utils postgresql
PORT ?= 8000
# Which edition "make book" and "make pdf" build: student (default) or instructor
# (teaching notes and answer keys; never shared with students).
EDITION ?= student
# Submissions per grading benchmark in 'make bench' (enough for a stable ratio on 2 cores).
BENCH_STUDENTS ?= 40
# Browser assets the built book serves itself (MathJax) and axe-core for the
# accessibility tests: pinned in web/package-lock.json.
# Submissions graded locally and on a Dask LocalCluster by 'make bench'.
SCALE_STUDENTS ?= 500
WEB_STAMP := web/node_modules/.installed

.PHONY: help setup system book pdf serve test lint bench lock clean class-notebooks

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11) and "Python 3.11 is required, found " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt requirements-test.txt pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	# Bytecode compiled now: jailed grading kernels see the venv read-only and would
	# otherwise compile IPython, ipykernel, zmq and nbgrader at every start.
	$(BIN)/uv pip sync --python $(BIN)/python --quiet --compile-bytecode requirements.txt requirements-test.txt
	$(BIN)/uv pip install --python $(BIN)/python --quiet --no-deps --compile-bytecode --editable .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (ipykernel)" >/dev/null
	touch $@

$(WEB_STAMP): web/package.json web/package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed for the book's browser assets: install Node.js 20 and npm (Debian: apt-get install nodejs npm)"; exit 1; }
	cd web && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $@

setup: $(VENV)/.installed $(WEB_STAMP)  ## create the virtual environment and install the npm assets, all pinned

system:  ## install the Debian packages the tests need (as root), if missing
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "Please install these Debian packages (as root):$$missing"; exit 1; fi; \
	fi

book: setup  ## build the book (warnings are errors; EDITION=instructor for the instructor edition)
	$(BIN)/python -m solidarity_course.book --edition $(EDITION)
	@echo
	@echo "The book is in $(CURDIR)/$(if $(filter instructor,$(EDITION)),_build/instructor/html,_build/html) (start page: index.html)."
	@echo "Serve it with 'make serve' and open http://127.0.0.1:$(PORT)/ in a browser."

CLASS_DIR ?= _build/class-notebooks
class-notebooks: setup  ## the chapters as .ipynb notebooks for a class (no outputs), in $(CLASS_DIR)
	@mkdir -p $(CLASS_DIR)
	@for page in chapters/[0-9]*.md; do \
	  $(BIN)/jupytext --quiet --to ipynb --output $(CLASS_DIR)/$$(basename $$page .md).ipynb $$page || exit 1; \
	done
	@echo "Class copies of the chapters are in $(CLASS_DIR): hand out the .ipynb files."

pdf: book  ## print the book (and, for students, a source packet per chapter) to PDF with Chromium
	$(BIN)/python -m solidarity_course.printing --edition $(EDITION)

serve: setup  ## serve the built book on http://127.0.0.1:$(PORT)/ (gzip, like a static host)
	$(BIN)/python -m solidarity_course.serve --port $(PORT) --directory _build/html

test: setup system  ## run the whole test suite (builds the book in a temporary folder)
	$(BIN)/python -m pytest

lint: setup  ## ruff over the package, tests and benchmarks; mypy over quiz/ and sphinx/; deptry
	$(BIN)/ruff check solidarity_course tests bench
	$(BIN)/mypy
	$(BIN)/deptry solidarity_course

bench: setup  ## run the benchmarks and print their figures
	$(BIN)/python bench/build_times.py
	$(BIN)/python bench/page_weight.py
	$(BIN)/python bench/grading_speed.py --students $(BENCH_STUDENTS)
	$(BIN)/python bench/sandbox_overhead.py --students $(BENCH_STUDENTS)
	$(BIN)/python bench/report_speed.py --students 1000
	$(BIN)/python bench/print_times.py
	$(BIN)/python bench/cluster_scale.py --students $(SCALE_STUDENTS)

# rfc3987-syntax (jsonschema's IRI format checker, pulled in by jupyter-events) builds 38
# lark grammars when imported, and jsonschema imports it whenever it is installed: 1.4 s
# added to every process that imports nbformat (each course-grade command, each grading
# worker). Nothing here validates IRIs, so it (and lark, which only it needs) is left out.
NOT_INSTALLED := --no-emit-package rfc3987-syntax --no-emit-package lark

lock:  ## recompile the pinned requirements from the .in files
	$(BIN)/uv pip compile --quiet --python-version 3.11 $(NOT_INSTALLED) requirements.in -o requirements.txt
	$(BIN)/uv pip compile --quiet --python-version 3.11 requirements-test.in -o requirements-test.txt

clean:  ## remove the built book and its execution cache
	rm -rf _build
