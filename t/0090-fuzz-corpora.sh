#!/bin/sh
# Replays every fuzz target's seed corpus (contrib/fuzz/corpus/NAME/)
# through its standalone replay binary: no input may crash a parser.
. "$(dirname "$0")/lib/tap.sh"

found=0
for bin in "$TOP"/contrib/fuzz/fuzz_*.replay; do
	[ -x "$bin" ] || continue
	found=1
	name=$(basename "$bin" .replay)
	name=${name#fuzz_}
	corpus=$TOP/contrib/fuzz/corpus/$name
	if [ ! -d "$corpus" ]; then
		ok 1 "$name: seed corpus contrib/fuzz/corpus/$name exists"
		continue
	fi
	expect_success "$name: corpus replays without a crash" "$bin" "$corpus"
done
[ $found -eq 1 ] || skip_all "no fuzz targets built"
done_testing
