package systemd

import (
	"regexp"
	"strconv"
	"testing"
	"time"
)

// stopOverhead is how long gyre serve may take to exit beyond --grace:
// up to 1 s for the loops to answer the drain and 1 s for the cut, 2 s
// to write out the log, 1 s to close the metrics endpoint (cmd/gyre:
// drain, cut, logCloseWait, opsServer.close).
const stopOverhead = 5 * time.Second

// systemd sends SIGKILL after TimeoutStopSec=; before that gyre must
// have had its whole stop, or the poems it would have cut with a reset
// end with whatever the kernel does to a killed process.
func TestStopTimeoutCoversTheWholeStop(t *testing.T) {
	u := readUnit(t, "gyre@.service")
	m := regexp.MustCompile(`--grace (\S+)`).FindStringSubmatch(u.get("Service", "ExecStart"))
	if m == nil {
		t.Fatal("ExecStart gives no --grace")
	}
	grace := seconds(t, "--grace", m[1])
	stop := seconds(t, "TimeoutStopSec", u.get("Service", "TimeoutStopSec"))
	if stop <= grace+stopOverhead {
		t.Errorf("TimeoutStopSec=%v, want more than --grace %v + %v", stop, grace, stopOverhead)
	}
}

// seconds reads a duration in seconds, bare or with a Go unit.
func seconds(t *testing.T, what, s string) time.Duration {
	t.Helper()
	if n, err := strconv.ParseFloat(s, 64); err == nil {
		return time.Duration(n * float64(time.Second))
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		t.Fatalf("%s=%q: not a duration", what, s)
	}
	return d
}
