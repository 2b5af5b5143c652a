#!/usr/bin/env bash
# Scale benchmark: peak memory and time of one experiment over synthetic
# packet-CSV corpora of growing size.
#
#   scripts/scale/run.sh [DURATION...]      (default: 60m 480m)
#
# For each capture duration it generates 20 apps x 4 captures with
# `appbench synth`, converts them to packet CSV with `appbench convert`
# (about 1.07 M packets at 60m, 8.4 M at 480m), and runs one experiment
# (destination-set, flowprint, appscanner with 50 trees, graph-rf and a
# small mappgraph; window 5m, overlap 3m, split capture) under
# /usr/bin/time -v. It prints, per size, the corpus packets, the wall time,
# the peak RSS and the RSS per corpus packet, then the growth in bytes per
# added packet between consecutive sizes.
#
# Environment: SCALE_DIR (work folder, default /tmp/appbench-scale; the
# corpora are kept there and reused), SCALE_METHODS (a YAML list of
# methods replacing the default), APPBENCH (a built binary; default: build
# one), APPBENCH_FLAGS (extra flags for `appbench run`, e.g. --no-cache),
# SCALE_WORKERS (the experiment's workers, default 1).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=${SCALE_DIR:-/tmp/appbench-scale}
durations=("$@")
[ ${#durations[@]} -gt 0 ] || durations=(60m 480m)
mkdir -p "$work"

bin=${APPBENCH:-}
if [ -z "$bin" ]; then
	bin="$work/appbench"
	(cd "$root" && go build -o "$bin" ./cmd/appbench)
fi
[ -x /usr/bin/time ] || { echo "scale: /usr/bin/time is missing (apt-get install time)" >&2; exit 1; }

methods=${SCALE_METHODS:-'
  - name: destination-set
  - name: flowprint
  - name: appscanner
    params: {trees: 50}
  - name: graph-rf
  - name: mappgraph
    params: {layers: [32, 32, 32, 1], k: 10, conv1_filters: 16, conv2_filters: 32, dense: 64, epochs: 5, batch: 32}'}

# corpus DURATION: generate and convert the corpus once; print its folder.
corpus() {
	local d=$1 pc="$work/pcap-$1" csv="$work/csv-$1"
	if [ ! -f "$csv/.done" ]; then
		"$bin" synth -o "$pc" --apps 20 --captures 4 --duration "$d" --seed 1 >&2
		rm -rf "$csv"
		for f in "$pc"/*/*.pcap; do
			local app
			app=$(basename "$(dirname "$f")")
			mkdir -p "$csv/$app"
			"$bin" convert "$f" -o "$csv/$app/$(basename "${f%.pcap}").csv" >&2
		done
		touch "$csv/.done"
	fi
	echo "$csv"
}

printf '%-8s %12s %10s %12s %10s\n' duration packets wall_s peak_rss_MB B/packet
prev_pk=0 prev_rss=0
for d in "${durations[@]}"; do
	csv=$(corpus "$d")
	packets=$(cat "$csv"/*/*.csv | grep -vc '^,protocol')
	exp="$work/scale-$d.yaml"
	cat >"$exp" <<YAML
name: scale-$d
dataset:
  kind: corpus
  path: $csv
  window: 5m
  overlap: 3m
  split: capture
  test_fraction: 0.25
task:
  kind: closed
methods:$methods
repeats: 1
seed: 1
workers: ${SCALE_WORKERS:-1}
YAML
	rm -rf "$work/results-$d"
	log="$work/time-$d.txt"
	/usr/bin/time -v "$bin" run "$exp" -o "$work/results-$d" --no-progress ${APPBENCH_FLAGS:-} \
		>"$work/table-$d.txt" 2>"$log" || { cat "$log" >&2; exit 1; }
	rss_kb=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$log")
	wall=$(awk '/Elapsed \(wall clock\)/ {print $NF}' "$log" | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
	rss=$((rss_kb * 1024))
	awk -v d="$d" -v p="$packets" -v w="$wall" -v r="$rss" -v pp="$prev_pk" -v pr="$prev_rss" 'BEGIN {
		printf "%-8s %12d %10.1f %12.1f %10.1f\n", d, p, w, r / 1048576, r / p
		if (pp > 0) printf "  growth from the previous size: %.1f bytes per added packet\n", (r - pr) / (p - pp)
	}'
	prev_pk=$packets prev_rss=$rss
	cat "$work/table-$d.txt"
done
