# lwtp: a policy compiler for Linux route (LWT_OUT) BPF programs.
#
#   make            install missing packages, build lwtc and lwtp, compile
#                   every policies/*.lwtp into out/*.o
#   make test       run the whole test suite
#   make install    install binaries and man pages (PREFIX, DESTDIR)

PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
MANDIR    ?= $(PREFIX)/share/man
DESTDIR   ?=

CC        ?= gcc
CLANG     ?= clang
FLEX      ?= flex
BISON     ?= bison
CFLAGS    ?= -O2 -g
WARN      := -Wall -Wextra -Wno-unused-parameter -Wshadow -Wstrict-prototypes
VERSION   := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)

B         := build
LWTC      := $(B)/lwtc
LWTP      := $(B)/lwtp

COMPILER_SRCS := $(wildcard compiler/*.c)
COMPILER_GEN  := $(B)/compiler/lexer.c $(B)/compiler/parser.c
COMPILER_OBJS := $(patsubst compiler/%.c,$(B)/compiler/%.o,$(COMPILER_SRCS)) \
                 $(COMPILER_GEN:.c=.o)
COMPILER_CPPFLAGS := -Icompiler -I$(B)/compiler \
	-DLWTC_VERSION='"$(VERSION)"' \
	-DLWTC_DEFAULT_CLANG='"$(CLANG)"' \
	-DLWTC_MULTIARCH_INCLUDE='"/usr/include/$(MULTIARCH)"'

RUNTIME_SRCS := $(wildcard runtime/*.c)
RUNTIME_OBJS := $(patsubst runtime/%.c,$(B)/runtime/%.o,$(RUNTIME_SRCS))
RUNTIME_CPPFLAGS := -Iruntime -DLWTP_VERSION='"$(VERSION)"'
RUNTIME_LIBS := -lbpf -lelf -lz -lm

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

$(B)/compiler/reserved.inc: scripts/reserved.sh
	@mkdir -p $(@D)
	sh scripts/reserved.sh "$(CLANG)" "/usr/include/$(MULTIARCH)" > $@

$(B)/compiler/%.o: compiler/%.c $(COMPILER_GEN) $(B)/compiler/reserved.inc $(wildcard compiler/*.h)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(WARN) $(COMPILER_CPPFLAGS) -c -o $@ $<

# flex and bison output does not pass our warning set
$(B)/compiler/lexer.o $(B)/compiler/parser.o: $(B)/compiler/%.o: $(B)/compiler/%.c $(wildcard compiler/*.h)
	$(CC) $(CFLAGS) $(COMPILER_CPPFLAGS) -c -o $@ $<

$(LWTC): $(COMPILER_OBJS)
	$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS)

# ---- lwtp ------------------------------------------------------------------

$(B)/runtime/%.o: runtime/%.c $(wildcard runtime/*.h)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(WARN) $(RUNTIME_CPPFLAGS) -c -o $@ $<

$(LWTP): $(RUNTIME_OBJS)
	$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(RUNTIME_LIBS)

# ---- the object collection --------------------------------------------------

out/%.o: policies/%.lwtp $(LWTC)
	@mkdir -p out
	$(LWTC) $< -o $@

# ---- tests and benchmarks (tests/, bench/) ------------------------------------
#
#   make test         build what the tests need (as far as it builds) and run
#                     every suite: tests/run.sh [SUITE...]; UPDATE=1 rewrites
#                     the diag suite's expectations for review
#   make bench        lwtc's len_hist against the kernel doc's, ns/packet

TEST_LDLIBS  := -lbpf -lelf -lz
BPF_CFLAGS   := -O2 -g -Wall -target bpf -I/usr/include/$(MULTIARCH)
TEST_TOOLS   := $(addprefix $(B)/tests/,loadcheck caserun mapdump sendudp)
TEST_BPF     := $(patsubst tests/tools/testdata/%.bpf.c,$(B)/tests/%.bpf.o,$(wildcard tests/tools/testdata/*.bpf.c))
BENCH_BPF    := $(patsubst bench/%.bpf.c,$(B)/bench/%.bpf.o,$(wildcard bench/*.bpf.c))
TOOL_HDRS    := $(wildcard tests/tools/*.h)

.PHONY: test-tools bench

test-tools: $(TEST_TOOLS) $(TEST_BPF) $(BENCH_BPF) $(B)/bench/bench

$(B)/tests/loadcheck: tests/tools/loadcheck.c tests/tools/objload.c $(TOOL_HDRS)
$(B)/tests/caserun: tests/tools/caserun.c tests/tools/objload.c tests/tools/mapdec.c tests/tools/pkt.c $(TOOL_HDRS)
$(B)/tests/mapdump: tests/tools/mapdump.c tests/tools/mapdec.c $(TOOL_HDRS)
$(B)/tests/sendudp: tests/tools/sendudp.c
$(B)/bench/bench: bench/bench.c tests/tools/objload.c tests/tools/pkt.c $(TOOL_HDRS)

$(TEST_TOOLS) $(B)/bench/bench:
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(WARN) -Itests/tools -o $@ $(filter %.c,$^) $(LDFLAGS) $(TEST_LDLIBS)

$(B)/tests/%.bpf.o: tests/tools/testdata/%.bpf.c
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c -o $@ $<

$(B)/bench/%.bpf.o: bench/%.bpf.c
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c -o $@ $<

# Suites run even when something failed to build: that is their failure.
test:
	-@$(MAKE) --no-print-directory -k compiler policies test-tools
	@bash tests/run.sh

bench: deps
	@$(MAKE) --no-print-directory compiler out/len_hist.o $(BENCH_BPF) $(B)/bench/bench
	$(B)/bench/bench out/len_hist.o:len_hist $(B)/bench/len_hist_ref.bpf.o:len_hist $(B)/bench/empty.bpf.o:empty

# ---- housekeeping -----------------------------------------------------------

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 0755 $(LWTC) $(DESTDIR)$(BINDIR)/lwtc
	install -m 0644 docs/lwtc.1 $(DESTDIR)$(MANDIR)/man1/lwtc.1
	install -m 0755 $(LWTP) $(DESTDIR)$(BINDIR)/lwtp
	install -m 0644 docs/lwtp.1 $(DESTDIR)$(MANDIR)/man1/lwtp.1

clean:
	rm -rf $(B) out/*.o
