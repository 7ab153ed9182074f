package wire

import (
	"net"

	"gyre/protocols/basic"
	"gyre/reactor"
)

// LineEcho is a line server: it splits its input into lines with a
// basic.LineReceiver and answers each line with the same line and the
// delimiter. The answers to the lines of one read leave in one write.
// Build it with a LineEchoFactory (its zero value has no factory and
// would write nothing).
//
// A line longer than the framer's MaxLength ends the connection, as
// LineReceiver does by default (Err says why).
type LineEcho struct {
	basic.LineReceiver
	f    *LineEchoFactory
	flow flow
}

// DataReceived frames data; the lines it completes are answered in one
// write once all of them have been handled.
func (l *LineEcho) DataReceived(data []byte) {
	f := l.f
	// start, not zero: a DataReceived nested in this one (a handler that
	// feeds another LineEcho of the same factory) appends after our
	// answers so far and writes and removes only its own, so nothing is
	// lost or written twice.
	start := len(f.out)
	l.LineReceiver.DataReceived(data)
	if len(f.out) == start {
		return
	}
	l.Transport.Write(f.out[start:])
	f.out = f.out[:start]
	if start == 0 && cap(f.out) > maxKeptOutput {
		f.out = nil // one huge read: do not keep its buffer for ever
	}
	l.flow.check(l.Transport)
}

// LineReceived answers one line (basic.LineHandler): the line and the
// delimiter, appended to the factory's output buffer.
func (l *LineEcho) LineReceived(line []byte) {
	f := l.f
	f.out = append(f.out, line...)
	f.out = append(f.out, l.LineReceiver.Delimiter...)
}

// maxKeptOutput is the largest output buffer a LineEchoFactory keeps
// between reads. One read's answers are at most one read plus one line
// held from the read before (a read is the reactor's read buffer, 64 KiB
// by default), so this is rarely reached.
const maxKeptOutput = 1 << 20

// LineEchoFactory builds LineEcho protocols. The answers of a read are
// gathered in a buffer the factory owns, so a factory belongs to one
// reactor: a program with several loops makes one per loop.
type LineEchoFactory struct {
	// Delimiter ends a line, in both directions; empty means "\n".
	Delimiter []byte
	// MaxLength is the longest line accepted, delimiter excluded; 0 means
	// basic.DefaultMaxLineLength.
	MaxLength int

	out []byte
}

// defaultLineDelimiter is LineEcho's delimiter unless told otherwise: a
// bare newline, what line-oriented tools (and the load generator's line
// workload) send.
var defaultLineDelimiter = []byte("\n")

// BuildProtocol implements reactor.Factory.
func (f *LineEchoFactory) BuildProtocol(net.Addr) reactor.Protocol {
	l := &LineEcho{f: f}
	l.Handler = l
	l.LineReceiver.Delimiter = f.Delimiter
	if len(l.LineReceiver.Delimiter) == 0 {
		l.LineReceiver.Delimiter = defaultLineDelimiter
	}
	l.MaxLength = f.MaxLength
	return l
}

var (
	_ reactor.Protocol  = (*LineEcho)(nil)
	_ basic.LineHandler = (*LineEcho)(nil)
	_ reactor.Factory   = (*LineEchoFactory)(nil)
)
