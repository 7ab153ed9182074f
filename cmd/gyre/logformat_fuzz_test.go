package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"reflect"
	"testing"
	"time"
)

// logHandler writes slog's formats by hand (logformat.go says why), so the
// fuzz targets below hold it to slog's own handlers on arbitrary text:
// the text format byte for byte, the JSON format value for value. A
// record's message, a string attribute's key and value, and an error's
// text reach the log from outside (a poem's path, a peer's reset), so
// whatever they hold must neither break a record's one line nor read back
// as something else.

// fuzzRecord is a record with no time (both handlers then leave the time
// out, which is the one field the formats write differently), a string
// attribute, an integer and a duration.
func fuzzRecord(msg, key, val string, n, d int64) slog.Record {
	r := slog.NewRecord(time.Time{}, slog.LevelWarn, msg, 0)
	r.AddAttrs(slog.String(key, val), slog.Int64("n", n), slog.Duration("took", time.Duration(d)))
	return r
}

func addLogSeeds(f *testing.F) {
	f.Add("served", "poem", "night bus", int64(3003), int64(1234567))
	f.Add("", "", "", int64(0), int64(0))
	f.Add("two\nlines", "k=v", `quote " and \ back`, int64(-1), int64(-90*time.Second))
	f.Add("tab\there", "key with space", "\x00\x7f\xff é \u2028", int64(1)<<62, int64(time.Hour))
}

// fuzzAgainstSlog runs a record from the fuzzer through a logHandler of
// format and through slog's handler, and fails unless gyre's record is one
// line and same holds.
func fuzzAgainstSlog(f *testing.F, format logFormat, slogs func(io.Writer) slog.Handler, same func(t *testing.T, got, want []byte) bool) {
	addLogSeeds(f)
	var mine logBuffer
	h := newLogHandler(&mine, format, slog.LevelInfo)
	f.Fuzz(func(t *testing.T, msg, key, val string, n, d int64) {
		r := fuzzRecord(msg, key, val, n, d)
		mine.data = mine.data[:0]
		var theirs bytes.Buffer
		for _, h := range []slog.Handler{h, slogs(&theirs)} {
			if err := h.Handle(context.Background(), r); err != nil {
				t.Fatal(err)
			}
		}
		got := mine.data
		if bytes.IndexByte(got, '\n') != len(got)-1 {
			t.Fatalf("record is not one line: %q", got)
		}
		if !same(t, got, theirs.Bytes()) {
			t.Fatalf("differs from slog's:\n got  %q\n want %q", got, theirs.Bytes())
		}
	})
}

func FuzzLogTextMatchesSlog(f *testing.F) {
	fuzzAgainstSlog(f, formatText, func(w io.Writer) slog.Handler { return slog.NewTextHandler(w, nil) },
		func(_ *testing.T, got, want []byte) bool { return bytes.Equal(got, want) })
}

// The JSON records escape differently (slog escapes <, > and & too, gyre
// DEL), so they are compared as the values they decode to, with integers
// kept exact.
func FuzzLogJSONMatchesSlog(f *testing.F) {
	fuzzAgainstSlog(f, formatJSON, func(w io.Writer) slog.Handler { return slog.NewJSONHandler(w, nil) },
		func(t *testing.T, got, want []byte) bool {
			return reflect.DeepEqual(decodeJSON(t, got), decodeJSON(t, want))
		})
}

func decodeJSON(t *testing.T, line []byte) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("%v: %q", err, line)
	}
	return m
}

// FuzzAppendDuration holds appendDuration to time.Duration.String, which
// it replaces to spare an allocation per record.
func FuzzAppendDuration(f *testing.F) {
	for _, d := range []int64{0, 1, -1, 999, 1000, 1500, 1e6, 1234567, 1e9, 59e9 + 999999999, 60e9, -90e9, 1<<63 - 1, -1 << 63} {
		f.Add(d)
	}
	f.Fuzz(func(t *testing.T, n int64) {
		d := time.Duration(n)
		if got := string(appendDuration(nil, d)); got != d.String() {
			t.Fatalf("appendDuration(%d) = %q, want %q", n, got, d.String())
		}
	})
}
