package main

import (
	"os"
	"strings"
	"testing"
)

// Files whose size stat reports as 0 are read before being judged empty:
// on Linux /proc/version has content (it is served) and /proc/self/mem
// cannot be read at offset 0 (that is the error, not "is empty").
func TestServeSizeZeroFiles(t *testing.T) {
	version, err := os.ReadFile("/proc/version")
	if err != nil || len(version) == 0 {
		t.Skip("no /proc/version to serve")
	}
	code, stdout, stderr := gyre(t, nil, "serve", "/proc/self/mem")
	if code != 2 || stdout != "" || stderr != "gyre: /proc/self/mem: input/output error\n" {
		t.Errorf("/proc/self/mem: status %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	s := startServer(t, 1, "--port", "0", "/proc/version")
	d := fetchPoem(t, s.addrs[0])
	if d.err != nil || string(d.data) != string(version) {
		t.Errorf("/proc/version served as %q, %v; want %q", d.data, d.err, version)
	}
	if strings.Contains(s.stderr.String(), "empty") {
		t.Errorf("log: %s", s.stderr.String())
	}
}
