# Fabrik -- portable Makefile (GNU make and BSD make).
# Settings come from config.mk, written by ./configure.

.POSIX:

include config.mk

FAB_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -Isrc -Wall -Wextra -Werror \
	-Wshadow -Wpointer-arith -Wstrict-prototypes -Wmissing-prototypes \
	-Wno-unused-parameter $(CFLAGS)

MAIN_SRC = src/fabrik.c
LIB_SRCS != find src -name '*.c' ! -name fabrik.c | LC_ALL=C sort
LIB_OBJS = $(LIB_SRCS:.c=.o)
HDRS != find src -name '*.h' | LC_ALL=C sort
UNIT_SRCS != find t/unit -name '*.c' | LC_ALL=C sort
UNIT_TESTS = $(UNIT_SRCS:.c=.t)
FUZZ_SRCS != find contrib/fuzz -name 'fuzz_*.c' | LC_ALL=C sort
FUZZ_REPLAY = $(FUZZ_SRCS:.c=.replay)
FUZZ_LIBFUZZER = $(FUZZ_SRCS:.c=.fuzz)

all: fabrik

.SUFFIXES: .c .o
.c.o:
	$(CC) $(FAB_CFLAGS) -c -o $@ $<

$(LIB_OBJS) src/fabrik.o t/tap.o: $(HDRS) config.mk

libfabrik.a: $(LIB_OBJS)
	rm -f $@
	$(AR) rcs $@ $(LIB_OBJS)

fabrik: src/fabrik.o libfabrik.a
	$(CC) $(FAB_CFLAGS) $(LDFLAGS) -o $@ src/fabrik.o libfabrik.a $(LIBS)

t/tap.o: t/tap.c t/tap.h
	$(CC) $(FAB_CFLAGS) -It -c -o $@ t/tap.c

$(UNIT_TESTS): t/tap.o libfabrik.a $(HDRS)
.SUFFIXES: .t
.c.t:
	$(CC) $(FAB_CFLAGS) -It $(LDFLAGS) -o $@ $< t/tap.o libfabrik.a $(LIBS)

# Each fuzz target builds two ways: a replay binary (any compiler, runs the
# seed corpus; used by make check) and a libFuzzer binary (make fuzz, clang).
contrib/fuzz/replay.o: contrib/fuzz/replay.c
	$(CC) $(FAB_CFLAGS) -c -o $@ contrib/fuzz/replay.c
.SUFFIXES: .replay .fuzz
.c.replay:
	$(CC) $(FAB_CFLAGS) $(LDFLAGS) -o $@ $< contrib/fuzz/replay.o libfabrik.a $(LIBS)
$(FUZZ_REPLAY): contrib/fuzz/replay.o libfabrik.a

.c.fuzz:
	clang $(FAB_CFLAGS) -fsanitize=fuzzer,address,undefined -o $@ $< \
	    $(LIB_SRCS) $(LIBS)

fuzz: $(FUZZ_LIBFUZZER)

# Micro-benchmarks (contrib/bench/*.c); the scripts there run the rest.
BENCH_SRCS != find contrib/bench -name '*.c' | LC_ALL=C sort
BENCH_BINS = $(BENCH_SRCS:.c=)
bench: $(BENCH_BINS)
$(BENCH_BINS): libfabrik.a $(HDRS)
	$(CC) $(FAB_CFLAGS) $(LDFLAGS) -o $@ $@.c libfabrik.a $(LIBS)

tests: fabrik $(UNIT_TESTS) $(FUZZ_REPLAY) t/helper

t/helper: t/helper.c libfabrik.a
	$(CC) $(FAB_CFLAGS) $(LDFLAGS) -o $@ t/helper.c libfabrik.a $(LIBS)

check: tests
	FABRIK_TOP=`pwd` prove $(PROVE_FLAGS) --exec '' t/unit/*.t t/*.sh

static: $(MAIN_SRC)
	./configure --static && $(MAKE) clean && $(MAKE) fabrik

lint:
	clang-format --dry-run --Werror $(LIB_SRCS) $(MAIN_SRC) $(HDRS) \
	    t/tap.c t/tap.h t/helper.c $(UNIT_SRCS) $(FUZZ_SRCS) \
	    contrib/fuzz/replay.c
	@if command -v mandoc >/dev/null 2>&1; then \
	    mandoc -Tlint -Wwarning fabrik.1; fi

install: fabrik
	mkdir -p $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(MANDIR)/man1
	cp fabrik $(DESTDIR)$(PREFIX)/bin/fabrik
	chmod 755 $(DESTDIR)$(PREFIX)/bin/fabrik
	cp fabrik.1 $(DESTDIR)$(MANDIR)/man1/fabrik.1
	chmod 644 $(DESTDIR)$(MANDIR)/man1/fabrik.1

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/fabrik $(DESTDIR)$(MANDIR)/man1/fabrik.1

clean:
	rm -f fabrik libfabrik.a src/fabrik.o $(LIB_OBJS) t/tap.o t/helper \
	    $(UNIT_TESTS) $(FUZZ_REPLAY) $(FUZZ_LIBFUZZER) contrib/fuzz/replay.o \
	    $(BENCH_BINS)
	rm -rf t/trash.*

distclean: clean
	rm -f config.mk config.h config.log

.PHONY: all check tests fuzz bench static lint install uninstall clean distclean
