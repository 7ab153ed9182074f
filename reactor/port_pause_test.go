package reactor

import (
	"errors"
	"net"
	"slices"
	"testing"
	"time"
)

// watched says whether p is among r's readers (accepting) and in its held
// set (parked: closed by the shutdown all the same).
func watched(r *Reactor, p *Port) (reading, parked bool) {
	_, parked = r.held[p]
	return slices.Contains(r.Readers(), ReadDescriptor(p)), parked
}

// A paused port accepts nothing, even within a batch, and its clients
// wait in the listen queue until it resumes; none is lost or refused.
func TestPauseAccepting(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		r, _ := newReactor(t, backend)
		var p *Port
		pauseEach := true
		srv := &servers{build: func() *recorder {
			if pauseEach {
				p.PauseAccepting() // from BuildProtocol: the rest of the batch waits
			}
			return &recorder{}
		}}
		p = listen(t, r, srv)
		for range 3 {
			c, err := net.DialTimeout("tcp", p.Addr().String(), testTimeout)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
		}
		time.Sleep(20 * time.Millisecond) // the handshakes complete into the queue
		accept := func(want int) {
			t.Helper()
			before := len(srv.all)
			if err := p.DoRead(); err != nil {
				t.Fatal(err)
			}
			if got := len(srv.all) - before; got != want {
				t.Fatalf("a wake-up accepted %d connections, want %d", got, want)
			}
		}
		accept(1)
		if reading, parked := watched(r, p); !p.Paused() || reading || !parked {
			t.Fatalf("after PauseAccepting: paused %v, watched %v, held %v; want true, false, true", p.Paused(), reading, parked)
		}
		p.PauseAccepting() // twice is once
		p.ResumeAccepting()
		if reading, parked := watched(r, p); p.Paused() || !reading || parked {
			t.Fatalf("after ResumeAccepting: paused %v, watched %v, held %v; want false, true, false", p.Paused(), reading, parked)
		}
		accept(1)
		pauseEach = false
		p.ResumeAccepting()
		p.ResumeAccepting() // twice is once
		accept(1)
		if len(srv.all) != 3 {
			t.Fatalf("%d connections accepted of 3", len(srv.all))
		}
	})
}

// Pausing and resuming respect the port's other states: a port that
// stopped listening stays closed, and one backing off for want of
// descriptors waits for both its retry and ResumeAccepting.
func TestPauseAcceptingOtherStates(t *testing.T) {
	r, _ := newReactor(t, DefaultBackend())
	p := listen(t, r, &servers{})
	p.backOff(errors.New("too many open files"))
	p.PauseAccepting()
	p.retry.Cancel()
	p.retryAccept() // the back-off is over: still paused
	if reading, parked := watched(r, p); reading || !parked {
		t.Fatalf("paused port after its back-off: watched %v, held %v; want false, true", reading, parked)
	}
	p.ResumeAccepting()
	if reading, parked := watched(r, p); !reading || parked {
		t.Fatalf("resumed port: watched %v, held %v; want true, false", reading, parked)
	}
	p.PauseAccepting()
	p.StopListening()
	if p.Paused() {
		t.Error("a port closed while paused still says it is paused")
	}
	p.ResumeAccepting()
	if reading, parked := watched(r, p); reading || parked || p.Fd() != -1 {
		t.Fatalf("port stopped while paused, then resumed: watched %v, held %v, fd %d; want it closed", reading, parked, p.Fd())
	}
	p.PauseAccepting() // a closed port: nothing to do
	if p.Paused() {
		t.Error("a closed port was paused")
	}
}
