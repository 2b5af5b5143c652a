#!/bin/sh
# A plugin whose predictions.csv leaves out the last test id.
set -eu
case "$1" in
fit) ;;
predict) awk -F, 'NR == 1 { print "id,label,score,unknown"; next } { line[++n] = $1 } END { for (i = 1; i < n; i++) print line[i] ",a,1,0" }' "$3/samples.csv" >"$4" ;;
esac
