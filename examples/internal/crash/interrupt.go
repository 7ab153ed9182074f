package crash

import (
	"bytes"
	"io"
	"os"
	"os/signal"
	"runtime"
	"sync"
	"syscall"
	"time"
)

// writeTimeout bounds the wait for stderr to take the report: a terminal
// that is stopped, or a pipe that nobody reads, must not keep Ctrl-C from
// ending the program.
var writeTimeout = time.Second

// exitWait is how long the program may outlive the SIGINT it sends itself
// before it exits with the status a shell gives to death by SIGINT.
const exitWait = time.Second

// maxStackDump bounds the buffer the goroutines' stacks are taken into.
const maxStackDump = 1 << 20

// OnInterrupt makes Ctrl-C (SIGINT) end the program as it ends a Python
// program that handles no signal: Python raises KeyboardInterrupt wherever
// the program is, prints the traceback, which shows where it was waiting
// (in accept(), connect(), recv(), select(), time.sleep()), then kills
// itself by SIGINT, so that its parent sees death by SIGINT (status 130 in
// a shell), not an exit. OnInterrupt does the same in Go's terms: the
// stack of the main goroutine (ReportInterrupt) on stderr, then death by
// SIGINT. SIGTERM is left alone: it kills silently, as it kills Python.
//
// The report is written from a goroutine of its own and waited for at most
// a second: a stderr that does not take it (a stopped terminal, a pipe
// nobody reads) delays the end of the program by that second and no more.
// A second Ctrl-C meanwhile ends the program at once.
//
// The returned stop gives SIGINT back to Go's default handling, silent
// death, for the program's next owner of the signal: a reactor made with
// reactor.WithSignalHandling, as Twisted installs its handlers in
// reactor.run(). A Ctrl-C that came before stop is still acted on: stop
// then does not return, the program dies. Calling stop again does
// nothing.
//
// A program started with SIGINT ignored (in the background of a
// non-interactive shell, say) keeps it ignored, as Python does: OnInterrupt
// then does nothing.
func OnInterrupt() (stop func()) {
	if signal.Ignored(syscall.SIGINT) {
		return func() {}
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT)
	quit := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		select {
		case <-sigs:
			interrupted(sigs)
		case <-quit:
			// signal.Stop has returned, so nothing more can come;
			// a Ctrl-C that came just before must not be lost.
			select {
			case <-sigs:
				interrupted(sigs)
			default:
			}
		}
	}()
	return sync.OnceFunc(func() {
		signal.Stop(sigs)
		close(quit)
		<-finished
	})
}

// interrupted reports the interrupt on stderr and ends the program by
// SIGINT. It never returns.
func interrupted(sigs <-chan os.Signal) {
	var report bytes.Buffer
	ReportInterrupt(&report)
	written := make(chan struct{})
	go func() {
		os.Stderr.Write(report.Bytes())
		close(written)
	}()
	timeout := time.NewTimer(writeTimeout)
	select {
	case <-written:
	case <-sigs: // a second Ctrl-C: no more waiting
	case <-timeout.C: // stderr does not take it: end anyway
	}
	dieBySIGINT()
}

// dieBySIGINT ends the program by the default action of SIGINT, as Python
// does after a KeyboardInterrupt that nothing caught. If the signal somehow
// fails to end it, it exits with status 130, as Python does then too.
func dieBySIGINT() {
	signal.Reset(syscall.SIGINT)
	syscall.Kill(os.Getpid(), syscall.SIGINT)
	time.Sleep(exitWait)
	os.Exit(128 + int(syscall.SIGINT))
}

// ReportInterrupt writes what OnInterrupt prints at Ctrl-C to w: the stack
// of the main goroutine, in Go's format and order (innermost call first,
// where Python lists the outermost first), then the line
// "KeyboardInterrupt", the exception Python names last. It is the main
// goroutine's stack, not the caller's: the caller is the goroutine that
// received the signal, and the program's work (its waiting) is on the main
// goroutine.
func ReportInterrupt(w io.Writer) {
	w.Write(mainStack())
	io.WriteString(w, "KeyboardInterrupt\n")
}

// mainStack returns the stack of goroutine 1, the main goroutine, taken
// from the stacks of all goroutines (Go has no other way to read another
// goroutine's stack), or nothing if it cannot be found there.
func mainStack() []byte {
	buf := make([]byte, 64<<10)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) || len(buf) >= maxStackDump {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	// The stacks are separated by blank lines, each opening with
	// "goroutine N [STATE]:" ("goroutine 1 gp=..." with GOTRACEBACK's
	// more detailed settings).
	for block := range bytes.SplitSeq(buf, []byte("\n\n")) {
		if bytes.HasPrefix(block, []byte("goroutine 1 ")) {
			return append(bytes.TrimSuffix(block, []byte("\n")), '\n')
		}
	}
	return nil
}
