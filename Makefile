# Two commands on a fresh machine:
#   make run   - set up, build the demo catalog from data/policies, open the dashboard
#   make test  - set up and run the whole test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
DB     ?= catalog.db
PORT   ?= 8501

.PHONY: run test test-fast setup demo bench bench-linear bench-scale bench-ota score score-keyfacts clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dashboard,test,notebooks,scale]"
	touch $@

setup: $(BIN)/.installed

$(DB): $(BIN)/.installed
	$(BIN)/ropa build data/policies --db $(DB)

demo: $(DB)

run: demo
	ROPA_DB=$(DB) $(BIN)/streamlit run dashboard.py --server.port $(PORT) --server.address 127.0.0.1 --server.headless true

test: setup
	$(BIN)/python -m pytest -q

# the quick loop while developing: everything but the browser, notebook and print tests
test-fast: setup
	$(BIN)/python -m pytest -q -m "not browser and not notebooks and not print"

bench: setup
	$(BIN)/python bench/bench_build.py

# 50 versions of one service built from a versions repository (build --ota), against the same files
bench-ota: setup
	$(BIN)/python bench/bench_ota.py

# seconds per MB of a build at 0.1, 1 and 10 MB (three shapes of text): linear means within 2x
bench-linear: setup
	$(BIN)/python bench/bench_linear.py

bench-scale: setup
	$(BIN)/python bench/make_corpus.py
	$(BIN)/python bench/bench_scale.py

score: setup
	$(BIN)/python bench/score_dev.py

# the key-fact gold of the development policies (../shared/corpus/key-facts), scored by its own score.py
score-keyfacts: setup
	$(BIN)/python bench/score_keyfacts.py

clean:
	rm -rf $(VENV) $(DB) build *.egg-info test-artifacts
