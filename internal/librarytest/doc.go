// Package librarytest checks that gyre works as a library for a module
// outside the checkout, the ways the README's "Using gyre as a library"
// says: its test runs .ci/outside-module, which builds the README's server
// and client in a fresh module (with a replace directive, then with a
// go.work workspace) and runs them against each other. The package has no
// code of its own.
package librarytest
