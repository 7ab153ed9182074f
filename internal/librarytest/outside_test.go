package librarytest

import (
	"context"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"gyre/internal/progtest"
)

// TestOutsideModule runs .ci/outside-module on this checkout.
func TestOutsideModule(t *testing.T) {
	if testing.Short() {
		t.Skip("builds two modules outside the checkout; skipped with -short")
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash to run .ci/outside-module")
	}
	root := progtest.ModuleRoot(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bash, filepath.Join(root, ".ci", "outside-module"), root)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf(".ci/outside-module: %v\n%s", err, out)
	}
	t.Logf("%s", out)
}
