# Two commands on a fresh machine (Python 3.11+ with venv: Debian's python3-venv):
#   make run   - set up .venv with the dashboard, build the demo catalog from data/policies, serve the
#                dashboard and print its URL (PORT=8502 make run for another port)
#   make test  - set up .venv with everything and run the whole test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
DB     ?= catalog.db
PORT   ?= 8501
ADDRESS ?= 127.0.0.1
# the demo's policies: catalog.db is rebuilt when one of them changes
POLICIES := $(shell find data/policies -type f 2>/dev/null)

.PHONY: run test test-fast setup setup-run demo bench bench-linear bench-scale bench-store bench-ota bench-startup score score-keyfacts clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# what running needs (the CLI and the dashboard extra); `make test` installs everything (.installed)
$(BIN)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dashboard]"
	touch $@

$(BIN)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[all,test]"
	touch $@ $(BIN)/.installed-run

setup: $(BIN)/.installed

setup-run: $(BIN)/.installed-run

# a rebuild replaces each version's facts in place (review decisions survive)
$(DB): $(POLICIES) | $(BIN)/.installed-run
	$(BIN)/ropa build data/policies --db $(DB)
	touch $(DB)

demo: $(DB)

run: setup-run demo
	$(BIN)/ropa dashboard --db $(DB) --port $(PORT) --address $(ADDRESS)

test: setup
	$(BIN)/python -m pytest -q

# the quick loop while developing: everything but the browser, notebook, print and wheel tests
test-fast: setup
	$(BIN)/python -m pytest -q -m "not browser and not notebooks and not print and not wheel"

bench: setup
	$(BIN)/python bench/bench_build.py

# wall time of short commands (ropa --help, policies, a seed build) against python -c pass
bench-startup: setup
	$(BIN)/python bench/bench_startup.py

# 50 versions of one service built from a versions repository (build --ota), against the same files
bench-ota: setup
	$(BIN)/python bench/bench_ota.py

# seconds per MB of a build at 0.1, 1 and 10 MB (three shapes of text): linear means within 2x
bench-linear: setup
	$(BIN)/python bench/bench_linear.py

bench-scale: setup
	$(BIN)/python bench/make_corpus.py
	$(BIN)/python bench/bench_scale.py

# store, read back and file size of the 1,000-policy corpus, against the store of main at dc3a5bd (a
# git worktree at $(STORE_BASE), added when missing) in the same run
STORE_BASE ?= /tmp/store-base
bench-store: setup
	test -d bench/out/corpus || $(BIN)/python bench/make_corpus.py
	test -d $(STORE_BASE) || git worktree add --detach $(STORE_BASE) dc3a5bd
	$(BIN)/python bench/bench_store.py --baseline $(STORE_BASE)

score: setup
	$(BIN)/python bench/score_dev.py

# the key-fact gold of the development policies (../shared/corpus/key-facts), scored by its own score.py
score-keyfacts: setup
	$(BIN)/python bench/score_keyfacts.py

# everything set-up, the tests and the README's examples write into the checkout
clean:
	rm -rf $(VENV) $(DB) build dist *.egg-info catalog/*.egg-info test-artifacts .pytest_cache bench/out
	rm -f ropa.xlsx ropa.csv registre.xlsx catalog.json catalog.dot catalog.svg alibaba.yml changes.xlsx diff.xlsx
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
