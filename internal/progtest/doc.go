// Package progtest builds and runs gyre's example programs from tests.
//
// The tutorial's programs are main packages whose behaviour is what they
// print and how they exit, so their tests run them for real: build the
// binary once, run it with arguments, and compare stdout, stderr and the
// exit status with the reference transcripts in ../shared/reference.
//
// A typical test file:
//
//	func TestMain(m *testing.M) { progtest.Main(m) }
//
//	func TestHelp(t *testing.T) {
//		exe := progtest.Build(t, "./examples/blocking-client")
//		res := progtest.Run(t, 10*time.Second, exe, "--help")
//		if res.Code != 0 { ... }
//	}
//
// Build compiles each package once per test process (later calls return the
// same path) into a temporary directory that Main removes at the end. Run
// bounds every program with a timeout and fails the test instead of hanging.
// Start runs a program in the background (a server) and lets the test wait
// for a line of its output, such as the port it listens on; the process is
// stopped when the test ends.
//
// Programs run with the caller's environment minus COLUMNS, so that help
// text is wrapped at the 80 columns the reference was captured with.
//
// The reference transcripts live outside the module (../shared, absent in
// users' clones): SharedDir, SharedFile, Reference and LoadTranscript skip
// the test when they are missing, and ModuleRoot finds the module from any
// package directory. LoadTranscript splits a transcript into Sections (one
// per "Run N: ..." or "Server log: ..." heading) whose Blocks hold stdout,
// stderr or output exactly as the original printed them, so that a test
// compares with
//
//	ref := progtest.FindSection(t, progtest.LoadTranscript(t, "blocking-client__get-poetry.txt"), "Run 2:")
//	if res.Stdout != ref.Stdout() { ... }
//
// Cases reads folders of cases in the layout of the reference's
// deferred-simulator-examples (input, args, expected), for the tests that
// run the simulator on them in process or as a program.
//
// Two loopback fixtures serve every package's network tests, the reactor's
// own included (this package imports nothing of gyre's): RefusedAddr, an
// address that refuses connections (a port kept bound, not listening), and
// UnansweredAddr, one whose listen queue is full, so that connecting hangs
// until a timeout.
//
// Everything here bounds its waits: Run, Wait and WaitLine take a timeout
// and fail the test when it passes, and Stop kills a program that ignores
// SIGTERM for five seconds.
package progtest
