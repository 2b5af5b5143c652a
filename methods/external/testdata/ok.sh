#!/bin/sh
# A correct plugin. fit learns the label of each capture; predict answers
# each test sample with the label of its capture and its chunk number as
# the score. Both check the files of the input named by $INPUT.
set -eu
check() { # folder, side
	[ -f "$1/samples.csv" ] || { echo "$1: no samples.csv" >&2; exit 2; }
	n=$(($(wc -l <"$1/samples.csv") - 1))
	case "${INPUT:-packets}" in
	packets) [ "$(ls "$1/packets" | wc -l)" -eq "$n" ] || { echo "$1: not $n packet files" >&2; exit 2; } ;;
	appscanner) head -1 "$1/features.csv" | grep -q '^id,burst_time,local_ip,local_port,remote_ip,remote_port,f00,' || { echo "$1: bad features.csv" >&2; exit 2; } ;;
	graph) head -1 "$1/nodes.csv" | grep -q '^id,node,complete_max,' && head -1 "$1/edges.csv" | grep -q '^id,source,target,weight$' || { echo "$1: bad graph files" >&2; exit 2; } ;;
	esac
	if [ "$2" = test ] && awk -F, 'NR > 1 && $2 != "" { bad = 1 } END { exit !bad }' "$1/samples.csv"; then
		echo "$1: test labels given" >&2
		exit 2
	fi
}
case "$1" in
fit)
	check "$2" train
	[ -z "$(ls -A "$3")" ] || { echo "model folder not empty" >&2; exit 2; }
	echo "seed=$APPBENCH_SEED workers=$APPBENCH_WORKERS extra=${EXTRA:-} pwd=$(pwd)" >&2
	awk -F, 'NR > 1 { print $3 "," $2 }' "$2/samples.csv" >"$3/labels"
	;;
predict)
	check "$3" test
	awk -F, 'NR == FNR { label[$1] = $2; next }
		FNR == 1 { print "id,label,score,unknown"; next }
		{ print $1 "," label[$3] "," $4 ",false" }' "$2/labels" "$3/samples.csv" >"$4"
	;;
*)
	echo "unknown call $1" >&2
	exit 2
	;;
esac
