package crash

import (
	"errors"
	"os"
	"strings"
	"testing"
)

// TestReport: the stack comes first and shows the caller; the last line
// names the error's type and message.
func TestReport(t *testing.T) {
	var b strings.Builder
	err := &os.SyscallError{Syscall: "connect", Err: errors.New("connection refused")}
	Report(&b, err)
	out := b.String()
	if !strings.HasPrefix(out, "goroutine ") || !strings.Contains(out, "gyre/examples/internal/crash.TestReport(") {
		t.Errorf("no stack trace through the caller:\n%s", out)
	}
	if want := "\n*os.SyscallError: connect: connection refused\n"; !strings.HasSuffix(out, want) {
		t.Errorf("does not end with %q:\n%s", want, out)
	}
}
