#!/bin/sh
# A plugin that keeps the harness's rules (see methodtest.Conformance): fit
# stores the most frequent training label (the first in sorted order on a
# tie), predict answers every test sample with it.
set -eu
case "$1" in
fit)
	awk -F, 'NR > 1 { print $2 }' "$2/samples.csv" | sort | uniq -c |
		sort -k1,1nr -k2,2 | awk 'NR == 1 { print $2 }' >"$3/label"
	;;
predict)
	label=$(cat "$2/label")
	awk -F, -v label="$label" 'NR == 1 { print "id,label,score,unknown"; next }
		{ print $1 "," label ",1,false" }' "$3/samples.csv" >"$4"
	;;
*)
	echo "unknown call $1" >&2
	exit 2
	;;
esac
