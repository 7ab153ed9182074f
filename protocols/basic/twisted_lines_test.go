package basic

import (
	"bytes"
	"strings"
)

// Reference models of Twisted's line receivers (twisted.protocols.basic,
// LineReceiver.dataReceived and LineOnlyReceiver.dataReceived), written
// plainly, copying the whole buffer at each step as Python does, and the
// scripted handlers that drive gyre's framers and the models alike: the
// fuzz targets check that both deliver the same events.
//
// The handlers act on what they receive. A line:
//
//	R  SetRawMode            T  SetRawMode, then SetLineMode(nil)
//	P  PauseProducing        C  ClearLineBuffer (event "C:" and the bytes)
//	Q  LoseConnection        F  feed "fed"+delimiter from inside (a few times)
//
// Raw data holding 'L' or 'M': the bytes before it are raw data, those
// after go back to lines with SetLineMode (for 'L' the handler's own
// slice, which gyre takes back in place; for 'M' a copy of it).
//
// Events: "L:" a line, "X:" what LineLengthExceeded got, "W:" raw data
// (joined by mergeRaw, since its boundaries follow the reads).

// maxFeeds bounds the "F" lines, whose data might otherwise hold more.
const maxFeeds = 8

// effectiveMax is the MaxLength a line framer applies.
func effectiveMax(maxLen int) int {
	if maxLen <= 0 {
		return DefaultMaxLineLength
	}
	return maxLen
}

// twLineReceiver is Twisted's LineReceiver with the scripted handler.
type twLineReceiver struct {
	buf    []byte
	delim  []byte
	max    int
	raw    bool
	busy   bool
	paused bool
	lost   bool
	feeds  int
	ev     []string
}

func (m *twLineReceiver) dataReceived(data []byte) {
	if m.busy { // fed from a callback: queued behind the buffer
		m.buf = append(m.buf, data...)
		return
	}
	if m.lost {
		return
	}
	m.busy = true
	defer func() { m.busy = false }()
	m.buf = append(m.buf, data...)
	for len(m.buf) > 0 && !m.paused && !m.lost {
		if m.raw {
			data := m.buf
			m.buf = nil
			m.rawDataReceived(data)
			continue
		}
		line, rest, found := bytes.Cut(m.buf, m.delim)
		if !found {
			// Twisted: len(buffer) >= MAX_LENGTH + len(delimiter),
			// written so that MAX_LENGTH may be math.MaxInt.
			if len(m.buf)-len(m.delim) >= m.max {
				line, m.buf = m.buf, nil
				m.ev = append(m.ev, "X:"+string(line))
			}
			return
		}
		if len(line) > m.max {
			m.ev = append(m.ev, "X:"+string(m.buf))
			m.buf = nil
			return
		}
		m.buf = bytes.Clone(rest)
		m.lineReceived(line)
	}
}

func (m *twLineReceiver) lineReceived(line []byte) {
	m.ev = append(m.ev, "L:"+string(line))
	switch string(line) {
	case "R", "T":
		m.raw = string(line) == "R"
	case "P":
		m.paused = true
	case "C":
		m.ev = append(m.ev, "C:"+string(m.buf))
		m.buf = nil
	case "Q":
		m.lost = true
	case "F":
		if m.feeds < maxFeeds {
			m.feeds++
			m.dataReceived(append([]byte("fed"), m.delim...))
		}
	}
}

func (m *twLineReceiver) rawDataReceived(data []byte) {
	i := bytes.IndexAny(data, "LM")
	if i < 0 {
		m.ev = append(m.ev, "W:"+string(data))
		return
	}
	m.ev = append(m.ev, "W:"+string(data[:i]))
	m.raw = false // setLineMode(extra): extra is received at once
	m.dataReceived(data[i+1:])
}

func (m *twLineReceiver) resumeProducing() {
	m.paused = false
	m.dataReceived(nil)
}

// scriptedLines is gyre's LineReceiver with the same handler.
type scriptedLines struct {
	LineReceiver
	feeds int
	ev    []string
}

func (r *scriptedLines) LineReceived(line []byte) {
	r.ev = append(r.ev, "L:"+string(line))
	switch string(line) {
	case "R":
		r.SetRawMode()
	case "T":
		r.SetRawMode()
		r.SetLineMode(nil)
	case "P":
		r.PauseProducing()
	case "C":
		r.ev = append(r.ev, "C:"+string(r.ClearLineBuffer()))
	case "Q":
		r.LoseConnection()
	case "F":
		if r.feeds < maxFeeds {
			r.feeds++
			r.DataReceived(append([]byte("fed"), r.delim()...))
		}
	}
}

func (r *scriptedLines) RawDataReceived(data []byte) {
	i := bytes.IndexAny(data, "LM")
	if i < 0 {
		r.ev = append(r.ev, "W:"+string(data))
		return
	}
	r.ev = append(r.ev, "W:"+string(data[:i]))
	if data[i] == 'L' {
		r.SetLineMode(data[i+1:])
	} else {
		r.SetLineMode(bytes.Clone(data[i+1:]))
	}
}

func (r *scriptedLines) LineLengthExceeded(line []byte) {
	r.ev = append(r.ev, "X:"+string(line))
}

// mergeRaw joins consecutive raw data events and drops empty ones.
func mergeRaw(ev []string) []string {
	var out []string
	for _, e := range ev {
		if e == "W:" {
			continue
		}
		if n := len(out); n > 0 && strings.HasPrefix(e, "W:") && strings.HasPrefix(out[n-1], "W:") {
			out[n-1] += e[2:]
			continue
		}
		out = append(out, e)
	}
	return out
}

// twLineOnlyReceiver is Twisted's LineOnlyReceiver, whose handler loses
// the connection on a "Q" line.
type twLineOnlyReceiver struct {
	buf   []byte
	delim []byte
	max   int
	lost  bool
	ev    []string
}

func (m *twLineOnlyReceiver) dataReceived(data []byte) {
	if m.lost {
		return
	}
	lines := bytes.Split(append(m.buf, data...), m.delim)
	m.buf = bytes.Clone(lines[len(lines)-1])
	for _, line := range lines[:len(lines)-1] {
		if m.lost {
			return
		}
		if len(line) > m.max {
			m.ev = append(m.ev, "X:"+string(line))
			return
		}
		m.ev = append(m.ev, "L:"+string(line))
		m.lost = string(line) == "Q"
	}
	// Twisted refuses len(buffer) > MAX_LENGTH; gyre waits for a
	// delimiter's length more, since they may begin a delimiter, and then
	// drops the buffer (Twisted's keeps it for a hook that goes on).
	if !m.lost && len(m.buf)-len(m.delim) >= m.max {
		m.ev = append(m.ev, "X:"+string(m.buf))
		m.buf = nil
	}
}

// scriptedLineOnly is gyre's LineOnlyReceiver with the same handler.
type scriptedLineOnly struct {
	LineOnlyReceiver
	ev []string
}

func (r *scriptedLineOnly) LineReceived(line []byte) {
	r.ev = append(r.ev, "L:"+string(line))
	if string(line) == "Q" {
		r.LoseConnection()
	}
}

func (r *scriptedLineOnly) LineLengthExceeded(line []byte) {
	r.ev = append(r.ev, "X:"+string(line))
}
