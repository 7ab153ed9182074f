// Package faultsuite proves that gyre's poetry servers survive faults and
// overload. It holds no library code, only tests: each one builds the real
// programs (gyre serve, fast and --slow, and the tutorial's fastpoetry,
// fast, and slow as its exercise 3, fastpoetry-exercise-3),
// runs them as processes on loopback, on every reactor backend (the
// GYRE_REACTOR variable chooses it), and attacks them from the test
// process with ordinary sockets, watching the server from outside through
// /proc: resident memory (VmRSS, VmHWM), open descriptors (/proc/PID/fd)
// and CPU time (the scheduler's per-thread counters).
//
// One file per scenario of the reliability issue:
//
//   - concurrent_test.go: thousands of clients at once, every poem
//     byte-identical (sha256), including past select's FD_SETSIZE;
//   - stalled_test.go: clients that connect and never read an 8 MiB poem:
//     others are served at normal speed, memory stays bounded (flow
//     control), and closing them gives memory and descriptors back;
//   - misbehaving_test.go: clients that reset mid-poem, close at once, or
//     send megabytes to a one-way protocol: the server stays up, leaks no
//     descriptor and logs each as lost with its reason; and clients that
//     speak first (a line before reading), who must still get the whole
//     poem and a clean end rather than a reset;
//   - exhaustion_test.go: the server under a descriptor limit of 128 and
//     hundreds of clients: no CPU spin while out of descriptors, serving
//     again as soon as some are freed, and no client dropped;
//   - idle_test.go: an idle server uses (almost) no CPU; SIGTERM lets the
//     poems in flight finish within the grace period and exits 0.
//   - edges_test.go: nothing lost at the edges: a client that half-closes
//     still gets the whole poem from every server; a poem cut by the grace
//     period or refused by --max-conns reaches the client as a reset; a
//     log nobody reads (or whose pipe closed) never stops the server;
//     clients that never read cost under 16 KiB each (a shared in-memory
//     poem, --slow's back-pressure); gyre get's memory does not grow with
//     the poem.
//
// # Two sizes
//
// By default the tests run scaled down, so that the package takes about a
// minute on a two-core machine inside go test ./... . With GYRE_FAULTS_FULL=1
// they run at the full size (2,000 concurrent clients, 300 stalled
// ones, 400 against the descriptor limit...): bench/faults/run does that and
// prints the figures. Either way every test logs what it measured with
// t.Logf (run with -v to see it).
//
// Thresholds are generous, because CI machines are small and busy, but each
// is far from what the bug it guards against would show: a spinning loop
// uses a whole core, not the 50% allowed; a server that buffered the poem
// per stalled client would grow by megabytes per client, not the 128 KiB
// allowed.
//
// The tests need Linux (/proc) and skip elsewhere; they never need
// ../shared.
package faultsuite
