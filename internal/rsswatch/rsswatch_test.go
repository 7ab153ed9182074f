package rsswatch

import (
	"os/exec"
	"runtime"
	"testing"
)

// The peak of a child that allocates little is far below that of this
// test process once it holds 200 MB: the measure is the child's own.
func TestWatchChild(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	ballast := make([]byte, 128<<20)
	for i := 0; i < len(ballast); i += 4096 { // one byte a page makes it resident
		ballast[i] = 1
	}
	cmd := exec.Command("/bin/sh", "-c", "sleep 0.2")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	peak := Watch(cmd.Process.Pid, done)
	runtime.KeepAlive(ballast)
	if peak <= 0 || peak > 50<<20 {
		t.Errorf("peak %d bytes for sh, want a few MB", peak)
	}
	if _, ok := readHWM("/proc/self/status"); !ok {
		t.Error("cannot read this process's VmHWM")
	}
}
