#!/bin/sh
# A plugin whose predictions.csv answers an id that is not a test id.
set -eu
case "$1" in
fit) ;;
predict) awk -F, 'NR == 1 { print "id,label,score,unknown"; next } { print $1 ",a,1,0" } END { print "test-999999,a,1,0" }' "$3/samples.csv" >"$4" ;;
esac
