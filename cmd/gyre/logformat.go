package main

import (
	"context"
	"encoding"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"
)

// The log of gyre serve goes through log/slog, but not through slog's own
// TextHandler and JSONHandler: a busy server logs one record per client,
// tens of thousands a second, and those handlers cost about a microsecond
// and three allocations a record (the peer's address and the duration are
// formatted through String methods, the time from scratch), which is 5% of
// what serving a poem costs the server. logHandler writes the same formats
// (slog's key=value text, or one JSON object per line) without allocating
// for the kinds of values the server logs, and remembers the formatted date
// and time of the current second.
//
// It appends each record to a logBuffer in memory; nothing is written to
// the terminal or the file by the handler itself (see logSink).
//
// Differences from slog's handlers: a *net.TCPAddr is written "ip:port" in
// JSON too (slog's JSONHandler writes its fields as an object), times are
// written to the millisecond in JSON as in text, and groups are flattened
// into dotted keys ("g.key") in JSON too (the server logs no groups).

// logFormat is the output format of a logHandler.
type logFormat uint8

const (
	formatText logFormat = iota
	formatJSON
)

func parseLogFormat(s string) (logFormat, error) {
	switch s {
	case "text":
		return formatText, nil
	case "json":
		return formatJSON, nil
	}
	return 0, fmt.Errorf("--log-format must be text or json, not %q", s)
}

// logHandler is a slog.Handler that formats records into a logBuffer. It is
// safe for concurrent use (the buffer has a lock), though each reactor loop
// has its own buffer so that loops never contend.
type logHandler struct {
	format logFormat
	level  slog.Leveler
	pre    []byte // attributes from WithAttrs, already formatted
	prefix string // key prefix from WithGroup, "g." per group
	buf    *logBuffer
}

func newLogHandler(buf *logBuffer, format logFormat, level slog.Leveler) *logHandler {
	return &logHandler{format: format, level: level, buf: buf}
}

// Enabled reports whether records of level are written.
func (h *logHandler) Enabled(_ context.Context, level slog.Level) bool {
	return level >= h.level.Level()
}

// WithAttrs returns a handler that adds attrs to every record, formatted
// once here.
func (h *logHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	h2 := *h
	h2.pre = append([]byte(nil), h.pre...)
	for _, a := range attrs {
		h2.pre = h2.appendAttr(h2.pre, a, h.prefix)
	}
	return &h2
}

// WithGroup returns a handler that puts name. in front of later keys.
func (h *logHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	h2 := *h
	h2.prefix = h.prefix + name + "."
	return &h2
}

// Handle formats r at the end of the buffer.
func (h *logHandler) Handle(_ context.Context, r slog.Record) error {
	b := h.buf
	b.mu.Lock()
	defer b.mu.Unlock()
	start := len(b.data)
	out := b.data
	if h.format == formatJSON {
		out = append(out, '{')
		if !r.Time.IsZero() {
			out = append(out, `"time":"`...)
			out = b.clock.append(out, r.Time)
			out = append(out, `",`...)
		}
		out = append(out, `"level":"`...)
		out = append(out, r.Level.String()...)
		out = append(out, `","msg":`...)
		out = appendJSONString(out, r.Message)
	} else {
		if !r.Time.IsZero() {
			out = append(out, "time="...)
			out = b.clock.append(out, r.Time)
			out = append(out, ' ')
		}
		out = append(out, "level="...)
		out = append(out, r.Level.String()...)
		out = append(out, " msg="...)
		out = appendTextString(out, r.Message)
	}
	out = append(out, h.pre...)
	r.Attrs(func(a slog.Attr) bool {
		out = h.appendAttr(out, a, h.prefix)
		return true
	})
	if h.format == formatJSON {
		out = append(out, '}')
	}
	out = append(out, '\n')
	if b.limit > 0 && len(out) > b.limit {
		// Nobody is taking the log away (the writer is stuck): drop the
		// record rather than grow without bound, and count it.
		out = out[:start]
		b.dropped++
		if b.tally != nil {
			b.tally.Add(1)
		}
	} else {
		b.records++
	}
	b.data = out
	return nil
}

