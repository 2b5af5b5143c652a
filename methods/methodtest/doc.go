// Package methodtest helps test method plugins, as net/http/httptest helps
// test handlers: it builds registered methods from YAML parameter text the
// way the harness does, and makes small labeled packet chunks whose right
// answer is known. CheckParamErrors checks that bad parameter values are
// refused with the documented message shape (methods.ParamError).
package methodtest
