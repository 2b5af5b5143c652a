#!/bin/sh
# A plugin that outlives any short timeout, with a child process; it writes
# its own and its child's process ids to $PIDS.
sleep 300 &
echo "$$ $!" >"$PIDS"
echo "sleeping" >&2
wait
