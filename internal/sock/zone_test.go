package sock

import (
	"net"
	"strconv"
	"testing"
)

// ZoneID runs for every datagram sent to a zoned address: a zone, name or
// number, is looked up once, then remembered. Both cost an interface
// lookup each time before (53 allocations, about 100 µs, for "lo" and "1"
// alike).
func TestZoneIDIsCheap(t *testing.T) {
	ifs, err := net.Interfaces()
	if err != nil || len(ifs) == 0 {
		t.Skipf("no network interfaces to name: %v", err)
	}
	ifi := ifs[0]
	for _, zone := range []string{ifi.Name, strconv.Itoa(ifi.Index)} {
		id, err := ZoneID(zone)
		if err != nil || id != uint32(ifi.Index) {
			t.Fatalf("ZoneID(%q) = %d, %v; want %d", zone, id, err, ifi.Index)
		}
		if n := testing.AllocsPerRun(100, func() { ZoneID(zone) }); n != 0 {
			t.Errorf("ZoneID(%q): %v allocations per call, want 0", zone, n)
		}
	}
	if _, err := ZoneID("no-such-interface0"); err == nil {
		t.Error("an unknown zone name was accepted")
	}
}
