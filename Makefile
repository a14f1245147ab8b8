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

# Debian packages.  What building and running need (make run) ...
RUN_PKGS  := build-essential pkg-config \
             libxapian-dev libevent-dev libutf8proc-dev libjansson-dev \
             libmd4c-dev libxml2-dev libxxhash-dev libjemalloc-dev zlib1g-dev \
             poppler-utils hunspell-sv
# ... what building the Debian package needs (make deb) ...
DEB_BUILD_PKGS := debhelper dpkg-dev
# ... and what the tests add (make test): cmocka, the Python checks, the
# browser, the house rules, promtool (prometheus), GoAccess for the access
# log's format, jsonschema for the OpenAPI check, lintian and
# systemd-analyze for the package.
TEST_PKGS := libcmocka-dev curl python3 python3-xapian xapian-tools wrk \
             chromium pmccabe prometheus goaccess python3-jsonschema \
             lintian systemd $(DEB_BUILD_PKGS)

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

.PHONY: all deps test-deps deb-deps install uninstall deb build run test unit-bins unit-test integration-test clean \
        reliability \
        bench bench-deps bench-http bench-shards eval browser-deps browser-test fuzz fuzz-bins fuzz-deps
.DEFAULT_GOAL := all

all: build

build: $(BUILD)/sok-index $(BUILD)/sok-server

# Install whatever Debian package is missing (as root on a fresh machine).
deps:
	@tests/install-missing.sh deps $(RUN_PKGS)

test-deps: deps
	@tests/install-missing.sh test-deps $(TEST_PKGS)

deb-deps: deps
	@tests/install-missing.sh deb-deps $(DEB_BUILD_PKGS)

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
test: test-deps
	@$(MAKE) --no-print-directory build
	@$(MAKE) --no-print-directory deb
	@$(MAKE) --no-print-directory browser-deps
	@$(MAKE) --no-print-directory SAN=address,undefined build unit-bins
	@$(MAKE) --no-print-directory fuzz-bins
	@echo "== unit tests (sanitizer build: SAN=address,undefined, build/san/) =="
	@tests/run.sh build/san/test tests/integration

unit-test: test-deps
	@$(MAKE) --no-print-directory SAN=address,undefined unit-bins
	@tests/run.sh build/san/test ""

integration-test: test-deps build
	@tests/run.sh "" tests/integration

