# accord: one non-recursive Makefile (GNU make 3.81 compatible).
#
#   make               build/accord
#   make test          unit, specification and fixture tests
#   make check         the same tests under ASan + UBSan, then under TSan
#   make fuzz          libFuzzer targets, FUZZ_TIME seconds each (clang)
#   make demo          build and run accord on the bundled example
#   make bench         benchmarks
#   make format-check  clang-format, no changes allowed
#   make install       PREFIX=/usr/local DESTDIR=
#
# Objects live in build/<config>/ (release, asan, tsan, fuzz).

CONFIG ?= release
BUILD := build/$(CONFIG)
CC ?= cc
PKG_CONFIG ?= pkg-config
PREFIX ?= /usr/local
DESTDIR ?=
WERROR ?= -Werror
FUZZ_TIME ?= 30
SHARED ?= ../shared

PKGS := libuv libcurl libcjson yaml-0.1 libpcre2-8
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS))
PKG_LIBS = $(shell $(PKG_CONFIG) --libs $(PKGS))
CHECK_CFLAGS = $(shell $(PKG_CONFIG) --cflags check)
CHECK_LIBS = $(shell $(PKG_CONFIG) --libs check)

WARN := -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wvla -Wformat=2 -Wwrite-strings -Wundef
DEFS := -D_POSIX_C_SOURCE=200809L
ifeq ($(shell uname -s),Darwin)
DEFS += -D_DARWIN_C_SOURCE
endif

ifeq ($(CONFIG),asan)
OPT := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all
LDOPT := -fsanitize=address,undefined
else ifeq ($(CONFIG),tsan)
OPT := -O1 -g -fsanitize=thread -fno-omit-frame-pointer
LDOPT := -fsanitize=thread
else ifeq ($(CONFIG),fuzz)
CC := clang
OPT := -O1 -g -fsanitize=fuzzer-no-link,address,undefined \
	-fno-omit-frame-pointer -fno-sanitize-recover=all -DACCORD_FUZZ
LDOPT := -fsanitize=address,undefined
else
OPT := -O2 -g
LDOPT :=
endif

# V=1 shows full compiler command lines
ifeq ($(V),1)
Q_CC :=
else
Q_CC = @echo "  CC      $<";
endif

ALL_CFLAGS = -std=c11 $(WARN) $(WERROR) $(DEFS) $(OPT) -I. $(PKG_CFLAGS) \
	-MMD -MP $(CFLAGS)
ALL_LDFLAGS = $(LDOPT) $(LDFLAGS)

LIB_DIRS := common contracts stubserver verifier
# Dependency order for the linker: users before what they use.
LINK_ORDER := stubserver verifier contracts common
# A library's sources: its folder and one level of subfolders (contracts/
# is in layers: contracts/json/, contracts/model/, ...).
lib_srcs = $(wildcard $(1)/*.c $(1)/*/*.c)
lib_objs = $(patsubst %.c,$(BUILD)/%.o,$(call lib_srcs,$(1)))
# ar keeps archive members by file name, so two sources of one library
# with one name (match/x.c, gen/x.c) would leave only one object: refuse.
lib_names = $(notdir $(call lib_srcs,$(1)))
$(foreach d,$(LIB_DIRS),$(if $(filter-out $(words $(call lib_names,$(d))),\
	$(words $(sort $(call lib_names,$(d))))),\
	$(error $(d)/: two source files share one name)))
LIBS := $(foreach d,$(LINK_ORDER),$(if $(call lib_srcs,$(d)),$(BUILD)/lib$(d).a))

