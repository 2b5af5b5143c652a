// Package atomicfile writes files so that readers, and a crash, never see
// half of one: the content goes to a temporary file in the destination's
// folder, which is flushed, synced and renamed over the destination.
package atomicfile
