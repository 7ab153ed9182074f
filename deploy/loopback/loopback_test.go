package loopback

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestLoopback runs deploy/loopback/run at a small size: 2,000 poems
// through HAProxy, a rolling restart of three instances and three
// socket-activated restarts, each under a steady load (the throughput comparison is left to the full run). It needs
// haproxy and the shared load harness, and says so when either is absent.
func TestLoopback(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the loopback proof starts HAProxy and four servers")
	}
	if _, err := exec.LookPath("haproxy"); err != nil {
		t.Skip("haproxy is not installed (apt-get install -y haproxy): the loopback proof of deploy/ is skipped")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "..", "shared", "bench", "cmd", "poetryload")); err != nil {
		t.Skip("the shared load generator (../shared/bench) is not next to the repository: the loopback proof is skipped")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(root, "deploy", "loopback", "run"))
	cmd.Env = append(os.Environ(),
		"GYRE_LB_POEMS=2000", "GYRE_LB_BATCH=500", "GYRE_LB_MEASURE=0", "GYRE_LB_CONTRAST=0", "GYRE_LB_HAND=10", "GYRE_LB_DIR="+t.TempDir())
	// On timeout, SIGTERM: the script's trap stops what it started.
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 10 * time.Second
	out, err := cmd.CombinedOutput()
	t.Logf("deploy/loopback/run:\n%s", out)
	if err != nil || !strings.HasSuffix(strings.TrimSpace(string(out)), "PASS") {
		t.Fatalf("the loopback proof failed: %v", err)
	}
}
