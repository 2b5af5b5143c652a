#!/bin/sh
# A plugin whose predictions.csv answers the first test id twice.
set -eu
case "$1" in
fit) ;;
predict) awk -F, 'NR == 1 { print "id,label,score,unknown"; next } { print $1 ",a,1,0" } NR == 2 { print $1 ",b,1,0" }' "$3/samples.csv" >"$4" ;;
esac
