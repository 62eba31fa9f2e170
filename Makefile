# summarizer — `make help` lists the targets. Everything a fresh machine needs is installed from here.
SHELL := /bin/bash
.DEFAULT_GOAL := help
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
export CMAKE_BUILD_PARALLEL_LEVEL ?= $(shell nproc)

.PHONY: help install system-deps run test test-fast lint typecheck bench model clean

help: ## Show this help
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(UV):
	python3 -m venv $(TOOLS)
	$(TOOLS)/bin/pip install -q "uv==$(UV_VERSION)"

# llama.cpp is built for this CPU (-march=native) without its AMX kernels: on virtualised Sapphire
# and Granite Rapids hosts they segfault on the first inference (ggml-org/llama.cpp#20824, seen here).
# GCC's -mno-* win over -march=native in any order. They go in as build config settings, not CFLAGS,
# because uv keys its cache of built wheels by config settings and not by the environment.
ifeq ($(shell uname -m),x86_64)
NO_AMX := -mno-amx-tile -mno-amx-int8 -mno-amx-bf16
LLAMA_BUILD ?= --config-settings-package "llama-cpp-python:cmake.define.CMAKE_C_FLAGS=$(NO_AMX)" \
  --config-settings-package "llama-cpp-python:cmake.define.CMAKE_CXX_FLAGS=$(NO_AMX)"
endif

$(VENV)/.installed: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --extra local $(LLAMA_BUILD)   # builds llama.cpp from source the first time (~6 min on 2 cores)
	touch $@

install: $(VENV)/.installed ## Install Python deps (pinned by uv.lock) and build llama.cpp

system-deps: ## Install the Debian packages the tests need (redis-server; chromium for the docs page), if missing
	@command -v redis-server >/dev/null && command -v chromium >/dev/null || { \
	  echo "installing redis-server and chromium (apt)"; \
	  (apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server chromium >/dev/null; }

model: install ## Download and verify the local model (~1.1 GB, once)
	$(VENV)/bin/summarizer model pull

run: install ## Serve the API on http://127.0.0.1:8000 (local model unless SUMMARIZER_LLM_BASE_URL is set)
	$(VENV)/bin/summarizer serve

test: install system-deps model ## Run the whole test suite, the real-model end-to-end tests included
	$(PY) -m pytest; status=$$?; \
	  if [ $$status -eq 5 ]; then echo "pytest collected no tests: failing"; exit 1; fi; exit $$status

test-fast: install ## Tests without the real local model
	$(PY) -m pytest -m "not slow"

lint: install ## ruff + mypy --strict
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy summarizer tests bench

bench: install model ## Benchmarks (ratios against a baseline run in the same process)
	$(PY) -m bench

clean: ## Remove the virtual environments (the model cache in ~/.cache/summarizer stays)
	rm -rf $(VENV) $(TOOLS)
