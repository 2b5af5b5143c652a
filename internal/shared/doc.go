// Package shared locates the project's shared reference data (real
// captures, reference outputs of the original implementations) for tests.
//
// The folder is named by the environment variable APPBENCH_SHARED. When it
// is unset, tests that need the data skip with a message saying so; when it
// is set but a file is missing, they fail: a broken data checkout must not
// pass silently.
package shared
