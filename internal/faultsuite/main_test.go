package faultsuite

import (
	"os"
	"runtime"
	"testing"

	"gyre/internal/progtest"
)

func TestMain(m *testing.M) { progtest.Main(m) }

// fullEnv switches the suite to the full numbers.
const fullEnv = "GYRE_FAULTS_FULL"

// full reports whether the suite runs at full size.
func full() bool { return os.Getenv(fullEnv) == "1" }

// size picks the quick or the full figure.
func size[T any](quick, fullSize T) T {
	if full() {
		return fullSize
	}
	return quick
}

// needLinux skips where /proc is not there to watch the server.
func needLinux(t *testing.T) {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("the fault suite watches servers through /proc: Linux only")
	}
	if testing.Short() {
		t.Skip("fault suite: skipped with -short")
	}
}