// appendAttr appends " key=value" (text) or `,"key":value` (JSON).
func (h *logHandler) appendAttr(out []byte, a slog.Attr, prefix string) []byte {
	v := a.Value.Resolve()
	if v.Kind() == slog.KindGroup {
		attrs := v.Group()
		if len(attrs) == 0 {
			return out
		}
		if a.Key != "" {
			prefix += a.Key + "."
		}
		for _, ga := range attrs {
			out = h.appendAttr(out, ga, prefix)
		}
		return out
	}
	if a.Key == "" && v.Kind() == slog.KindAny && v.Any() == nil {
		return out // an empty attribute is ignored, as slog's handlers do
	}
	if h.format == formatJSON {
		out = append(out, ',')
		out = appendJSONKey(out, prefix, a.Key)
		out = append(out, ':')
		return appendJSONValue(out, v)
	}
	out = append(out, ' ')
	if prefix == "" && safeText(a.Key) {
		out = append(out, a.Key...)
	} else {
		out = appendTextString(out, prefix+a.Key)
	}
	out = append(out, '=')
	return appendTextValue(out, v)
}

func appendTextValue(out []byte, v slog.Value) []byte {
	switch v.Kind() {
	case slog.KindString:
		return appendTextString(out, v.String())
	case slog.KindInt64:
		return strconv.AppendInt(out, v.Int64(), 10)
	case slog.KindUint64:
		return strconv.AppendUint(out, v.Uint64(), 10)
	case slog.KindFloat64:
		return strconv.AppendFloat(out, v.Float64(), 'g', -1, 64)
	case slog.KindBool:
		return strconv.AppendBool(out, v.Bool())
	case slog.KindDuration:
		return appendDuration(out, v.Duration())
	case slog.KindTime:
		return v.Time().AppendFormat(out, "2006-01-02T15:04:05.000Z07:00")
	}
	if addr, ok := v.Any().(*net.TCPAddr); ok && addr != nil {
		return appendTCPAddr(out, addr)
	}
	return appendTextString(out, anyString(v.Any()))
}

func appendJSONValue(out []byte, v slog.Value) []byte {
	switch v.Kind() {
	case slog.KindString:
		return appendJSONString(out, v.String())
	case slog.KindInt64:
		return strconv.AppendInt(out, v.Int64(), 10)
	case slog.KindUint64:
		return strconv.AppendUint(out, v.Uint64(), 10)
	case slog.KindFloat64:
		return strconv.AppendFloat(out, v.Float64(), 'g', -1, 64)
	case slog.KindBool:
		return strconv.AppendBool(out, v.Bool())
	case slog.KindDuration:
		// As slog's JSONHandler: a number of nanoseconds.
		return strconv.AppendInt(out, int64(v.Duration()), 10)
	case slog.KindTime:
		out = append(out, '"')
		out = v.Time().AppendFormat(out, "2006-01-02T15:04:05.000Z07:00")
		return append(out, '"')
	}
	if addr, ok := v.Any().(*net.TCPAddr); ok && addr != nil {
		out = append(out, '"')
		out = appendTCPAddr(out, addr)
		return append(out, '"')
	}
	return appendJSONString(out, anyString(v.Any()))
}

