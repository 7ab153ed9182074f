package reactor

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
)

// TracebackHandler is a slog.Handler that prints records the way Twisted
// prints errors on stderr: the message on its own line (followed by any
// one-line attributes as key=value), then each multi-line attribute, such as
// the traceback of a recovered panic, as a block, then an empty line after
// each block. No time, no level.
//
//	Unhandled Error
//	Traceback (most recent call last):
//	  File "/src/main.go", line 12, in main.main
//	...
//	*errors.errorString: I fall down.
//
// The tutorial's programs use it so that their error output reads like the
// originals'.
type TracebackHandler struct {
	mu     *sync.Mutex
	w      io.Writer
	level  slog.Leveler
	prefix string // open groups, "a.b."
	attrs  []slog.Attr
	groups []string // the group each of attrs was added under
}

// NewTracebackHandler returns a handler writing records of at least level
// (nil means slog.LevelInfo) to w.
func NewTracebackHandler(w io.Writer, level slog.Leveler) *TracebackHandler {
	if level == nil {
		level = slog.LevelInfo
	}
	return &TracebackHandler{mu: new(sync.Mutex), w: w, level: level}
}

// Enabled reports whether level is at least the handler's level.
func (h *TracebackHandler) Enabled(_ context.Context, level slog.Level) bool {
	return level >= h.level.Level()
}

// Handle writes one record.
func (h *TracebackHandler) Handle(_ context.Context, rec slog.Record) error {
	var line, blocks strings.Builder
	line.WriteString(rec.Message)
	add := func(prefix string, a slog.Attr) {
		h.appendAttr(&line, &blocks, prefix, a)
	}
	for i, a := range h.attrs {
		add(h.groups[i], a)
	}
	rec.Attrs(func(a slog.Attr) bool {
		add(h.prefix, a)
		return true
	})
	line.WriteByte('\n')
	line.WriteString(blocks.String())
	h.mu.Lock()
	defer h.mu.Unlock()
	_, err := io.WriteString(h.w, line.String())
	return err
}

func (h *TracebackHandler) appendAttr(line, blocks *strings.Builder, prefix string, a slog.Attr) {
	v := a.Value.Resolve()
	if a.Equal(slog.Attr{}) {
		return
	}
	if v.Kind() == slog.KindGroup {
		if a.Key != "" {
			prefix += a.Key + "."
		}
		for _, g := range v.Group() {
			h.appendAttr(line, blocks, prefix, g)
		}
		return
	}
	s := v.String()
	if strings.Contains(s, "\n") {
		blocks.WriteString(s)
		if !strings.HasSuffix(s, "\n") {
			blocks.WriteByte('\n')
		}
		blocks.WriteByte('\n')
		return
	}
	line.WriteString(" " + prefix + a.Key + "=" + s)
}

// WithAttrs returns a handler that adds attrs to every record.
func (h *TracebackHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	h2 := *h
	h2.attrs = append(h.attrs[:len(h.attrs):len(h.attrs)], attrs...)
	h2.groups = h.groups[:len(h.groups):len(h.groups)]
	for range attrs {
		h2.groups = append(h2.groups, h.prefix)
	}
	return &h2
}

// WithGroup returns a handler that qualifies later attributes with name.
func (h *TracebackHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	h2 := *h
	h2.prefix = h.prefix + name + "."
	return &h2
}
