// Package proctest checks in tests that the processes a test made run have
// ended: a plugin killed on a timeout or a cancelled run must leave no
// process behind, its children included. Processes are looked up in /proc,
// so on a Unix without it every process counts as ended.
package proctest
