package systemd

import "testing"

// gyre serve logs one record per poem on stderr, which systemd hands to
// journald. journald's default rate limit (10,000 records per 30 s per
// service) would drop records above some 333 poems a second, silently
// (one "Suppressed" line): the unit turns it off, so that the only place
// a record is dropped is gyre's own bounded log buffer, which counts it
// (gyre_log_records_dropped_total).
func TestServiceHasNoJournaldRateLimit(t *testing.T) {
	u := readUnit(t, "gyre@.service")
	if got := u.get("Service", "LogRateLimitIntervalSec"); got != "0" {
		t.Errorf("LogRateLimitIntervalSec=%q, want 0: journald's default limit drops records above ~333 poems/s without a count", got)
	}
}
