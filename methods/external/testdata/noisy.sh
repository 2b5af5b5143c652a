#!/bin/sh
# A plugin that prints 20000 lines to standard error, then fails.
awk 'BEGIN { for (i = 1; i <= 20000; i++) printf "noise line %d\n", i > "/dev/stderr" }'
exit 3