// anyString is the text of a value of no particular kind: an error's
// message, a TextMarshaler's text, or fmt's %+v.
func anyString(v any) string {
	switch x := v.(type) {
	case nil:
		return "<nil>"
	case error:
		return x.Error()
	case encoding.TextMarshaler:
		if b, err := x.MarshalText(); err == nil {
			return string(b)
		}
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprintf("%+v", v)
}

// appendTCPAddr appends ip:port ([ip%zone]:port for IPv6) without the
// allocations of TCPAddr.String.
func appendTCPAddr(out []byte, a *net.TCPAddr) []byte {
	if ip4 := a.IP.To4(); ip4 != nil {
		for i, b := range ip4 {
			if i > 0 {
				out = append(out, '.')
			}
			out = strconv.AppendUint(out, uint64(b), 10)
		}
	} else if ip, ok := netip.AddrFromSlice(a.IP); ok {
		out = append(out, '[')
		out = ip.AppendTo(out)
		if a.Zone != "" {
			out = append(out, '%')
			out = append(out, a.Zone...)
		}
		out = append(out, ']')
	} else {
		out = append(out, "?"...)
	}
	out = append(out, ':')
	return strconv.AppendInt(out, int64(a.Port), 10)
}

// appendDuration appends d as time.Duration.String writes it, without
// allocating for the durations a server logs (under a minute).
func appendDuration(out []byte, d time.Duration) []byte {
	if d >= time.Minute || d <= -time.Minute {
		return append(out, d.String()...)
	}
	if d == 0 {
		return append(out, "0s"...)
	}
	if d < 0 {
		out = append(out, '-')
		d = -d
	}
	var unit string
	var scale int64
	var digits int
	switch {
	case d < time.Microsecond:
		out = strconv.AppendInt(out, int64(d), 10)
		return append(out, "ns"...)
	case d < time.Millisecond:
		unit, scale, digits = "µs", 1e3, 3
	case d < time.Second:
		unit, scale, digits = "ms", 1e6, 6
	default:
		unit, scale, digits = "s", 1e9, 9
	}
	n := int64(d)
	out = strconv.AppendInt(out, n/scale, 10)
	if frac := n % scale; frac != 0 {
		var tmp [9]byte
		for i := digits - 1; i >= 0; i-- {
			tmp[i] = byte('0' + frac%10)
			frac /= 10
		}
		end := digits
		for end > 0 && tmp[end-1] == '0' {
			end--
		}
		out = append(out, '.')
		out = append(out, tmp[:end]...)
	}
	return append(out, unit...)
}

// safeText reports whether s can be written bare in the text format: not
// empty, and no space, '=', '"', control or non-printable character (the
// rule of slog's TextHandler, which writes DEL bare: it is an ASCII control
// character that JSON does not escape either).
func safeText(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c <= ' ' || c == '=' || c == '"' {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError || unicode.IsSpace(r) || !unicode.IsPrint(r) {
			return false
		}
		i += size
	}
	return true
}

func appendTextString(out []byte, s string) []byte {
	if safeText(s) {
		return append(out, s...)
	}
	return strconv.AppendQuote(out, s)
}

func appendJSONKey(out []byte, prefix, key string) []byte {
	if prefix == "" {
		return appendJSONString(out, key)
	}
	return appendJSONString(out, prefix+key)
}

// appendJSONString appends s as a JSON string: quotes, backslashes and
// control characters escaped, invalid UTF-8 replaced by U+FFFD.
func appendJSONString(out []byte, s string) []byte {
	const hex = "0123456789abcdef"
	out = append(out, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= ' ' && c != '"' && c != '\\' && c != 0x7f {
				i++
				continue
			}
			out = append(out, s[start:i]...)
			switch c {
			case '"', '\\':
				out = append(out, '\\', c)
			case '\n':
				out = append(out, '\\', 'n')
			case '\r':
				out = append(out, '\\', 'r')
			case '\t':
				out = append(out, '\\', 't')
			default:
				out = append(out, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			out = append(out, s[start:i]...)
			out = append(out, `\ufffd`...)
			i += size
			start = i
			continue
		}
		i += size
	}
	out = append(out, s[start:]...)
	return append(out, '"')
}

// logClock formats record times (RFC 3339, milliseconds, local zone as
// slog's handlers write it), keeping the text of the current second: a
// busy server logs thousands of records a second, and only the
// milliseconds change between them.
type logClock struct {
	sec  int64
	loc  *time.Location
	head []byte // "2006-01-02T15:04:05"
	zone []byte // "Z" or "+01:00"
}

func (c *logClock) append(out []byte, t time.Time) []byte {
	if sec := t.Unix(); sec != c.sec || t.Location() != c.loc || c.head == nil {
		c.sec, c.loc = sec, t.Location()
		c.head = t.AppendFormat(c.head[:0], "2006-01-02T15:04:05")
		c.zone = t.AppendFormat(c.zone[:0], "Z07:00")
	}
	out = append(out, c.head...)
	ms := t.Nanosecond() / 1e6
	out = append(out, '.', byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10))
	return append(out, c.zone...)
}

// logBuffer is where a logHandler puts its records until a flush hands
// them to the logSink: in memory, so that logging a record makes no system
// call. limit bounds it (0: no bound); records beyond are counted in
// dropped, and in tally if it is set (the sink's count for /metrics).
type logBuffer struct {
	mu      sync.Mutex
	data    []byte
	limit   int
	records int // in data
	dropped int64
	tally   *atomic.Int64
	clock   logClock
}

// takeDropped returns how many records were dropped since the last call.
func (b *logBuffer) takeDropped() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := b.dropped
	b.dropped = 0
	return n
}
