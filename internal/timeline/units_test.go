package timeline

import (
	"math"
	"testing"
	"time"
)

func TestFormatBytes(t *testing.T) {
	for _, c := range []struct {
		n    int64
		want string
	}{
		{-1, "0 B"}, {0, "0 B"}, {3003, "3003 B"}, {10239, "10239 B"},
		{10240, "10.0 KiB"}, {15000, "14.6 KiB"}, {5 << 20, "5120.0 KiB"},
		{10 << 20, "10.0 MiB"}, {64 << 20, "64.0 MiB"}, {64<<20 - 1, "64.0 MiB"},
		{3 << 40, "3072.0 GiB"}, {1 << 62, "4096.0 PiB"},
	} {
		if got := formatBytes(c.n); got != c.want {
			t.Errorf("formatBytes(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want string
	}{
		{-time.Second, "0 s"}, {0, "0 s"}, {400, "400 ns"}, {999, "1 µs"},
		{120 * time.Microsecond, "120 µs"}, {999_400, "999 µs"}, {999_600, "1.0 ms"},
		{850 * time.Millisecond, "850.0 ms"}, {994_940 * time.Microsecond, "994.9 ms"},
		{995 * time.Millisecond, "1.00 s"}, {10_130_779 * time.Microsecond, "10.13 s"},
		{160_377_221 * time.Microsecond, "160.38 s"},
		// The longest Duration: rounding it overflowed into "-9223372036854775 µs".
		{math.MaxInt64, "9223372036.85 s"}, {math.MaxInt64 - 4*time.Millisecond, "9223372036.85 s"},
	} {
		if got := formatDuration(c.d, "µs"); got != c.want {
			t.Errorf("formatDuration(%v) = %q, want %q", c.d, got, c.want)
		}
	}
}

func TestOneLine(t *testing.T) {
	for _, c := range []struct {
		in    string
		limit int
		ascii bool
		want  string
	}{
		{"127.0.0.1:10000", 20, true, "127.0.0.1:10000"},
		{"  a\tb\nc\x00d\x1b  ", 20, true, "a b c d"},
		{"héllo wörld", 20, true, "h?llo w?rld"},
		{"héllo wörld", 20, false, "héllo wörld"},
		{"bad\xffutf8", 20, false, "bad\uFFFDutf8"},
		{"bad\xffutf8", 20, true, "bad?utf8"},
		{"abcdefghij", 10, true, "abcdefghij"},
		{"abcdefghijk", 10, true, "abcdefg..."},
		{"abcdefghijk", 10, false, "abcdefghi…"},
		{"ééééééééééé", 5, false, "éééé…"},
		{"abc", 2, true, "..."},
	} {
		if got := oneLine(c.in, c.limit, c.ascii, map[bool]string{true: "...", false: "…"}[c.ascii]); got != c.want {
			t.Errorf("oneLine(%q, %d, %v) = %q, want %q", c.in, c.limit, c.ascii, got, c.want)
		}
	}
}

func TestShortLabel(t *testing.T) {
	for _, c := range []struct {
		in, want string
		limit    int
	}{
		{"127.0.0.1:10000", "127.0.0.1:10000", 15},
		{"poetry-server-00.some.long.domain.example.org:10000", "poetry-s...rg:10000", 19},
		{"poetry-server-00.some.long.domain.example.org:10000", "poetry-...g:10000", 17},
		{"abcdef", "...", 3},
		{"abcdef", "a...", 4},
		{" \tlabel\n", "label", 5},
	} {
		if got := shortLabel(c.in, c.limit, true, "..."); got != c.want {
			t.Errorf("shortLabel(%q, %d) = %q, want %q", c.in, c.limit, got, c.want)
		}
	}
	if got := shortLabel("ééééééééé", 5, false, "…"); got != "éé…éé" {
		t.Errorf("shortLabel on runes = %q", got)
	}
}

func TestLaneLabel(t *testing.T) {
	if got := laneLabel(Lane{Task: 3}); got != "task 3" {
		t.Errorf("unlabelled lane: %q", got)
	}
	if got := laneLabel(Lane{Task: 3, Label: "x:1"}); got != "x:1" {
		t.Errorf("labelled lane: %q", got)
	}
}
