// Package citest checks that .ci/run, the CI entry point, keeps up with the
// repository it runs on: every fuzz target the repository declares is one
// that CI fuzzes, as the README says. A target left out would still run
// its seed corpus in go test, but never be fuzzed. The package has no code
// of its own.
package citest
