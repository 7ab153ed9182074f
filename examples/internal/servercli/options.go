package servercli

import (
	"time"

	"gyre/internal/optparse"
)

// The slow server's defaults, the original code's: 10 bytes every 0.7 s.
// (The tutorial's text says 0.1 s, and passes --delay 0.1 where it
// measures; the code it ships waits 0.7 s unless told otherwise.)
const (
	DefaultDelay    = 0.7 // seconds
	DefaultNumBytes = 10
)

// ListenOptions adds --port and --iface, with the original's help, and
// returns where their values go. --port 0 (the default) lets the system
// choose; --iface defaults to localhost.
func ListenOptions(p *optparse.Parser) (port *int, iface *string) {
	port = p.Int("--port", 0, "The port to listen on. Default to a random available port.")
	iface = p.String("--iface", "localhost", "The interface to listen on. Default is localhost.")
	return port, iface
}

// CheckPort stops the program with a usage error unless port is a port
// number: 0 (the system chooses) to 65535.
func CheckPort(p *optparse.Parser, port int) {
	if port < 0 || port > 65535 {
		p.Errorf("option --port: %d is not a port number (0 to 65535)", port)
	}
}

// Delay checks --delay, in seconds, and returns it as a duration; it stops
// the program with a usage error for a delay below 0, not a number, or
// too long for a time.Duration.
func Delay(p *optparse.Parser, seconds float64) time.Duration {
	return p.SecondsOf("--delay", seconds, "the delay must be 0 or more seconds")
}

// CheckNumBytes stops the program with a usage error unless n, the
// --num-bytes of a slow server, is at least 1.
func CheckNumBytes(p *optparse.Parser, n int) {
	if n < 1 {
		p.Errorf("option --num-bytes: the server must send at least 1 byte at a time, not %d", n)
	}
}

// Slow is the slow server's command line, checked.
type Slow struct {
	Poem     Poem          // the one poetry file
	Port     int           // 0: the system chooses
	Iface    string        // the interface to listen on
	Delay    time.Duration // between sends
	NumBytes int           // characters per send
}

// ParseSlow defines the slow server's options (slowpoetry.py's: --port,
// --iface, --delay, --num-bytes) on p, parses args and checks everything,
// the poetry file included (exactly one, read whole), in the original's
// order. On any problem it stops the program through p: the usage and one
// line, exit status 2.
func ParseSlow(p *optparse.Parser, args []string) Slow {
	port, iface := ListenOptions(p)
	delay := p.Float("--delay", DefaultDelay, "The number of seconds between sending bytes.")
	numBytes := p.Int("--num-bytes", DefaultNumBytes, "The number of bytes to send at a time.")
	rest := p.Parse(args)
	if len(rest) != 1 {
		p.Error("Provide exactly one poetry file.")
	}
	CheckPort(p, *port)
	d := Delay(p, *delay)
	CheckNumBytes(p, *numBytes)
	poem, err := LoadPoem(rest[0], 0)
	if err != nil {
		p.Error(err.Error())
	}
	return Slow{Poem: poem, Port: *port, Iface: *iface, Delay: d, NumBytes: *numBytes}
}
