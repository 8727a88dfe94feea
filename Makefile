# Two commands set up everything from nothing on Debian/Ubuntu: `make run` and `make test`.
# Each step is skipped when it is already done, so both are fast the second time.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.hark-installed
# libportaudio2: sounddevice; libespeak-ng1: speech output; jackd2: real-time stream tests;
# xvfb and the xcb libraries: the desktop app on a virtual screen; sox: audio conversion;
# poppler-utils: tests render the communication passport PDF with pdftoppm; fonts-wqy-microhei:
# Chinese, Japanese and Korean names print on the passport (a fresh Debian has no font for them).
APT_PACKAGES := libportaudio2 libespeak-ng1 jackd2 xvfb libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0 sox alsa-utils poppler-utils fonts-wqy-microhei python3-venv
ARGS ?=

.PHONY: run test setup system-packages bench clean

run: setup
	$(BIN)/hark $(ARGS)

test: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/pytest

setup: system-packages $(STAMP)

system-packages:
	@sh scripts/ensure-system-packages.sh $(APT_PACKAGES)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Hark needs Python 3.11 or newer; $(PYTHON) is $$($(PYTHON) --version). Set PYTHON=python3.11 (or newer)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

bench: setup
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python -m benchmarks.run_all

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
