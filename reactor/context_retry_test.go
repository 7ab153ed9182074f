package reactor

import (
	"context"
	"errors"
	"testing"
	"time"

	"gyre/internal/progtest"
)

// A factory that retries with Connector.Connect after the context
// cancelled an attempt hears the retry's own failure: the retry here is
// stopped by the user (StopConnecting), which has nothing to do with the
// context, and was reported as cancelled by it.
func TestConnectTCPContextRetryNotBlamedOnContext(t *testing.T) {
	addr := progtest.UnansweredAddr(t)
	r, _ := newReactor(t, DefaultBackend())
	ctx, cancel := context.WithCancel(context.Background())
	cf := &clientFactory{}
	cf.onFail = func(c *Connector, _ error) {
		if len(cf.failed) == 1 {
			c.Connect() // try again, the context long gone
			r.CallLater(10*time.Millisecond, c.StopConnecting)
			return
		}
		r.Stop()
	}
	r.CallWhenRunning(func() {
		r.ConnectTCPContext(ctx, addr, cf)
		r.CallLater(10*time.Millisecond, cancel)
	})
	run(t, r)
	if len(cf.failed) != 2 {
		t.Fatalf("failures %v, want 2", cf.failed)
	}
	if !errors.Is(cf.failed[0], context.Canceled) {
		t.Errorf("the attempt the context cancelled: %v", cf.failed[0])
	}
	if err := cf.failed[1]; !errors.Is(err, ErrConnectCancelled) || errors.Is(err, context.Canceled) {
		t.Errorf("the retry, stopped by StopConnecting: %v; want ErrConnectCancelled without the context's error", err)
	}
}
