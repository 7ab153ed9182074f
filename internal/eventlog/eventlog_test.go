package eventlog

import (
	"bytes"
	"io"
	"strings"
	"sync"
	"testing"
	"time"
)

// stalled is an output that blocks every write until released, as a pipe
// nobody reads does.
type stalled struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	release chan struct{}
}

func (s *stalled) Write(p []byte) (int, error) {
	<-s.release
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *stalled) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

// While the output is stalled Printf never waits, and the lines beyond
// the queue are dropped; once it moves, the lines queued are written,
// then the count of those dropped.
func TestStalledOutputDropsAndCounts(t *testing.T) {
	out := &stalled{release: make(chan struct{})}
	l := New(out, 4)
	start := time.Now()
	for i := range 100 {
		l.Printf("line %d", i)
	}
	if took := time.Since(start); took > time.Second {
		t.Fatalf("100 lines into a stalled output took %v", took)
	}
	if l.Close(50 * time.Millisecond) {
		t.Fatal("Close reported the log written while its output was stalled")
	}
	close(out.release)
	<-l.done
	got := out.String()
	// The writer holds at most one line in its blocked write, the queue
	// four more.
	if !strings.HasPrefix(got, "line 0\n") || strings.Count(got, "\n") > 5+1 {
		t.Errorf("written:\n%s", got)
	}
	if !strings.HasSuffix(got, "lines dropped: the output was not read fast enough)\n") {
		t.Errorf("the dropped count is not the last line:\n%s", got)
	}
}

// Lines are written whole and in order, and Close waits for them.
func TestLinesInOrder(t *testing.T) {
	var buf bytes.Buffer
	l := New(&buf, 8)
	for i := range 5 {
		l.Printf("event %d", i)
	}
	if !l.Close(5 * time.Second) {
		t.Fatal("Close timed out on a writer that does not block")
	}
	if got := buf.String(); got != "event 0\nevent 1\nevent 2\nevent 3\nevent 4\n" {
		t.Errorf("got %q", got)
	}
}

// A failed write (a closed pipe) is ignored: the log goes on.
func TestWriteErrorIgnored(t *testing.T) {
	r, w := io.Pipe()
	r.Close()
	l := New(w, 2)
	l.Printf("lost")
	if !l.Close(5 * time.Second) {
		t.Fatal("Close timed out")
	}
}