CLI_SRCS := $(wildcard cli/*.c)
CLI_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(CLI_SRCS))
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
TOOL_SRCS := $(wildcard tests/tools/*.c)
TOOL_BINS := $(patsubst tests/tools/%.c,$(BUILD)/tests/%,$(TOOL_SRCS))
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(patsubst tests/fuzz/%.c,build/fuzz/bin/%,$(FUZZ_SRCS))

ALL_SRCS := $(foreach d,$(LIB_DIRS),$(call lib_srcs,$(d))) $(CLI_SRCS) \
	$(UNIT_SRCS) $(TOOL_SRCS) $(FUZZ_SRCS)
FORMAT_FILES := $(filter-out %.d,$(ALL_SRCS) $(wildcard */*.h */*/*.h))

.PHONY: all build test test-run check fuzz fuzz-build demo bench \
	format format-check install clean deps

all: deps
	@$(MAKE) --no-print-directory build

build: build/accord

build/accord: $(BUILD)/accord
	@mkdir -p build
	@if [ "$(CONFIG)" = release ]; then cp $< $@.tmp && mv -f $@.tmp $@; fi

$(BUILD)/accord: $(CLI_OBJS) $(LIBS)
	$(CC) $(ALL_LDFLAGS) -o $@ $(CLI_OBJS) $(LIBS) $(PKG_LIBS) -lm -lpthread

define lib_rule
$(BUILD)/lib$(1).a: $(call lib_objs,$(1))
	@rm -f $$@
	$(AR) rcs $$@ $$^
endef
$(foreach d,$(LIB_DIRS),$(eval $(call lib_rule,$(d))))

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(Q_CC)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%.o: tests/unit/%.c
	@mkdir -p $(dir $@)
	$(Q_CC)$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -c -o $@ $<

$(BUILD)/tests/test_%: $(BUILD)/tests/test_%.o $(LIBS)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIBS) $(PKG_LIBS) $(CHECK_LIBS) -lm -lpthread

$(BUILD)/tests/tool_%.o: tests/tools/tool_%.c
	@mkdir -p $(dir $@)
	$(Q_CC)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/tool_%: $(BUILD)/tests/tool_%.o $(LIBS)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIBS) $(PKG_LIBS) -lm -lpthread

deps:
	@$(PKG_CONFIG) --exists $(PKGS) check 2>/dev/null || sh scripts/deps.sh

test: deps
	@$(MAKE) --no-print-directory test-run

test-run: $(BUILD)/accord $(UNIT_BINS) $(TOOL_BINS)
	@sh tests/run.sh $(BUILD) $(SHARED)

# ThreadSanitizer after ASan: the stub's worker threads (--workers), the
# libuv thread pool, accord diff's load threads (tests/run.sh collects
# the reports and handles kernels that randomise mmap too much for it)
check: deps
	@$(MAKE) --no-print-directory CONFIG=asan test-run
	@$(MAKE) --no-print-directory CONFIG=tsan test-run

# Each target runs FUZZ_TIME seconds; crashes, leaks and slow inputs
# (over 10 s) are saved in build/fuzz/ and fail the run after all targets.
fuzz: deps
	@sh scripts/deps.sh --fuzz
	@$(MAKE) --no-print-directory CONFIG=fuzz fuzz-build
	@fail=0; for f in $(FUZZ_BINS); do \
		n=$$(basename $$f); mkdir -p build/fuzz/corpus/$$n; \
		echo "fuzz: $$n for $(FUZZ_TIME)s"; \
		$$f -max_total_time=$(FUZZ_TIME) -max_len=65536 -timeout=10 \
			-rss_limit_mb=2048 -dict=tests/fuzz/pact.dict \
			-artifact_prefix=build/fuzz/$$n- \
			build/fuzz/corpus/$$n tests/fuzz/seeds/$$n \
			2>build/fuzz/$$n.log || { tail -40 build/fuzz/$$n.log; fail=1; }; \
		grep -aE '^#[0-9]+' build/fuzz/$$n.log | tail -1; \
	done; exit $$fail

fuzz-build: $(FUZZ_BINS)

build/fuzz/bin/%: tests/fuzz/%.c $(LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer -o $@ $< $(LIBS) $(PKG_LIBS) -lm -lpthread

demo: all
	@sh scripts/demo.sh

bench: all
	@SHARED=$(SHARED) sh bench/run.sh

format:
	clang-format -i $(FORMAT_FILES)

format-check:
	@clang-format --dry-run --Werror $(FORMAT_FILES) && echo "format-check: ok"

install: all
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 build/accord $(DESTDIR)$(PREFIX)/bin/accord

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
.SECONDARY:
