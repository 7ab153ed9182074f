package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"math/rand/v2"
	"net"
	"strings"
	"testing"
	"time"

	"gyre/poetry"
)

// servedRecord is a typical client record.
func servedRecord() poetry.Served {
	return poetry.Served{
		Peer:     &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1).To4(), Port: 54321},
		Start:    time.Date(2026, 11, 21, 8, 30, 5, 123456789, time.UTC),
		Duration: 1234567 * time.Nanosecond,
		Bytes:    3014,
	}
}

// The text format is slog's TextHandler's, byte for byte, for the records
// the server writes.
func TestTextMatchesSlog(t *testing.T) {
	lost := servedRecord()
	lost.Err = errors.New(`reset "by" peer`)
	v6 := servedRecord()
	v6.Peer = &net.TCPAddr{IP: net.ParseIP("::1"), Port: 10000}
	for _, s := range []poetry.Served{servedRecord(), lost, v6} {
		var mine logBuffer
		h := newLogHandler(&mine, formatText, slog.LevelInfo).WithAttrs([]slog.Attr{slog.String("poem", "night bus"), slog.Int("port", 10000)})
		logServed(h, s)
		var theirs bytes.Buffer
		sh := slog.NewTextHandler(&theirs, nil).WithAttrs([]slog.Attr{slog.String("poem", "night bus"), slog.Int("port", 10000)})
		logServed(sh, s)
		if string(mine.data) != theirs.String() {
			t.Errorf("text differs from slog's:\n got  %s want %s", mine.data, theirs.String())
		}
	}
}

// The JSON format parses, with the same fields as slog's JSONHandler.
func TestJSONMatchesSlog(t *testing.T) {
	s := servedRecord()
	s.Err = errors.New("weird \x01\n\"\\ \xff é")
	var mine logBuffer
	logServed(newLogHandler(&mine, formatJSON, slog.LevelInfo).WithAttrs([]slog.Attr{slog.String("poem", "orchard")}), s)
	var theirs bytes.Buffer
	logServed(slog.NewJSONHandler(&theirs, nil).WithAttrs([]slog.Attr{slog.String("poem", "orchard")}), s)
	var got, want map[string]any
	if err := json.Unmarshal(mine.data, &got); err != nil {
		t.Fatalf("%v: %s", err, mine.data)
	}
	if err := json.Unmarshal(theirs.Bytes(), &want); err != nil {
		t.Fatal(err)
	}
	// slog writes nanoseconds; gyre milliseconds, as in the text format.
	if got["time"] != "2026-11-21T08:30:05.124Z" {
		t.Errorf("time %v", got["time"])
	}
	delete(got, "time")
	delete(want, "time")
	// slog writes a *net.TCPAddr as an object, gyre as text.
	if got["peer"] != "127.0.0.1:54321" {
		t.Errorf("peer %v", got["peer"])
	}
	delete(got, "peer")
	delete(want, "peer")
	gj, _ := json.Marshal(got)
	wj, _ := json.Marshal(want)
	if string(gj) != string(wj) {
		t.Errorf("JSON differs from slog's:\n got  %s\n want %s", gj, wj)
	}
}

func TestLogHandlerKinds(t *testing.T) {
	var buf logBuffer
	l := slog.New(newLogHandler(&buf, formatText, slog.LevelInfo))
	l.WithGroup("g").Info("", slog.Bool("b", true), slog.Float64("f", 0.5), slog.Uint64("u", 7),
		slog.Group("sub", slog.String("k", "")), slog.Any("err", errors.New("x y")), slog.Any("nil", nil))
	line := string(buf.data)
	for _, want := range []string{` msg="" g.b=true g.f=0.5 g.u=7 g.sub.k="" g.err="x y" g.nil=<nil>`} {
		if !strings.Contains(line, want) {
			t.Errorf("%q lacks %q", line, want)
		}
	}
	buf.data = nil
	l.Debug("hidden")
	if len(buf.data) != 0 {
		t.Errorf("a debug record was written: %q", buf.data)
	}
}

// A full buffer drops records and counts them instead of growing.
func TestLogBufferLimit(t *testing.T) {
	buf := logBuffer{limit: 300}
	h := newLogHandler(&buf, formatText, slog.LevelInfo)
	for range 10 {
		logServed(h, servedRecord())
	}
	if len(buf.data) > 300 || buf.takeDropped() == 0 {
		t.Errorf("%d bytes buffered, limit 300", len(buf.data))
	}
}

func TestAppendDuration(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	ds := []time.Duration{0, 1, 999, time.Microsecond, 1500, time.Millisecond, 1234567, time.Second, 59*time.Second + 999999999, time.Minute, 3 * time.Hour, -1500}
	for range 1000 {
		ds = append(ds, time.Duration(rng.Int64N(int64(2*time.Minute))))
	}
	for _, d := range ds {
		if got := string(appendDuration(nil, d)); got != d.String() {
			t.Errorf("appendDuration(%d) = %q, want %q", int64(d), got, d.String())
		}
	}
}

func TestAppendTCPAddr(t *testing.T) {
	for _, a := range []*net.TCPAddr{
		{IP: net.IPv4(10, 0, 0, 255), Port: 1},
		{IP: net.ParseIP("2001:db8::1"), Port: 65535},
		{IP: net.ParseIP("fe80::1"), Port: 80, Zone: "eth0"},
	} {
		if got := string(appendTCPAddr(nil, a)); got != a.String() {
			t.Errorf("appendTCPAddr = %q, want %q", got, a.String())
		}
	}
}

// The cost of logging one client, as the server does it (one record into
// the loop's buffer; the buffer is handed over every few thousand records,
// as the 200 ms flush would). Run with:
//
//	go test -run - -bench ServedRecord -benchmem ./cmd/gyre
func BenchmarkServedRecord(b *testing.B) {
	for _, bench := range []struct {
		name string
		make func(*logBuffer) slog.Handler
	}{
		{"gyre-text", func(buf *logBuffer) slog.Handler { return newLogHandler(buf, formatText, slog.LevelInfo) }},
		{"gyre-json", func(buf *logBuffer) slog.Handler { return newLogHandler(buf, formatJSON, slog.LevelInfo) }},
		{"slog-text", func(buf *logBuffer) slog.Handler { return slog.NewTextHandler(bufWriter{buf}, nil) }},
		{"slog-json", func(buf *logBuffer) slog.Handler { return slog.NewJSONHandler(bufWriter{buf}, nil) }},
	} {
		b.Run(bench.name, func(b *testing.B) {
			buf := &logBuffer{}
			h := bench.make(buf).WithAttrs([]slog.Attr{slog.String("poem", "library"), slog.Int("port", 10000)})
			s := servedRecord()
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				s.Start = s.Start.Add(50 * time.Microsecond)
				logServed(h, s)
				if i++; i%4096 == 0 {
					buf.data = buf.data[:0]
				}
			}
		})
	}
}

// bufWriter lets slog's own handlers write into a logBuffer, for
// comparison.
type bufWriter struct{ b *logBuffer }

func (w bufWriter) Write(p []byte) (int, error) {
	w.b.data = append(w.b.data, p...)
	return len(p), nil
}
