package poetry

import (
	"testing"
	"time"
)

func TestFormatElapsedLikePythonTimedelta(t *testing.T) {
	// Expected strings from Python 3.11: str(timedelta(microseconds=us)).
	for _, tc := range []struct {
		us   int64
		want string
	}{
		{0, "0:00:00"},
		{1, "0:00:00.000001"},
		{999999, "0:00:00.999999"},
		{1000000, "0:00:01"},
		{10134220, "0:00:10.134220"},
		{22967793, "0:00:22.967793"},
		{3600000000, "1:00:00"},
		{86399999999, "23:59:59.999999"},
		{86400000000, "1 day, 0:00:00"},
		{86400000001, "1 day, 0:00:00.000001"},
		{90000000000, "1 day, 1:00:00"},
		{176523500000, "2 days, 1:02:03.500000"},
		{-1, "-1 day, 23:59:59.999999"},
		{-86400000000, "-1 day, 0:00:00"},
		{-86400000001, "-2 days, 23:59:59.999999"},
	} {
		if got := FormatElapsed(time.Duration(tc.us) * time.Microsecond); got != tc.want {
			t.Errorf("FormatElapsed(%dµs) = %q, want %q", tc.us, got, tc.want)
		}
	}
}

func TestFormatElapsedRoundsToMicroseconds(t *testing.T) {
	for d, want := range map[time.Duration]string{
		1499 * time.Nanosecond:            "0:00:00.000001",
		1500 * time.Nanosecond:            "0:00:00.000002",
		time.Second - 400*time.Nanosecond: "0:00:01",
	} {
		if got := FormatElapsed(d); got != want {
			t.Errorf("FormatElapsed(%v) = %q, want %q", d, got, want)
		}
	}
}
