// Package defertests holds no code, only the end-to-end tests of the
// tutorial's Deferred and Failure programs (examples/twisted-deferred/defer-*
// and examples/twisted-failure/failure-examples): it builds them all once,
// runs each, and checks what it prints and its exit status against the
// transcripts of the original Python programs in ../shared/reference.
package defertests
