// Command gorclient is the yardstick for gyre get in the client-side
// figure of the performance issue: the way a Go programmer would download
// N poems at once without a reactor, one goroutine per download, each
// doing net.Dial, io.ReadAll and Close, and the runtime's netpoller doing
// the multiplexing behind the scenes.
//
//	gorclient --addr 127.0.0.1:10000 -n 10000
//
// Every goroutine is started before any is waited for, so that all N
// connections are in flight together, as gyre get's are. When all have
// ended it checks each poem against the expected one: the --expect size
// and sha256 if given, otherwise the first poem that arrived (which then
// must agree with every other), and prints a single summary line:
//
//	gorclient: 10000 poems ok, 0 failed, 30140000 bytes, wall 0.412 s (24272 poems/s), slowest 0.398 s
//
// The slowest download (dial to close) tells a run whose connects the
// kernel had to retry: a connect dropped by a full accept queue is
// repeated after 1 s.
//
// Like gyre get, which hands every poem back to its caller, it keeps all
// N poems in memory until the end, so that the two peak RSS figures
// compare the cost of the connections and not what is kept; --keep=false
// keeps only each poem's size and hash (memory then holds the poems in
// flight only).
//
// A download that fails (dial error, read error, --timeout, a poem of
// another size or content) is counted and its reason reported on stderr,
// grouped by reason, so that nothing fails silently; the exit status is
// then 1. Bad flags exit 2.
package main

import (
	"bytes"
	"crypto/sha256"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"sort"
	"sync"
	"time"
)

// outcome is what one download came to.
type outcome struct {
	poem []byte // with --keep only
	size int
	took time.Duration // dial to close
	sum  [sha256.Size]byte
	err  error
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("gorclient", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "", "the poetry server, HOST:PORT (required)")
	n := fs.Int("n", 1000, "how many poems to download at once")
	expect := fs.Int("expect", -1, "the poem's size in bytes (default: the size of the first poem received)")
	timeout := fs.Duration("timeout", 0, "give up on a download after this long, dial included (0: never)")
	keep := fs.Bool("keep", true, "keep every poem in memory until the end, as gyre get does")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	switch {
	case *addr == "":
		fmt.Fprintln(stderr, "gorclient: --addr is required")
		return 2
	case *n < 1:
		fmt.Fprintln(stderr, "gorclient: -n must be at least 1")
		return 2
	case fs.NArg() > 0:
		fmt.Fprintf(stderr, "gorclient: unexpected argument %q\n", fs.Arg(0))
		return 2
	}

	start := time.Now()
	outcomes := fetchAll(*addr, *n, *timeout, *keep)
	wall := time.Since(start)

	ok, total, reasons := check(outcomes, *expect)
	failed := *n - ok
	report(stderr, reasons)
	var slowest time.Duration
	for _, o := range outcomes {
		slowest = max(slowest, o.took)
	}
	fmt.Fprintf(stdout, "gorclient: %d poems ok, %d failed, %d bytes, wall %.3f s (%.0f poems/s), slowest %.3f s\n",
		ok, failed, total, wall.Seconds(), float64(ok)/wall.Seconds(), slowest.Seconds())
	if failed > 0 {
		return 1
	}
	return 0
}

// fetchAll downloads n poems from addr, each on its own goroutine, all
// started before any is waited for.
func fetchAll(addr string, n int, timeout time.Duration, keep bool) []outcome {
	outcomes := make([]outcome, n)
	var wg sync.WaitGroup
	wg.Add(n)
	for i := range outcomes {
		go func() {
			defer wg.Done()
			start := time.Now()
			outcomes[i] = fetchOne(addr, timeout, keep)
			outcomes[i].took = time.Since(start)
		}()
	}
	wg.Wait()
	return outcomes
}

// fetchOne is the idiomatic download: dial, read to EOF, close. The poem
// itself is returned only when keep is set.
func fetchOne(addr string, timeout time.Duration, keep bool) outcome {
	d := net.Dialer{Timeout: timeout}
	conn, err := d.Dial("tcp", addr)
	if err != nil {
		return outcome{err: err}
	}
	defer conn.Close()
	if timeout > 0 {
		// The dial took part of the budget; the rest is for reading.
		conn.SetDeadline(time.Now().Add(timeout))
	}
	poem, err := io.ReadAll(conn)
	if err != nil {
		return outcome{size: len(poem), err: err}
	}
	o := outcome{size: len(poem), sum: sha256.Sum256(poem)}
	if keep {
		o.poem = poem
	}
	return o
}

// check counts the good poems and their bytes, and the failures by reason.
// The reference is the expected size when given, else the first poem
// received; a poem whose size or hash differs from the reference fails.
func check(outcomes []outcome, expect int) (ok int, total int64, reasons map[string]int) {
	reasons = make(map[string]int)
	var ref *outcome
	for i := range outcomes {
		o := &outcomes[i]
		if o.err != nil {
			reasons[o.err.Error()]++
			continue
		}
		if ref == nil {
			if expect >= 0 && o.size != expect {
				reasons[fmt.Sprintf("got %d bytes, expected %d", o.size, expect)]++
				continue
			}
			ref = o
		}
		switch {
		case o.size != ref.size:
			reasons[fmt.Sprintf("got %d bytes, the others %d", o.size, ref.size)]++
		case !bytes.Equal(o.sum[:], ref.sum[:]):
			reasons["poem differs from the others (sha256)"]++
		default:
			ok++
			total += int64(o.size)
		}
	}
	return ok, total, reasons
}

// report prints the failures on w, one line per reason, most frequent
// first. Many goroutines failing the same way (a refused connection, a
// reset under an overflowing backlog) make one line, not thousands.
func report(w io.Writer, reasons map[string]int) {
	keys := make([]string, 0, len(reasons))
	for k := range reasons {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(a, b int) bool {
		if reasons[keys[a]] != reasons[keys[b]] {
			return reasons[keys[a]] > reasons[keys[b]]
		}
		return keys[a] < keys[b]
	})
	for _, k := range keys {
		fmt.Fprintf(w, "gorclient: %d failed: %s\n", reasons[k], k)
	}
}
