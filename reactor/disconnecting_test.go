package reactor

import (
	"io"
	"testing"
)

// Disconnecting turns true with LoseConnection or AbortConnection and
// stays so; LoseWriteConnection alone leaves it false (reading goes on);
// a connection the peer ended reports it too.
func TestConnDisconnecting(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		r, _ := newReactor(t, backend)
		var seen []bool
		ended := 0
		end := func(p *recorder, _ error) {
			seen = append(seen, p.Transport.Disconnecting())
			if ended++; ended == 3 {
				r.CallLater(0, func() { r.Stop() })
			}
		}
		srv := &servers{build: func() *recorder {
			return &recorder{
				onData: func(p *recorder, b []byte) {
					c := p.conn()
					seen = append(seen, c.Disconnecting())
					switch string(b) {
					case "lose":
						c.LoseWriteConnection()
						seen = append(seen, c.Disconnecting())
						c.LoseConnection()
					case "abort":
						c.AbortConnection()
					default:
						return // the peer closes
					}
					seen = append(seen, c.Disconnecting())
				},
				onLost: end,
			}
		}}
		port := listen(t, r, srv)
		go func() {
			for _, msg := range []string{"lose", "abort", "peer"} {
				c := goDial(t, port.Addr())
				if c == nil {
					return
				}
				c.Write([]byte(msg))
				if msg == "peer" {
					c.Close()
					continue
				}
				io.Copy(io.Discard, c)
				c.Close()
			}
		}()
		run(t, r)
		want := []bool{
			false, false, true, true, // lose: LoseWriteConnection alone, then LoseConnection, then at ConnectionLost
			false, true, true, // abort
			false, true, // the peer's close
		}
		if len(seen) != len(want) {
			t.Fatalf("Disconnecting: %v, want %v", seen, want)
		}
		for i := range want {
			if seen[i] != want[i] {
				t.Fatalf("Disconnecting: %v, want %v", seen, want)
			}
		}
	})
}
