// Package methodtest helps test method plugins, as net/http/httptest helps
// test handlers: it builds registered methods from YAML parameter text the
// way the harness does, and makes small labeled packet chunks whose right
// answer is known.
package methodtest
