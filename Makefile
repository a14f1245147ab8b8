# sok — Swedish full-text search.
#
#   make run    install what is missing, build, index corpus/, serve :8080
#   make test   install what is missing, build, run every test
#
# SAN=address,undefined builds everything with those sanitizers (into
# build/san/ so it never mixes with the normal build).

CC      ?= cc
CXX     ?= c++
PYTHON  := /usr/bin/python3

# Debian packages the build, the tests and the tools need.
DEB_PKGS := build-essential pkg-config curl python3 \
            libxapian-dev xapian-tools libevent-dev libutf8proc-dev \
            libjansson-dev libcmocka-dev libmd4c-dev libxml2-dev \
            libxxhash-dev libjemalloc-dev poppler-utils python3-xapian wrk \
            hunspell-sv chromium pmccabe

PKGS    := xapian-core libevent libevent_pthreads libutf8proc jansson md4c libxml-2.0 zlib
# pkg-config is only asked once the packages exist (make deps runs first).
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lxxhash

WARN     := -Wall -Wextra -Wshadow -Wno-unused-parameter
CSTD     := -std=c17 -D_GNU_SOURCE
OPT      ?= -O2 -g

ifdef SAN
BUILD    := build/san
SANFLAGS := -fsanitize=$(SAN) -fno-omit-frame-pointer -fno-sanitize-recover=all
OPT      := -O1 -g
else
BUILD    := build
SANFLAGS :=
endif

# Hardening for a daemon that faces the public: fortified libc calls, stack
# canaries, a position-independent executable and a read-only GOT.
HARDEN_C  := -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
HARDEN_LD := -pie -Wl,-z,relro,-z,now

# The release (debian/changelog says the same) and the Xapian it is built
# with, for --version, /healthz and sok_build_info.
VERSION  := 1.0.0
XAPIAN_VERSION = $(shell pkg-config --modversion xapian-core 2>/dev/null)
DEFS      = -DSOK_VERSION='"$(VERSION)"' -DSOK_XAPIAN_VERSION='"$(XAPIAN_VERSION)"'

CFLAGS   += $(CSTD) $(DEFS) $(OPT) $(WARN) -Wstrict-prototypes -MMD -MP $(SANFLAGS) $(HARDEN_C) -Icommon $(PKG_CFLAGS)
CXXFLAGS += -std=c++17 $(OPT) $(WARN) -MMD -MP $(SANFLAGS) $(HARDEN_C) -Icommon $(PKG_CFLAGS)
LDFLAGS  += $(SANFLAGS) $(HARDEN_LD)
LDLIBS   += $(PKG_LIBS) -lpthread -lm
# jemalloc for the binaries: Xapian's writer is a storm of small std::map
# and std::string allocations, which jemalloc serves faster than glibc's
# malloc, with less memory (README, "Choices").  The sanitizer build keeps
# the sanitizer's own allocator.
ifndef SAN
MALLOC_LIB := -ljemalloc
endif

