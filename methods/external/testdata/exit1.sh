#!/bin/sh
# A plugin whose fit fails.
echo "loading the training samples" >&2
echo "Traceback: something went wrong" >&2
exit 1
