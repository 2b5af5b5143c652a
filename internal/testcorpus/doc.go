// Package testcorpus writes small deterministic packet-CSV corpora for the
// tests of the packages that load, split and classify corpora: a folder
// <root>/<app>/<app>_<k>.csv per app and capture, each capture a series of
// TCP request-reply pairs between one client and the servers the test
// chooses.
package testcorpus
