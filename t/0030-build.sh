#!/bin/sh
# configure and make install: DESTDIR and PREFIX are honoured, and a
# missing dependency fails with a message that names what to install.
. "$(dirname "$0")/lib/tap.sh"

mkdir "$TRASH/tree"
(cd "$TOP" && tar cf - configure Makefile src) |
    (cd "$TRASH/tree" && tar xf -)
cd "$TRASH/tree" || exit 1

./configure --prefix=/opt/fab >configure.out 2>&1
ok $? "./configure --prefix succeeds"
grep -q 'checking for OpenSSL >= 1.1.1... yes' configure.out &&
    grep -q 'checking for zlib... yes' configure.out
ok $? "configure reports what it found"
grep -q '^PREFIX = /opt/fab$' config.mk
ok $? "config.mk records the prefix"

# Install from the tree under test (already built: install only copies).
(cd "$TOP" && make install DESTDIR="$TRASH/dest" PREFIX=/opt/fab) \
    >install.out 2>&1
ok $? "make install DESTDIR=... PREFIX=... succeeds"
[ -x "$TRASH/dest/opt/fab/bin/fabrik" ] &&
    [ -f "$TRASH/dest/opt/fab/share/man/man1/fabrik.1" ]
ok $? "binary and manual page land under DESTDIR/PREFIX"
"$TRASH/dest/opt/fab/bin/fabrik" --version >/dev/null
ok $? "the installed binary runs"
(cd "$TOP" && make uninstall DESTDIR="$TRASH/dest" PREFIX=/opt/fab) \
    >uninstall.out 2>&1 && [ ! -e "$TRASH/dest/opt/fab/bin/fabrik" ]
ok $? "make uninstall removes them"

CC=/nonexistent/cc ./configure >bad.out 2>&1
[ $? -ne 0 ] && grep -q 'cannot build C11' bad.out
ok $? "a broken compiler is a clear configure error"

# Hide OpenSSL's headers behind a compiler wrapper to see the message.
cat >nossl-cc <<'SH'
#!/bin/sh
for a in "$@"; do
	case $a in *.c) grep -q 'openssl/' "$a" && { echo "openssl/ssl.h: No such file" >&2; exit 1; } ;; esac
done
exec cc "$@"
SH
chmod +x nossl-cc
CC=./nossl-cc ./configure >nossl.out 2>&1
[ $? -ne 0 ] && grep -q 'libssl-dev' nossl.out
ok $? "missing OpenSSL names libssl-dev"
done_testing