# ------------------------------------------------------------- fuzzing
#
# make fuzz-bins: the libFuzzer targets tests/fuzz/fuzz_<target>.c as
# build/fuzz/<target>, built with Debian's clang (-fsanitize=fuzzer with
# ASan and UBSan, every UB report fatal).  The sources they reach are
# compiled with -fsanitize=fuzzer-no-link into build/fuzz/obj and archived,
# so each target links only the objects it uses; --as-needed keeps Xapian
# out of the targets that never call the shim (only the tokeniser stems).
# make fuzz: the same, plus what tests/reliability/request_fuzz.py needs
# (build/sok-index and the sanitizer server build/san/sok-server).  Runs:
# tests/reliability/fuzz.py --seconds N, request_fuzz.py --n N.
# Debian's clang and its libFuzzer runtime, for make test as well.
FUZZ_PKGS    := clang libclang-rt-14-dev
TEST_PKGS    += $(FUZZ_PKGS)
FUZZ_CC      ?= clang
FUZZ_CXX     ?= clang++
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS   = $(CSTD) $(DEFS) -O1 -g $(WARN) -MMD -MP $(FUZZ_SAN) -Icommon -Iserver $(PKG_CFLAGS)
FUZZ_TARGETS := $(patsubst tests/fuzz/fuzz_%.c,%,$(sort $(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_BIN     := $(FUZZ_TARGETS:%=build/fuzz/%)
FUZZ_LIBOBJ  := $(COMMON_C:%.c=build/fuzz/obj/%.o) $(COMMON_CXX:%.cc=build/fuzz/obj/%.o) \
                build/fuzz/obj/server/query.o

build/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

build/fuzz/obj/%.o: %.cc
	@mkdir -p $(dir $@)
	$(FUZZ_CXX) -std=c++17 -O1 -g $(WARN) -MMD -MP $(FUZZ_SAN) -fsanitize=fuzzer-no-link -Icommon $(PKG_CFLAGS) -c $< -o $@

build/fuzz/libsokfuzz.a: $(FUZZ_LIBOBJ)
	rm -f $@ && ar rcs $@ $^

build/fuzz/%: build/fuzz/obj/tests/fuzz/fuzz_%.o build/fuzz/libsokfuzz.a
	$(FUZZ_CXX) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ -Wl,--as-needed $(LDLIBS)

# Kept, so that a second make relinks nothing.
.SECONDARY: $(FUZZ_TARGETS:%=build/fuzz/obj/tests/fuzz/fuzz_%.o)

fuzz-bins: $(FUZZ_BIN)

fuzz-deps: deps
	@tests/install-missing.sh fuzz-deps $(FUZZ_PKGS)

fuzz: fuzz-deps
	@$(MAKE) --no-print-directory fuzz-bins
	@$(MAKE) --no-print-directory build
	@$(MAKE) --no-print-directory SAN=address,undefined build

# make reliability: every scenario of tests/reliability/run.py (crash and
# lock, reads while writing, disk full, fuzzing, queries of death, HTTP
# limits, slow clients and descriptors, poisoned documents) at full size
# against the real binaries on 127.0.0.1, the sanitizer build of
# sok-server for the request fuzzing; one line a scenario, and
# build/reliability/report.md.  make test runs the short versions.
reliability: test-deps
	@$(MAKE) --no-print-directory fuzz
	$(PYTHON) tests/reliability/run.py

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
# omindex/Omega, Lucene 8.8, SQLite FTS5 and a bare evhttp server
# (tests/bench/bench.py, tests/bench/lucene.py).
# BENCH_DOCS=100000 (or 1000000) for a bigger synthetic corpus; corpora are
# cached in $(BUILD)/bench/corpus/.  Reports: $(BUILD)/bench/report.{md,json}.
# Its shards rows (sok-server --shards over 1, 2, 3 loopback xapian-tcpsrv)
# alone: make bench-shards; BENCH_SKIP=shards leaves them out of make bench.
BENCH_PKGS := gimp-help-sv libreoffice-help-sv debian-edu-doc-legacy-sv \
              hunspell hunspell-sv xapian-omega xapian-tools sqlite3 wrk \
              default-jdk-headless liblucene8-java
# Lucene beside sok (tests/bench/LuceneBench.java): Debian's jars, whatever
# version their names carry (liblucene8-java 8.8.1 ships them as *-8.7.0.jar).
LUCENE_JARS = $(foreach j,core analyzers-common highlighter queries memory,\
                $(lastword $(sort $(wildcard /usr/share/java/lucene-$(j)-8*.jar))))
LUCENE_CP = $(subst $(eval) ,:,$(strip $(LUCENE_JARS)))
$(BUILD)/obj/tests/bench/inproc.o: CFLAGS += -Iserver

$(BUILD)/bench/inproc: $(BUILD)/obj/tests/bench/inproc.o $(SRVLIB) $(LIB)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) -o $@ $< $(SRVLIB) $(LIB) $(LDLIBS)

bench-deps:
	@tests/install-missing.sh bench $(BENCH_PKGS)

$(BUILD)/bench/java/LuceneBench.class: tests/bench/LuceneBench.java
	@mkdir -p $(dir $@)
	javac -Xlint:all -d $(dir $@) -cp "$(LUCENE_CP)" $<

bench: deps bench-deps
	@$(MAKE) --no-print-directory build $(BUILD)/bench/hello $(BUILD)/bench/inproc \
	    $(BUILD)/bench/java/LuceneBench.class
	$(PYTHON) tests/bench/bench.py --build $(BUILD)

bench-shards: deps bench-deps
	@$(MAKE) --no-print-directory build
	$(PYTHON) tests/bench/bench.py shards $(BUILD)

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
# tests/integration/test_browser.py): Debian's chromium (in TEST_PKGS),
# Node.js with npm (Debian's nodejs and npm when no npm is installed) and
# package-lock.json's playwright-core and axe-core in node_modules/.
browser-deps: test-deps
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

# ---------------------------------------------------------- installing
#
# make install [PREFIX=/usr/local] [DESTDIR=...]: the programs, their man
# pages, the systemd units (their paths rewritten for PREFIX), the config
# files (kept when present), sysusers.d and tmpfiles.d entries, logrotate
# and cron.  make uninstall removes them again, but not the config files,
# the index or the logs.  The Debian package (make deb) installs the same
# with PREFIX=/usr.
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
SBINDIR    ?= $(PREFIX)/sbin
MANDIR     ?= $(PREFIX)/share/man
DOCDIR     ?= $(PREFIX)/share/doc/sok
SYSCONFDIR ?= $(if $(filter /usr,$(PREFIX)),/etc,$(PREFIX)/etc)
UNITDIR    ?= $(PREFIX)/lib/systemd/system
LIBDIR_SYS ?= $(PREFIX)/lib
INSTALL_CMD ?= install
UNITS      := indexer/sok-index.service indexer/sok-index.timer \
              server/sok-server.service
FIXPATHS    = sed -e 's|/usr/bin/sok-index|$(BINDIR)/sok-index|g' \
                  -e 's|/usr/sbin/sok-server|$(SBINDIR)/sok-server|g' \
                  -e 's|/etc/sok/|$(SYSCONFDIR)/sok/|g'

install: build
	$(INSTALL_CMD) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) \
	  $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man8 \
	  $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSCONFDIR)/sok \
	  $(DESTDIR)$(SYSCONFDIR)/logrotate.d $(DESTDIR)$(SYSCONFDIR)/cron.d \
	  $(DESTDIR)$(LIBDIR_SYS)/sysusers.d $(DESTDIR)$(LIBDIR_SYS)/tmpfiles.d
	$(INSTALL_CMD) -m 755 $(BUILD)/sok-index $(DESTDIR)$(BINDIR)/sok-index
	$(INSTALL_CMD) -m 755 $(BUILD)/sok-server $(DESTDIR)$(SBINDIR)/sok-server
	$(INSTALL_CMD) -m 644 indexer/sok-index.1 $(DESTDIR)$(MANDIR)/man1/
	$(INSTALL_CMD) -m 644 server/sok-server.8 $(DESTDIR)$(MANDIR)/man8/
	for u in $(UNITS); do \
	  $(FIXPATHS) $$u >$(DESTDIR)$(UNITDIR)/$$(basename $$u) && \
	  chmod 644 $(DESTDIR)$(UNITDIR)/$$(basename $$u) || exit 1; done
	$(FIXPATHS) indexer/sok-index.cron >$(DESTDIR)$(SYSCONFDIR)/cron.d/sok-index
	chmod 644 $(DESTDIR)$(SYSCONFDIR)/cron.d/sok-index
	$(INSTALL_CMD) -m 644 indexer/sok.logrotate $(DESTDIR)$(SYSCONFDIR)/logrotate.d/sok
	$(INSTALL_CMD) -m 644 indexer/sok.sysusers $(DESTDIR)$(LIBDIR_SYS)/sysusers.d/sok.conf
	$(INSTALL_CMD) -m 644 indexer/sok.tmpfiles $(DESTDIR)$(LIBDIR_SYS)/tmpfiles.d/sok.conf
	for c in server/sok-server.conf indexer/sok-index.conf; do \
	  t=$(DESTDIR)$(SYSCONFDIR)/sok/$$(basename $$c); \
	  [ -e $$t ] || $(INSTALL_CMD) -m 644 $$c $$t || exit 1; done
	@if [ -z "$(DESTDIR)" ] && command -v systemd-sysusers >/dev/null && [ -d /run/systemd/system ]; then \
	  systemd-sysusers sok.conf && systemd-tmpfiles --create sok.conf && systemctl daemon-reload; fi

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/sok-index $(DESTDIR)$(SBINDIR)/sok-server \
	  $(DESTDIR)$(MANDIR)/man1/sok-index.1 $(DESTDIR)$(MANDIR)/man8/sok-server.8 \
	  $(addprefix $(DESTDIR)$(UNITDIR)/,$(notdir $(UNITS))) \
	  $(DESTDIR)$(SYSCONFDIR)/cron.d/sok-index \
	  $(DESTDIR)$(SYSCONFDIR)/logrotate.d/sok \
	  $(DESTDIR)$(LIBDIR_SYS)/sysusers.d/sok.conf \
	  $(DESTDIR)$(LIBDIR_SYS)/tmpfiles.d/sok.conf

# make deb: the Debian package, built with dpkg-buildpackage from a copy of
# the sources in build/deb/ (so that its clean step and its output stay out
# of the work tree): build/deb/sok_$(VERSION)-1_*.deb.
DEB_SRC := Makefile LICENSE README.md common indexer server debian
deb: deb-deps
	rm -rf build/deb && mkdir -p build/deb/sok-$(VERSION)
	cp -a $(DEB_SRC) build/deb/sok-$(VERSION)/
	cd build/deb/sok-$(VERSION) && dpkg-buildpackage -us -uc -b -j$$(nproc) >../build.log 2>&1 \
	  || { tail -40 ../build.log; exit 1; }
	@ls build/deb/*.deb

clean:
	rm -rf build

-include $(shell find build -name '*.d' -type f 2>/dev/null)