COMMON_C   := $(sort $(wildcard common/*.c))
COMMON_CXX := $(sort $(wildcard common/*.cc))
COMMON_OBJ := $(COMMON_C:%.c=$(BUILD)/obj/%.o) $(COMMON_CXX:%.cc=$(BUILD)/obj/%.o)
INDEX_OBJ  := $(patsubst %.c,$(BUILD)/obj/%.o,$(sort $(wildcard indexer/*.c)))
SERVER_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(sort $(wildcard server/*.c)))
# Everything of the server but main(): the search, HTTP and rendering
# objects that the unit tests and the in-process bench link as well.
SRVLIB_OBJ := $(filter-out $(BUILD)/obj/server/main.o,$(SERVER_OBJ))
UNIT_SRC   := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN   := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/test/%)
LIB        := $(BUILD)/libsok.a
SRVLIB     := $(BUILD)/libsokserver.a

.PHONY: all deps build run test unit-bins unit-test integration-test clean \
        bench bench-deps bench-http eval browser-deps browser-test
.DEFAULT_GOAL := all

all: build

build: $(BUILD)/sok-index $(BUILD)/sok-server

# Install whatever Debian package is missing (as root on a fresh machine).
deps:
	@tests/install-missing.sh deps $(DEB_PKGS)

# The page's CSS and JS are assembled into the binary (.incbin), which
# -MMD does not see.
$(BUILD)/obj/server/page_assets.o: $(wildcard server/assets/*)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/obj/%.o: %.cc
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -c $< -o $@

$(LIB): $(COMMON_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(SRVLIB): $(SRVLIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

# C++ objects in the library: link with the C++ driver so libstdc++ comes in.
$(BUILD)/sok-index: $(INDEX_OBJ) $(LIB)
	$(CXX) $(LDFLAGS) -o $@ $(INDEX_OBJ) $(LIB) $(LDLIBS) $(MALLOC_LIB)

$(BUILD)/sok-server: $(BUILD)/obj/server/main.o $(SRVLIB) $(LIB)
	$(CXX) $(LDFLAGS) -o $@ $< $(SRVLIB) $(LIB) $(LDLIBS)

# Unit tests see the server's headers and link its library.
$(BUILD)/obj/tests/unit/%.o: CFLAGS += -Iserver

$(BUILD)/test/%: $(BUILD)/obj/tests/unit/%.o $(SRVLIB) $(LIB)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) -o $@ $< $(SRVLIB) $(LIB) $(LDLIBS) -lcmocka

unit-bins: $(UNIT_BIN)

# Unit tests run in the sanitizer build; integration tests use the normal
# binaries, but for test_spell_rebuild.py, which runs the sanitizer build's
# sok-server.  tests/run.sh prints the closing "N passed, N failed" line.
test: deps
	@$(MAKE) --no-print-directory build
	@$(MAKE) --no-print-directory browser-deps
	@$(MAKE) --no-print-directory SAN=address,undefined build unit-bins
	@echo "== unit tests (sanitizer build: SAN=address,undefined, build/san/) =="
	@tests/run.sh build/san/test tests/integration

unit-test: deps
	@$(MAKE) --no-print-directory SAN=address,undefined unit-bins
	@tests/run.sh build/san/test ""

integration-test: deps build
	@tests/run.sh "" tests/integration

run: deps
	@$(MAKE) --no-print-directory build
	$(BUILD)/sok-index --db data/index corpus/
	$(BUILD)/sok-server --db data/index --listen 127.0.0.1:8080

# HTTP throughput: wrk against sok-server and, in the same run, a bare
# single-threaded evhttp server with a 1 KiB body (the ceiling).
$(BUILD)/bench/hello: tests/bench/hello.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(LDFLAGS) -levent

bench-http: deps
	@$(MAKE) --no-print-directory build $(BUILD)/bench/hello
	tests/bench/bench_http.sh $(BUILD)

# make bench: sok's indexing and query speed and memory, side by side with
# omindex/Omega, SQLite FTS5 and a bare evhttp server (tests/bench/bench.py).
# BENCH_DOCS=100000 (or 1000000) for a bigger synthetic corpus; corpora are
# cached in $(BUILD)/bench/corpus/.  Reports: $(BUILD)/bench/report.{md,json}.
BENCH_PKGS := gimp-help-sv libreoffice-help-sv debian-edu-doc-legacy-sv \
              hunspell hunspell-sv xapian-omega sqlite3 wrk
$(BUILD)/obj/tests/bench/inproc.o: CFLAGS += -Iserver

$(BUILD)/bench/inproc: $(BUILD)/obj/tests/bench/inproc.o $(SRVLIB) $(LIB)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) -o $@ $< $(SRVLIB) $(LIB) $(LDLIBS)

bench-deps:
	@tests/install-missing.sh bench $(BENCH_PKGS)

bench: deps bench-deps
	@$(MAKE) --no-print-directory build $(BUILD)/bench/hello $(BUILD)/bench/inproc
	$(PYTHON) tests/bench/bench.py --build $(BUILD)

# make eval: relevance with the Swedish features (compounds, edit
# tolerance, accent folding, joining, proximity) on and off (--plain), on
# the public seed set, gimp-help-sv known-item queries and the sections of
# long documents (cfi-sv as HTML and as Chromium's PDF print,
# lifelines-doc-sv), side by side, with query latency p50
# (tests/eval/eval_all.py).
eval: deps
	@tests/install-missing.sh eval gimp-help-sv cfi-sv lifelines-doc-sv
	@$(MAKE) --no-print-directory build
	$(PYTHON) tests/eval/eval_all.py $(BUILD) ../shared /usr/share/gimp/2.0/help/sv

# Browser tests (tests/browser/run.mjs, run by make test through
# tests/integration/test_browser.py): Debian's chromium (in DEB_PKGS),
# Node.js with npm (Debian's nodejs and npm when no npm is installed) and
# package-lock.json's playwright-core and axe-core in node_modules/.
browser-deps: deps
	@command -v npm >/dev/null 2>&1 || { \
	  echo "browser-deps: installing nodejs npm"; \
	  if [ "$$(id -u)" != 0 ]; then echo "browser-deps: run as root (or install nodejs npm)" >&2; exit 1; fi; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get update -qq && apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null || exit 1; }
	@$(MAKE) --no-print-directory node_modules/.package-lock.json

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

browser-test: browser-deps
	@$(MAKE) --no-print-directory build
	@$(PYTHON) tests/integration/test_browser.py

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
