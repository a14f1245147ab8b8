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
            libxxhash-dev poppler-utils python3-xapian wrk

PKGS    := xapian-core libevent libevent_pthreads libutf8proc jansson md4c libxml-2.0
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

CFLAGS   += $(CSTD) $(OPT) $(WARN) -Wstrict-prototypes -MMD -MP $(SANFLAGS) -Icommon $(PKG_CFLAGS)
CXXFLAGS += -std=c++17 $(OPT) $(WARN) -MMD -MP $(SANFLAGS) -Icommon $(PKG_CFLAGS)
LDFLAGS  += $(SANFLAGS)
LDLIBS   += $(PKG_LIBS) -lpthread -lm

COMMON_C   := $(sort $(wildcard common/*.c))
COMMON_CXX := $(sort $(wildcard common/*.cc))
COMMON_OBJ := $(COMMON_C:%.c=$(BUILD)/obj/%.o) $(COMMON_CXX:%.cc=$(BUILD)/obj/%.o)
INDEX_OBJ  := $(patsubst %.c,$(BUILD)/obj/%.o,$(sort $(wildcard indexer/*.c)))
SERVER_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(sort $(wildcard server/*.c)))
UNIT_SRC   := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN   := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/test/%)
LIB        := $(BUILD)/libsok.a

.PHONY: all deps build run test unit-test integration-test clean bench bench-http eval
.DEFAULT_GOAL := all

all: build

build: $(BUILD)/sok-index $(BUILD)/sok-server

# Install whatever Debian package is missing (as root on a fresh machine).
deps:
	@missing=""; for p in $(DEB_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "deps: installing$$missing"; \
	  if [ "$$(id -u)" != 0 ]; then echo "deps: run as root (or install:$$missing)" >&2; exit 1; fi; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing >/dev/null || exit 1; \
	fi

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/obj/%.o: %.cc
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -c $< -o $@

$(LIB): $(COMMON_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

# C++ objects in the library: link with the C++ driver so libstdc++ comes in.
$(BUILD)/sok-index: $(INDEX_OBJ) $(LIB)
	$(CXX) $(LDFLAGS) -o $@ $(INDEX_OBJ) $(LIB) $(LDLIBS)

$(BUILD)/sok-server: $(SERVER_OBJ) $(LIB)
	$(CXX) $(LDFLAGS) -o $@ $(SERVER_OBJ) $(LIB) $(LDLIBS)

$(BUILD)/test/%: $(BUILD)/obj/tests/unit/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS) -lcmocka

# Helper programs the tests use (corpus generator, ...).
$(BUILD)/tools/%: $(BUILD)/obj/tests/tools/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

unit-bins: $(UNIT_BIN)

# Unit tests run in the sanitizer build; integration tests use the normal
# binaries.  tests/run.sh prints the closing "N passed, N failed" line.
test: deps
	@$(MAKE) --no-print-directory build
	@$(MAKE) --no-print-directory SAN=address,undefined unit-bins
	@echo "== unit tests (sanitizer build: SAN=address,undefined, build/san/) =="
	@tests/run.sh build/san/test tests/integration

unit-test: deps
	@$(MAKE) --no-print-directory SAN=address,undefined unit-bins
	@tests/run.sh build/san/test ""

integration-test: deps build
	@tests/run.sh "" tests/integration

data/index: $(BUILD)/sok-index $(wildcard corpus/*)
	$(BUILD)/sok-index --db data/index corpus/
	@touch data/index

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

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
