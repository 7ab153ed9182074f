package poetrytest

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"gyre/poetry"
)

// embeddedPoem returns one of gyre's poems, failing the test if there is
// no such poem.
func embeddedPoem(t testing.TB, name string) []byte {
	t.Helper()
	poem, err := poetry.Poem(name)
	if err != nil {
		t.Fatal(err)
	}
	return poem
}

// TutorialServers are the servers of the tutorial's first measurements
// (part 2), scaled down: a long poem sent 30 bytes at a time and two short
// ones sent 10 at a time, every server pausing for the same delay after
// each send. The blocking client takes about the sum of the three
// downloads, an asynchronous one about the longest.
type TutorialServers struct {
	Ports []string      // library, orchard, night-bus, in that order
	Sizes []int         // the poems' sizes in bytes, in the same order
	Chars []int         // and in characters (UTF-8 runes)
	Sends []int         // how many sends (and pauses) each server makes
	Delay time.Duration // the pause after each send
}

// StartTutorialServers starts the three servers (see TutorialServers) on
// loopback ports the system picks; they stop when the test ends.
func StartTutorialServers(t testing.TB, delay time.Duration) TutorialServers {
	t.Helper()
	s := TutorialServers{Delay: delay}
	for _, tc := range []struct {
		name     string
		numBytes int
	}{{"library", 30}, {"orchard", 10}, {"night-bus", 10}} {
		poem := embeddedPoem(t, tc.name)
		s.Ports = append(s.Ports, StartSlowServer(t, poem, tc.numBytes, delay).Port)
		s.Sizes = append(s.Sizes, len(poem))
		s.Chars = append(s.Chars, utf8.RuneCount(poem))
		sends := 0
		for rest := poem; len(rest) > 0; rest = rest[poetry.ChunkLen(rest, tc.numBytes):] {
			sends++
		}
		s.Sends = append(s.Sends, sends)
	}
	return s
}

// Scenario is three servers with gyre's poems, paced with
// StartStaggeredServers so that the poems finish in a known order: the
// first argument's (library, the longest) last, as in the reference runs
// of the Twisted clients.
type Scenario struct {
	Ports []string // in argument order
	Poems [][]byte // in argument order: library, orchard, night-bus
	Order []int    // argument indexes in the order the poems finish
}

// StartScenario starts the scenario's servers; they stop when the test
// ends.
func StartScenario(t testing.TB) Scenario {
	t.Helper()
	library, orchard, nightBus := embeddedPoem(t, "library"), embeddedPoem(t, "orchard"), embeddedPoem(t, "night-bus")
	// Finishing first to last: orchard, night-bus, library.
	servers := StartStaggeredServers(t, orchard, nightBus, library)
	return Scenario{
		Ports: []string{servers[2].Port, servers[0].Port, servers[1].Port},
		Poems: [][]byte{library, orchard, nightBus},
		Order: []int{1, 2, 0},
	}
}

// Args are the scenario's addresses in the three forms a client takes:
// localhost:PORT, a bare port and 127.0.0.1:PORT. The name is the poem
// that finishes last's: looking it up takes a moment, which on a loaded
// machine may exceed the servers' stagger, and must not change the order
// in which the poems finish.
func (s Scenario) Args() []string {
	return []string{"localhost:" + s.Ports[0], s.Ports[1], "127.0.0.1:" + s.Ports[2]}
}

// PoemsInOrder is what the clients that print poems print: every poem and
// an empty line after it, in the order they finish.
func (s Scenario) PoemsInOrder() string {
	var b strings.Builder
	for _, i := range s.Order {
		b.Write(s.Poems[i])
		b.WriteString("\n")
	}
	return b.String()
}
