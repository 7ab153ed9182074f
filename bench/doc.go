// Package bench holds the tests of the benchmark scripts' command lines
// (bench/run, bench/faults/run, bench/lines/run): a mistake on one is a
// line on stderr and status 2 before anything is built or run, and
// --help helps. The benchmarks themselves are not run here; see
// bench/README.md.
package bench
