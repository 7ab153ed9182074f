package reactor

import (
	"bytes"
	"log/slog"
	"testing"
)

func TestTracebackHandler(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(NewTracebackHandler(&buf, slog.LevelWarn))
	log.Info("not shown")
	log.With("system", "tcp").WithGroup("g").Error("Unhandled Error",
		"traceback", "Traceback (most recent call last):\n  main.main\nboom", "n", 1)
	log.Warn("plain", slog.Group("peer", "host", "127.0.0.1"))
	want := "Unhandled Error system=tcp g.n=1\n" +
		"Traceback (most recent call last):\n  main.main\nboom\n\n" +
		"plain peer.host=127.0.0.1\n"
	if buf.String() != want {
		t.Errorf("got:\n%q\nwant:\n%q", buf.String(), want)
	}
}
