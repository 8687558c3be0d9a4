# pmemlab: build the probe, run the tests, lint, install.
# V=1 shows full commands.

.DELETE_ON_ERROR:
.PHONY: all check check-host check-vm check-sanitize lint install uninstall clean bench deps

CC        ?= cc
PREFIX    ?= /usr/local
DESTDIR   ?=
BUILD     ?= build
CFLAGS    ?= -O2 -g
WARNINGS  := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes
CPPFLAGS  += -D_GNU_SOURCE -Iprobe
LDLIBS    += -lpmem
SANITIZE  := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

PROBE_SRCS := $(sort $(wildcard probe/*.c))
PROBE_HDRS := $(wildcard probe/*.h)
PROBE_OBJS := $(PROBE_SRCS:probe/%.c=$(BUILD)/probe/%.o)
ASAN_OBJS  := $(PROBE_SRCS:probe/%.c=$(BUILD)/asan/%.o)
BENCH_BIN  := $(BUILD)/pagemap-per-page

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

$(BUILD)/probe/%.o: probe/%.c $(PROBE_HDRS)
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) -std=gnu11 $(WARNINGS) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# The same probe with AddressSanitizer and UBSan, for `make check`.
$(BUILD)/asan/pmemprobe: $(ASAN_OBJS)
	@echo "  LD      $@"
	$(Q)$(CC) $(SANITIZE) -g -O1 $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/asan/%.o: probe/%.c $(PROBE_HDRS)
	@mkdir -p $(@D)
	@echo "  CC      $@ (asan)"
	$(Q)$(CC) -std=gnu11 $(WARNINGS) $(CPPFLAGS) $(SANITIZE) -g -O1 -c -o $@ $<

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
	clang-format --dry-run --Werror $(PROBE_SRCS) $(PROBE_HDRS) $(wildcard bench/*.c tests/data/*.c)

bench: all $(BENCH_BIN)
	bench/run
	bench/vm

deps:
	scripts/install-deps

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pmemlab
	install -m 0755 $(BUILD)/pmemprobe $(DESTDIR)$(PREFIX)/bin/pmemprobe
	cp -R scripts vm fixtures $(DESTDIR)$(PREFIX)/lib/pmemlab/
	install -d $(DESTDIR)$(PREFIX)/lib/pmemlab/build
	install -m 0755 $(BUILD)/pmemprobe $(DESTDIR)$(PREFIX)/lib/pmemlab/build/pmemprobe
	ln -sf ../lib/pmemlab/scripts/pmemlab $(DESTDIR)$(PREFIX)/bin/pmemlab

uninstall:
	rm -rf $(DESTDIR)$(PREFIX)/lib/pmemlab
	rm -f $(DESTDIR)$(PREFIX)/bin/pmemprobe $(DESTDIR)$(PREFIX)/bin/pmemlab

clean:
	rm -rf $(BUILD)
