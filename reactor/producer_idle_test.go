package reactor

import (
	"testing"
	"time"
)

// waitingPuller is a pull producer with nothing to send yet: it writes
// nothing when asked, and writes its data later, when it has some.
type waitingPuller struct{ calls int }

func (p *waitingPuller) ResumeProducing() { p.calls++ }
func (p *waitingPuller) StopProducing()   {}

// A pull producer that wrote nothing when asked is not asked again until
// it writes (Twisted stops writing then; the producer's next write starts
// it again). Asking again at every writability is a busy loop: the socket
// is always writable, so the reactor would spin for as long as the
// producer waits.
func TestIdlePullProducerDoesNotSpin(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		r, _ := newReactor(t, backend, directWrites)
		var prod *waitingPuller
		var asked int
		srv := &servers{build: func() *recorder {
			return &recorder{onMade: func(p *recorder) {
				prod = &waitingPuller{}
				if err := p.Transport.RegisterProducer(prod, false); err != nil {
					t.Error(err)
				}
				r.CallLater(200*time.Millisecond, func() {
					asked = prod.calls
					p.Transport.Write([]byte("late"))
					p.Transport.UnregisterProducer()
					p.Transport.LoseConnection()
				})
			}, onLost: func(*recorder, error) { r.Stop() }}
		}}
		port := listen(t, r, srv)
		got := goReadAll(t, r, port.Addr())
		run(t, r)
		if s := <-got; s != "late" {
			t.Errorf("client got %q", s)
		}
		if asked > 2 {
			t.Errorf("a pull producer that wrote nothing was asked %d times in 200ms: the loop spins", asked)
		}
	})
}
