# Two commands on a fresh machine: `make demo` and `make test`. Each bootstraps .venv first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: demo test lint bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
# (setuptools warns about every editable install; nothing in it concerns this project)
	PYTHONWARNINGS=ignore $(PY) -m pip install --quiet -e '.[viz,dev]'
	touch $@

demo: $(VENV)/.installed
	$(PY) -m tinygrad_act xor --compare

test: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(PY) -m pytest

bench: $(VENV)/.installed
	$(PY) benchmarks/core.py
	$(PY) benchmarks/mnist_epoch.py
	$(PY) benchmarks/activations.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
