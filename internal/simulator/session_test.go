package simulator

import (
	"bufio"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

// TestRunIsInteractive plays a terminal: it reads the prompt before typing
// anything, then gets each answer before typing the next line. It would hang
// (and fail on the timeout) if Run kept its output buffered while reading.
func TestRunIsInteractive(t *testing.T) {
	stdinR, stdinW := io.Pipe()
	stdoutR, stdoutW := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := Run(stdinR, stdoutW, true)
		stdoutW.Close()
		done <- err
	}()
	out := bufio.NewReader(stdoutR)
	lines := make(chan string)
	go func() {
		defer close(lines)
		for {
			line, err := out.ReadString('\n')
			if err != nil {
				return
			}
			lines <- line
		}
	}()
	expectLine := func(want string) {
		t.Helper()
		select {
		case got := <-lines:
			if got != want {
				t.Fatalf("got %q, want %q", got, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("timed out waiting for %q", want)
		}
	}
	// Each line is typed only after the answer to the previous one has
	// arrived, so the writes never race each other.
	typeLine := func(s string) {
		t.Helper()
		go func() { _, _ = io.WriteString(stdinW, s) }()
	}
	for line := range strings.Lines(prompt) {
		expectLine(line)
	}
	typeLine("\n")
	expectLine(noPairsMessage)
	typeLine("bogus\n")
	expectLine("ERROR: bad command: bogus\n")
	typeLine("r a p\n\n")
	expectLine(strings.Repeat(" ", 38) + "\n") // the first row of the narrow drawing
	stdinW.Close()
	// Drain the rest so Run can finish writing.
	go func() {
		for range lines {
		}
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return")
	}
}

type brokenReader struct{}

var errBroken = errors.New("device unplugged")

func (brokenReader) Read([]byte) (int, error) { return 0, errBroken }

func TestRunReadError(t *testing.T) {
	var out strings.Builder
	if err := Run(brokenReader{}, &out, false); !errors.Is(err, errBroken) {
		t.Errorf("Run = %v, want %v", err, errBroken)
	}
	if out.String() != prompt {
		t.Errorf("output %q, want the prompt", out.String())
	}
}

// TestRunStopsReadingAtBlankLine checks that nothing after the terminating
// empty line is read as pairs (bufio may buffer it, but it is never parsed).
func TestRunStopsReadingAtBlankLine(t *testing.T) {
	var a, b strings.Builder
	if err := Run(strings.NewReader("r a p\n\nbogus\n"), &a, false); err != nil {
		t.Fatal(err)
	}
	if err := Run(strings.NewReader("r a p\n\n"), &b, false); err != nil {
		t.Fatal(err)
	}
	if a.String() != b.String() {
		t.Error("input after the empty line changed the output")
	}
}

func TestPromptSize(t *testing.T) {
	if len(prompt) != 912 || !strings.HasSuffix(prompt, "possible.\n\n") {
		t.Errorf("prompt is %d bytes", len(prompt))
	}
}

// WithMaxLine skips a line longer than the bound with one error line,
// without holding it, and cuts what an error line quotes; lines within the
// bound are read as before.
func TestRunMaxLine(t *testing.T) {
	long := strings.Repeat("x", 5000)
	input := "r good f bad\n" + long + "\nzz" + long[:200] + " p\n\n"
	var out strings.Builder
	if err := Run(strings.NewReader(input), &out, true, WithMaxLine(1000)); err != nil {
		t.Fatal(err)
	}
	got := strings.TrimPrefix(out.String(), prompt)
	want := "ERROR: line longer than 1000 bytes\n" +
		"ERROR: bad command: zz" + long[:maxQuote-len("bad command: zz")] + "...\n"
	if !strings.HasPrefix(got, want) || !strings.Contains(got, "Deferred") {
		t.Errorf("output:\n%.600s\nwant it to begin\n%s", got, want)
	}
	// Without the bound, the tutorial's behaviour: the whole token quoted.
	out.Reset()
	Run(strings.NewReader("zz"+long+" p\n"), &out, true)
	if !strings.HasSuffix(out.String(), "ERROR: bad command: zz"+long+"\n") {
		t.Errorf("unbounded: %.200q", strings.TrimPrefix(out.String(), prompt))
	}
}

// WithMaxPairs keeps the first n pairs and answers each valid line past
// them with one error line; a bad line past them is reported as it always
// is. The drawing is that of the first n pairs.
func TestRunMaxPairs(t *testing.T) {
	input := "r a p\nf b p\nbogus\np p\nr c p\n\n"
	var out strings.Builder
	if err := Run(strings.NewReader(input), &out, true, WithMaxPairs(2)); err != nil {
		t.Fatal(err)
	}
	var want strings.Builder
	if err := Run(strings.NewReader("r a p\nf b p\nbogus\n\n"), &want, true); err != nil {
		t.Fatal(err)
	}
	msgs := "ERROR: bad command: bogus\n" +
		"ERROR: too many pairs (at most 2)\n" +
		"ERROR: too many pairs (at most 2)\n"
	wantOut := strings.Replace(want.String(), "ERROR: bad command: bogus\n", msgs, 1)
	if out.String() != wantOut {
		t.Errorf("output:\n%s\nwant:\n%s", out.String(), wantOut)
	}
}
