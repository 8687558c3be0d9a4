# pmemlab: build the probe, run the tests, lint, install.
# V=1 shows full commands.

.DELETE_ON_ERROR:
.PHONY: all check check-host lint install uninstall clean bench deps \
	fuzz fuzz-build valgrind

CC        ?= cc
PREFIX    ?= /usr/local
DESTDIR   ?=
MANDIR    ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
BUILD     ?= build
CFLAGS    ?= -O2 -g
WARNINGS  := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes
# One version for pmemlab (scripts/pmemlab --version reads the file) and
# pmemprobe (the macro).
VERSION   := $(shell cat VERSION)
CPPFLAGS  += -D_GNU_SOURCE -Iprobe -DPMEMLAB_VERSION="\"$(VERSION)\""
LDLIBS    += -lpmem
SANITIZE  := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

PROBE_SRCS := $(sort $(wildcard probe/*.c))
PROBE_HDRS := $(wildcard probe/*.h)
PROBE_OBJS := $(PROBE_SRCS:probe/%.c=$(BUILD)/probe/%.o)
ASAN_OBJS  := $(PROBE_SRCS:probe/%.c=$(BUILD)/asan/%.o)
BENCH_BIN  := $(BUILD)/pagemap-per-page
MAN_PAGES  := scripts/pmemlab.1 probe/pmemprobe.1
COMPLETION := scripts/completion/pmemlab.bash

SHELL_FILES = $(shell git ls-files -co --exclude-standard -- '*.sh' '*.bash' '*.bats' scripts vm fixtures bench .ci \
		| while read -r f; do [ -f "$$f" ] || continue; case "$$f" in (*.sh|*.bash|*.bats) echo "$$f";; \
		(*) head -n1 "$$f" | grep -qE '^#!.*(sh|bash)' && echo "$$f";; esac; done | sort -u)

ifeq ($(V),1)
Q :=
else
Q := @
endif

all: $(BUILD)/pmemprobe

$(BUILD)/pmemprobe: $(PROBE_OBJS)
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/probe/%.o: probe/%.c $(PROBE_HDRS) VERSION
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) -std=gnu11 $(WARNINGS) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# The same probe with AddressSanitizer and UBSan, for `make check`.
$(BUILD)/asan/pmemprobe: $(ASAN_OBJS)
	@echo "  LD      $@"
	$(Q)$(CC) $(SANITIZE) -g -O1 $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/asan/%.o: probe/%.c $(PROBE_HDRS) VERSION
	@mkdir -p $(@D)
	@echo "  CC      $@ (asan)"
	$(Q)$(CC) -std=gnu11 $(WARNINGS) $(CPPFLAGS) $(SANITIZE) -g -O1 -c -o $@ $<

# libFuzzer harnesses for the probe's parsers (clang's libFuzzer runtime,
# Debian package libclang-rt-14-dev). `make fuzz` replays the regression
# inputs, then fuzzes each parser for FUZZ_SECONDS on a scratch copy of its
# seed corpus (fuzz/corpus/NAME stays as committed). See docs/PROBE.md.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 20
FUZZERS      := iomem mountinfo size pagemap sysfs smaps
FUZZ_BINS    := $(FUZZERS:%=$(BUILD)/fuzz/%)
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -g -O1
# -max_len per parser: iomem and mountinfo lines, a --size argument, and
# enough pagemap entries for two 2 MiB windows of 4 KiB pages.
FUZZ_MAXLEN_iomem     := 8192
FUZZ_MAXLEN_mountinfo := 4096
FUZZ_MAXLEN_size      := 64
FUZZ_MAXLEN_pagemap   := 8400
FUZZ_MAXLEN_sysfs     := 2048
FUZZ_MAXLEN_smaps     := 4096

$(BUILD)/fuzz/iomem:     $(BUILD)/fuzz/obj/iomem.o
$(BUILD)/fuzz/mountinfo: $(BUILD)/fuzz/obj/mountinfo.o
$(BUILD)/fuzz/size:      $(BUILD)/fuzz/obj/size.o
$(BUILD)/fuzz/pagemap:   $(BUILD)/fuzz/obj/classify.o $(BUILD)/fuzz/obj/iomem.o
$(BUILD)/fuzz/sysfs:     $(BUILD)/fuzz/obj/ndsysfs.o $(BUILD)/fuzz/obj/daxtrace.o $(BUILD)/fuzz/obj/iomem.o
$(BUILD)/fuzz/smaps:     $(BUILD)/fuzz/obj/smaps.o $(BUILD)/fuzz/obj/vmstat.o

# Say what is missing instead of a link error.
FUZZ_RT       = $(shell $(FUZZ_CC) -print-file-name=libclang_rt.fuzzer-$(shell uname -m).a 2>/dev/null)
FUZZ_NEED_RT  = @test -e "$(FUZZ_RT)" || { echo "$(FUZZ_CC) has no libFuzzer runtime" \
		"(libclang_rt.fuzzer-$$(uname -m).a): apt-get install libclang-rt-14-dev" >&2; exit 1; }

$(FUZZ_BINS): $(BUILD)/fuzz/%: fuzz/%.c fuzz/fuzz.h $(PROBE_HDRS)
	$(FUZZ_NEED_RT)
	@mkdir -p $(@D)
	@echo "  FUZZ-LD $@"
	$(Q)$(FUZZ_CC) -std=gnu11 $(WARNINGS) $(CPPFLAGS) -fsanitize=fuzzer $(FUZZ_SAN) \
		-o $@ $< $(filter %.o,$^)

$(BUILD)/fuzz/obj/%.o: probe/%.c $(PROBE_HDRS)
	$(FUZZ_NEED_RT)
	@mkdir -p $(@D)
	@echo "  FUZZ-CC $@"
	$(Q)$(FUZZ_CC) -std=gnu11 $(WARNINGS) $(CPPFLAGS) -fsanitize=fuzzer-no-link $(FUZZ_SAN) \
		-c -o $@ $<

fuzz-build: $(FUZZ_BINS)

fuzz: $(FUZZ_BINS)
	fuzz/run.sh $(BUILD)/fuzz $(FUZZ_SECONDS) $(foreach f,$(FUZZERS),$(f):$(FUZZ_MAXLEN_$(f)))

# pmemprobe under valgrind (memcheck): a few representative runs and error paths.
valgrind: all
	tests/probe-valgrind.sh $(BUILD)/pmemprobe

$(BENCH_BIN): bench/pagemap-per-page.c
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) -std=gnu11 $(WARNINGS) $(CPPFLAGS) -O2 -o $@ $<

# Host tests need no guest; vm tests boot QEMU guests (TCG here).
# scripts/check installs missing packages first (as root), then builds.
check:
	scripts/check

check-host:
	scripts/check --host-only

lint:
	shellcheck -x $(SHELL_FILES)
	@# one layout (tabs, .editorconfig); bats files are outside shfmt's grammar.
	@# Quote associative-array keys ("virtio-pmem"): shfmt formats a bare one as arithmetic.
	shfmt -d $(filter-out %.bats,$(SHELL_FILES))
	@# pipes into grep -q or head fail at random under pipefail (SIGPIPE)
	scripts/lint-pipes $(SHELL_FILES)
	@# the guest runs these under busybox sh: a syntax error there kills PID 1
	for f in vm/guest/init vm/guest/lib.sh fixtures/run fixtures/*.sh; do busybox sh -n "$$f" || exit 1; done
	clang-format --dry-run --Werror $(PROBE_SRCS) $(PROBE_HDRS) $(wildcard bench/*.c bench/*/*.c tests/data/*.c) \
		$(wildcard fuzz/*.c fuzz/*.h)
	@# man(7) pages: groff's warnings (-ww) are errors
	for m in $(MAN_PAGES); do w=$$(groff -man -ww -z "$$m" 2>&1) && [ -z "$$w" ] || { echo "$$w" >&2; exit 1; }; done

bench: all $(BENCH_BIN)
	bench/run
	bench/speed
	bench/vm
	bench/matrix
	bench/exec

deps:
	scripts/install-deps

# The binaries, the tree pmemlab runs from (lib/pmemlab, with VERSION),
# the man pages and pmemlab's bash completion.
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pmemlab \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(BASHCOMPDIR)
	install -m 0755 $(BUILD)/pmemprobe $(DESTDIR)$(PREFIX)/bin/pmemprobe
	cp -R scripts vm fixtures $(DESTDIR)$(PREFIX)/lib/pmemlab/
	install -m 0644 VERSION $(DESTDIR)$(PREFIX)/lib/pmemlab/VERSION
	install -d $(DESTDIR)$(PREFIX)/lib/pmemlab/build
	install -m 0755 $(BUILD)/pmemprobe $(DESTDIR)$(PREFIX)/lib/pmemlab/build/pmemprobe
	ln -sf ../lib/pmemlab/scripts/pmemlab $(DESTDIR)$(PREFIX)/bin/pmemlab
	install -m 0644 $(MAN_PAGES) $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 $(COMPLETION) $(DESTDIR)$(BASHCOMPDIR)/pmemlab

uninstall:
	rm -rf $(DESTDIR)$(PREFIX)/lib/pmemlab
	rm -f $(DESTDIR)$(PREFIX)/bin/pmemprobe $(DESTDIR)$(PREFIX)/bin/pmemlab
	rm -f $(DESTDIR)$(MANDIR)/man1/pmemlab.1 $(DESTDIR)$(MANDIR)/man1/pmemprobe.1
	rm -f $(DESTDIR)$(BASHCOMPDIR)/pmemlab

clean:
	rm -rf $(BUILD)
