package poll

import (
	"testing"
	"time"
)

func TestWaitMillisRoundsUp(t *testing.T) {
	for d, want := range map[time.Duration]int{
		-1: -1, 0: 0, time.Nanosecond: 1, time.Millisecond: 1,
		1500 * time.Microsecond: 2, 1 << 62: 1<<31 - 1,
	} {
		if got := WaitMillis(d); got != want {
			t.Errorf("WaitMillis(%v) = %d, want %d", d, got, want)
		}
	}
}

func TestNewUnknown(t *testing.T) {
	if _, err := New("no-such-backend", Config{}); err == nil {
		t.Error("New accepted an unknown name")
	}
	for _, name := range Names() {
		b, err := New(name, Config{})
		if err != nil {
			t.Fatalf("New(%q): %v", name, err)
		}
		if b.Name() != name {
			t.Errorf("New(%q).Name() = %q", name, b.Name())
		}
		b.Close()
	}
}
