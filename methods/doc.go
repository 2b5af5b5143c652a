// Package methods is the plugin contract between the experiment harness and
// traffic-classification methods.
//
// A method is a package that implements Method and registers a Factory
// under its name from an init function, in the style of database/sql
// drivers:
//
//	func init() { methods.Register("mymethod", New) }
//
// Abilities beyond closed-world classification are optional interfaces
// discovered by type assertion.
package methods
