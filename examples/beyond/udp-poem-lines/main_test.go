package main

import (
	"strings"
	"testing"
	"time"

	"gyre/internal/progtest"
	"gyre/poetry"
	"gyre/reactor"
)

func TestMain(m *testing.M) { progtest.Main(m) }

// The program, run for real on every backend, prints the poem it got line
// by line over UDP, byte for byte.
func TestPoemOverDatagrams(t *testing.T) {
	exe := progtest.Build(t, "./examples/beyond/udp-poem-lines")
	want, _ := poetry.Poem("library")
	for _, backend := range reactor.Backends() {
		res := progtest.RunWith(t, progtest.Options{Env: []string{reactor.BackendEnv + "=" + backend}}, 30*time.Second, exe, "library")
		if res.Code != 0 || res.Stdout != string(want) {
			t.Fatalf("%s: exit %d, %d bytes (want %d), stderr %q", backend, res.Code, len(res.Stdout), len(want), res.Stderr)
		}
	}
}

// A client whose server never answers gives up with one line.
func TestNoServer(t *testing.T) {
	exe := progtest.Build(t, "./examples/beyond/udp-poem-lines")
	res := progtest.Run(t, 30*time.Second, exe, "--server", "127.0.0.1:9", "--retry", "20ms")
	if res.Code != 1 || !strings.Contains(res.Stderr, "no answer from 127.0.0.1:9 for line 0") {
		t.Fatalf("exit %d, stderr %q", res.Code, res.Stderr)
	}
}
