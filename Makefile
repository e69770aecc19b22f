# lwtp: a policy compiler for Linux route (LWT_OUT) BPF programs.
#
#   make            install missing packages, build lwtc and lwtp, compile
#                   every policies/*.lwtp into out/*.o
#   make test       run the whole test suite
#   make install    install binaries and man pages (PREFIX, DESTDIR)

PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
MANDIR    ?= $(PREFIX)/share/man
# systemd units: /usr/local/lib/systemd/system is on systemd's path too
UNITDIR   ?= $(PREFIX)/lib/systemd/system
DESTDIR   ?=

CC        ?= gcc
CLANG     ?= clang
FLEX      ?= flex
BISON     ?= bison
CFLAGS    ?= -O2 -g
WARN      := -Wall -Wextra -Wno-unused-parameter -Wshadow -Wstrict-prototypes
# every compile lists the headers it read in OBJ.d (see the end of this file)
DEPFLAGS  := -MMD -MP
VERSION   := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)

B         := build
LWTC      := $(B)/lwtc
LWTP      := $(B)/lwtp

COMPILER_SRCS := $(wildcard compiler/*.c)
# the BPF C that lwtc writes into programs, embedded (scripts/bpf_texts.sh):
# the parts of the BPF side, and the types of the contract between lwtc and lwtp
BPF_TEXTS     := $(sort $(wildcard compiler/bpf/*.bpf.h)) include/lwtp_contract.h
COMPILER_GEN  := $(B)/compiler/lexer.c $(B)/compiler/parser.c $(B)/compiler/bpf_texts.c
# headers the build makes: there before any compiler source is compiled
COMPILER_GEN_H := $(B)/compiler/lexer.h $(B)/compiler/parser.h $(B)/compiler/bpf_texts.h \
                  $(B)/compiler/reserved.inc
COMPILER_OBJS := $(patsubst compiler/%.c,$(B)/compiler/%.o,$(COMPILER_SRCS)) \
                 $(COMPILER_GEN:.c=.o)
COMPILER_CPPFLAGS := -Iinclude -Icompiler -I$(B)/compiler \
	-DLWTC_VERSION='"$(VERSION)"' \
	-DLWTC_DEFAULT_CLANG='"$(CLANG)"' \
	-DLWTC_MULTIARCH_INCLUDE='"/usr/include/$(MULTIARCH)"'

RUNTIME_SRCS := $(wildcard runtime/*.c)
RUNTIME_OBJS := $(patsubst runtime/%.c,$(B)/runtime/%.o,$(RUNTIME_SRCS))
RUNTIME_CPPFLAGS := -Iinclude -Iruntime -DLWTP_VERSION='"$(VERSION)"'
# lwtc links the parts of a large file with libbpf's linker (compiler/clang.c)
COMPILER_LIBS := -lbpf -lelf -lz
RUNTIME_LIBS := -lbpf -lelf -lz -lm -lpcap -lmnl -lmicrohttpd -lpthread

POLICIES  := $(wildcard policies/*.lwtp)
OBJECTS   := $(patsubst policies/%.lwtp,out/%.o,$(POLICIES))

.PHONY: all deps compiler runtime policies test install clean
.DELETE_ON_ERROR:

all: deps
	@$(MAKE) --no-print-directory compiler runtime policies

deps:
	@sh scripts/deps.sh

compiler: $(LWTC)

runtime: $(LWTP)

policies: $(OBJECTS)

# ---- lwtc -----------------------------------------------------------------

$(B)/compiler/lexer.c: compiler/lexer.l $(B)/compiler/parser.c
	@mkdir -p $(@D)
	$(FLEX) --header-file=$(B)/compiler/lexer.h -o $@ $<

$(B)/compiler/parser.c: compiler/parser.y
	@mkdir -p $(@D)
	$(BISON) -Wall -Werror --defines=$(B)/compiler/parser.h -o $@ $<

# flex and bison write these with their C
$(B)/compiler/lexer.h: $(B)/compiler/lexer.c
$(B)/compiler/parser.h: $(B)/compiler/parser.c

$(B)/compiler/reserved.inc: scripts/reserved.sh
	@mkdir -p $(@D)
	sh scripts/reserved.sh "$(CLANG)" "/usr/include/$(MULTIARCH)" > $@

# compiler/bpf/NAME.bpf.h as const char bpf_text_NAME[] (emit_prelude.c), the
# contract's @part NAME as bpf_text_contract_NAME (emit_maps.c)
$(B)/compiler/bpf_texts.c: scripts/bpf_texts.sh $(BPF_TEXTS)
	@mkdir -p $(@D)
	sh scripts/bpf_texts.sh c $(BPF_TEXTS) > $@

$(B)/compiler/bpf_texts.h: scripts/bpf_texts.sh $(BPF_TEXTS)
	@mkdir -p $(@D)
	sh scripts/bpf_texts.sh h $(BPF_TEXTS) > $@

$(B)/compiler/%.o: compiler/%.c $(B)/compiler/%.d | $(COMPILER_GEN_H)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(WARN) $(DEPFLAGS) $(COMPILER_CPPFLAGS) -c -o $@ $<

$(B)/compiler/bpf_texts.o: %.o: %.c %.d | $(COMPILER_GEN_H)
	$(CC) $(CFLAGS) $(WARN) $(DEPFLAGS) $(COMPILER_CPPFLAGS) -c -o $@ $<

# flex and bison output does not pass our warning set
$(B)/compiler/lexer.o $(B)/compiler/parser.o: %.o: %.c %.d | $(COMPILER_GEN_H)
	$(CC) $(CFLAGS) $(DEPFLAGS) $(COMPILER_CPPFLAGS) -c -o $@ $<

$(LWTC): $(COMPILER_OBJS)
	$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(COMPILER_LIBS)

# ---- lwtp ------------------------------------------------------------------

$(B)/runtime/%.o: runtime/%.c $(B)/runtime/%.d
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(WARN) $(DEPFLAGS) $(RUNTIME_CPPFLAGS) -c -o $@ $<

$(LWTP): $(RUNTIME_OBJS)
	$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(RUNTIME_LIBS)

# ---- the object collection --------------------------------------------------

# a policy may read set files next to it (file "NAME.txt")
out/%.o: policies/%.lwtp $(LWTC) $(wildcard policies/*.txt)
	@mkdir -p out
	$(LWTC) $< -o $@

# ---- tests and benchmarks (tests/, bench/) ------------------------------------
#
#   make test         build what the tests need (as far as it builds) and run
#                     every suite: tests/run.sh [SUITE...]; UPDATE=1 rewrites
#                     the diag suite's expectations for review
#   make bench        every policy against hand-written C and an empty
#                     program, set sizes, compile times, verifier and JIT
#                     sizes, lwtp replay's packets/s (bench/run.sh:
#                     BENCHMARKS.md; BENCH_ROUNDS, BENCH_COMPILE_RUNS,
#                     REPLAY_ROUNDS), then bench-egress
#   make bench-sets   the set-size table alone (bench/sets.sh)
#   make bench-egress the real egress path: lwtp on a route against nftables
#                     and iptables, ns/packet (bench/egress.sh, EGRESS_ROUNDS)

TEST_LDLIBS  := -lbpf -lelf -lz -lpcap -lmnl
TOOL_CPPFLAGS := -Itests/tools -Iinclude -Iruntime
BPF_CFLAGS   := -O2 -g -Wall -target bpf -I/usr/include/$(MULTIARCH) -Iinclude
# The programs are tests/tools/NAME.c and bench/NAME.c; every other .c there
# is their library (libtools.a, libbench.a; bench/egress_send.c builds
# alone), from which each takes what it needs, then from lwtp's own code
# (liblwtp.a: runtime/ but main.c), so that caserun runs the behaviour cases
# through lwtp replay's core.
TOOLS        := loadcheck caserun mapdump sendudp pcapgen sendpkt routerun
BENCH_TOOLS  := bench refcheck mapfill replayfloor
TEST_TOOLS   := $(addprefix $(B)/tests/,$(TOOLS))
TOOL_LIB_OBJS := $(patsubst tests/tools/%.c,$(B)/tests/obj/%.o, \
                 $(filter-out $(TOOLS:%=tests/tools/%.c),$(wildcard tests/tools/*.c)))
BENCH_LIB_OBJS := $(patsubst bench/%.c,$(B)/bench/obj/%.o, \
                  $(filter-out %.bpf.c bench/egress_send.c $(BENCH_TOOLS:%=bench/%.c),$(wildcard bench/*.c)))
TOOL_OBJS    := $(TOOLS:%=$(B)/tests/obj/%.o) $(TOOL_LIB_OBJS) $(B)/tests/obj/genpolicy.o \
                $(BENCH_TOOLS:%=$(B)/bench/obj/%.o) $(BENCH_LIB_OBJS)
TEST_BPF     := $(patsubst tests/tools/testdata/%.bpf.c,$(B)/tests/%.bpf.o,$(wildcard tests/tools/testdata/*.bpf.c))
BENCH_BPF    := $(patsubst bench/%.bpf.c,$(B)/bench/%.bpf.o,$(wildcard bench/*.bpf.c))

.PHONY: test-tools bench bench-sets

test-tools: $(TEST_TOOLS) $(TEST_BPF) $(BENCH_BPF) $(B)/bench/bench

$(B)/tests/obj/%.o: tests/tools/%.c $(B)/tests/obj/%.d
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(WARN) $(DEPFLAGS) $(TOOL_CPPFLAGS) -c -o $@ $<

$(B)/bench/obj/%.o: bench/%.c $(B)/bench/obj/%.d
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(WARN) $(DEPFLAGS) $(TOOL_CPPFLAGS) -c -o $@ $<

$(B)/tests/libtools.a: $(TOOL_LIB_OBJS)
$(B)/bench/libbench.a: $(BENCH_LIB_OBJS)
$(B)/tests/liblwtp.a: $(filter-out $(B)/runtime/main.o,$(RUNTIME_OBJS))
$(B)/tests/libtools.a $(B)/bench/libbench.a $(B)/tests/liblwtp.a:
	@mkdir -p $(@D)
	rm -f $@ && $(AR) rcs $@ $^

$(TEST_TOOLS): $(B)/tests/%: $(B)/tests/obj/%.o $(B)/tests/libtools.a $(B)/tests/liblwtp.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(TEST_LDLIBS)

$(B)/bench/bench $(B)/bench/refcheck $(B)/bench/mapfill $(B)/bench/replayfloor: $(B)/bench/%: $(B)/bench/obj/%.o $(B)/bench/libbench.a \
		$(B)/tests/libtools.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(TEST_LDLIBS)

$(B)/tests/%.bpf.o: tests/tools/testdata/%.bpf.c $(B)/tests/%.bpf.d
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) $(DEPFLAGS) -c -o $@ $<

$(B)/bench/%.bpf.o: bench/%.bpf.c $(B)/bench/%.bpf.d
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) $(DEPFLAGS) -c -o $@ $<

# Suites run even when something failed to build: that is their failure.
test:
	-@$(MAKE) --no-print-directory -k compiler runtime policies test-tools asan $(B)/tests/genpolicy
	@bash tests/run.sh

bench: deps bench-deps
	@$(MAKE) --no-print-directory compiler runtime policies $(BENCH_BPF) $(B)/bench/bench \
		$(B)/bench/refcheck $(B)/bench/mapfill $(B)/tests/loadcheck \
		$(B)/bench/replayfloor $(B)/tests/pcapgen
	bash bench/run.sh
	@$(MAKE) --no-print-directory bench-egress

# sets of 10, 1,000 and 100,000 prefixes (bench/sets.sh)
bench-sets: deps
	@$(MAKE) --no-print-directory compiler $(BENCH_BPF) $(B)/bench/bench
	bash bench/sets.sh

# the real egress path, veth between namespaces (bench/egress.sh; nftables
# and iptables: scripts/deps.sh bench)
EGRESS_ROUNDS ?= 25

.PHONY: bench-egress bench-deps

bench-deps:
	@sh scripts/deps.sh bench

$(B)/bench/egress_send: bench/egress_send.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(WARN) -o $@ $<

bench-egress: bench-deps
	@$(MAKE) --no-print-directory compiler $(B)/bench/egress_send
	bash bench/egress.sh $(EGRESS_ROUNDS)

# ---- sanitizers, fuzzing, generated policies (tests/fuzz, tests/property) ----
#
#   make asan         build/asan/lwtc and build/asan/lwtp: lwtc and lwtp with
#                     AddressSanitizer and UBSan
#   make test-asan    the whole suite again with them (tests/run.sh asan)
#   make fuzz         libFuzzer on the front end for FUZZ_SECONDS (120);
#                     fails on any finding (left in build/fuzz/)
#   make stress       STRESS_N (5000) generated policies through lwtc, clang
#                     and the verifier (suite property); STRESS_SEED to
#                     repeat a run

SAN_FLAGS     := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
                 -fno-sanitize-recover=all
ASAN_LWTC     := $(B)/asan/lwtc
ASAN_OBJS     := $(patsubst $(B)/compiler/%,$(B)/asan/compiler/%,$(COMPILER_OBJS))
ASAN_LWTP     := $(B)/asan/lwtp
ASAN_RT_OBJS  := $(patsubst $(B)/runtime/%,$(B)/asan/runtime/%,$(RUNTIME_OBJS))
FUZZ_SECONDS  ?= 120
FUZZ_SRCS     := $(filter-out compiler/main.c,$(COMPILER_SRCS)) $(COMPILER_GEN)
STRESS_N      ?= 5000
STRESS_SEED   ?= $(shell date +%s)

.PHONY: asan test-asan fuzz fuzz-deps stress

asan: $(ASAN_LWTC) $(ASAN_LWTP)

$(B)/asan/compiler/%.o: compiler/%.c $(B)/asan/compiler/%.d | $(COMPILER_GEN_H)
	@mkdir -p $(@D)
	$(CC) $(SAN_FLAGS) $(WARN) $(DEPFLAGS) $(COMPILER_CPPFLAGS) -c -o $@ $<

$(B)/asan/compiler/bpf_texts.o: $(B)/asan/compiler/%.o: $(B)/compiler/%.c $(B)/asan/compiler/%.d \
		| $(COMPILER_GEN_H)
	@mkdir -p $(@D)
	$(CC) $(SAN_FLAGS) $(WARN) $(DEPFLAGS) $(COMPILER_CPPFLAGS) -c -o $@ $<

$(B)/asan/compiler/lexer.o $(B)/asan/compiler/parser.o: $(B)/asan/compiler/%.o: $(B)/compiler/%.c \
		$(B)/asan/compiler/%.d | $(COMPILER_GEN_H)
	@mkdir -p $(@D)
	$(CC) $(SAN_FLAGS) $(DEPFLAGS) $(COMPILER_CPPFLAGS) -c -o $@ $<

$(ASAN_LWTC): $(ASAN_OBJS)
	$(CC) $(SAN_FLAGS) -o $@ $^ $(LDFLAGS) $(COMPILER_LIBS)

$(B)/asan/runtime/%.o: runtime/%.c $(B)/asan/runtime/%.d
	@mkdir -p $(@D)
	$(CC) $(SAN_FLAGS) $(WARN) $(DEPFLAGS) $(RUNTIME_CPPFLAGS) -c -o $@ $<

$(ASAN_LWTP): $(ASAN_RT_OBJS)
	$(CC) $(SAN_FLAGS) -o $@ $^ $(LDFLAGS) $(RUNTIME_LIBS)

test-asan:
	-@$(MAKE) --no-print-directory -k compiler runtime policies asan test-tools $(B)/tests/genpolicy
	@bash tests/run.sh asan

$(B)/tests/obj/genpolicy.o: tests/property/genpolicy.c $(B)/tests/obj/genpolicy.d
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(WARN) $(DEPFLAGS) -Icompiler -c -o $@ $<

$(B)/tests/genpolicy: $(B)/tests/obj/genpolicy.o $(B)/compiler/fields.o
	$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS)

stress:
	-@$(MAKE) --no-print-directory -k compiler test-tools $(B)/tests/genpolicy
	@PROPERTY_N=$(STRESS_N) PROPERTY_SEED=$(STRESS_SEED) bash tests/run.sh property

fuzz-deps:
	@sh scripts/deps.sh fuzz

# one compile of every source: every header counts
$(B)/fuzz/fuzz_lwtc: tests/fuzz/fuzz_lwtc.c $(FUZZ_SRCS) $(COMPILER_GEN_H) $(wildcard compiler/*.h include/*.h)
	@mkdir -p $(@D)
	$(CLANG) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		$(COMPILER_CPPFLAGS) -o $@ tests/fuzz/fuzz_lwtc.c $(FUZZ_SRCS) $(COMPILER_LIBS)

fuzz: fuzz-deps
	@$(MAKE) --no-print-directory $(B)/fuzz/fuzz_lwtc $(B)/tests/genpolicy
	@rm -rf $(B)/fuzz/seeds && sh tests/fuzz/seeds.sh $(B)/fuzz/seeds
	@mkdir -p $(B)/fuzz/corpus
	$(B)/fuzz/fuzz_lwtc -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
		-max_len=8192 -print_final_stats=1 -dict=tests/fuzz/lwtp.dict \
		-artifact_prefix=$(B)/fuzz/ $(B)/fuzz/corpus $(B)/fuzz/seeds

# ---- the kernel matrix (tests/kernels) ----------------------------------------
#
#   make test-kernels  boot Debian's 6.1 and 6.12 kernels in qemu (TCG; nothing
#                      installed on the host) and run the checks objects, load,
#                      behaviour and replay in each (tests/kernels/run.sh);
#                      KERNELS="6.1 6.12", KERNEL_CHECKS, QUICK=1 for CI;
#                      results in build/kernels/results/

.PHONY: test-kernels

test-kernels: deps
	@$(MAKE) --no-print-directory compiler runtime policies test-tools $(B)/tests/genpolicy
	@bash tests/kernels/run.sh

# ---- housekeeping -----------------------------------------------------------

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 0755 $(LWTC) $(DESTDIR)$(BINDIR)/lwtc
	install -m 0644 docs/lwtc.1 $(DESTDIR)$(MANDIR)/man1/lwtc.1
	install -m 0755 $(LWTP) $(DESTDIR)$(BINDIR)/lwtp
	install -m 0644 docs/lwtp.1 $(DESTDIR)$(MANDIR)/man1/lwtp.1
	install -d $(DESTDIR)$(UNITDIR)
	sed 's|@BINDIR@|$(BINDIR)|g' runtime/systemd/lwtp-exporter.service.in > $(DESTDIR)$(UNITDIR)/lwtp-exporter.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/lwtp-exporter.service

clean:
	rm -rf $(B) out/*.o

# ---- header dependencies -------------------------------------------------------
#
# Each compile above writes the headers its source read to OBJ.d (DEPFLAGS:
# -MMD -MP), which make reads back. An object whose .d is missing (new, or
# built before there were any) is compiled again: the empty rule makes the
# missing .d count as new.

DEPS := $(patsubst %.o,%.d,$(COMPILER_OBJS) $(RUNTIME_OBJS) $(ASAN_OBJS) $(ASAN_RT_OBJS) \
        $(TOOL_OBJS) $(TEST_BPF) $(BENCH_BPF))

$(DEPS):

include $(wildcard $(DEPS))
