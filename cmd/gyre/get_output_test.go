package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"gyre/internal/rsswatch"
)

// runGyreTo runs gyre with stdout on out and returns the status, stderr and
// the peak RSS of the process in bytes (see rsswatch).
func runGyreTo(t *testing.T, out *os.File, args ...string) (int, string, int64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, gyreBinary, args...)
	cmd.Stdout = out
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		cmd.Wait()
		close(done)
	}()
	rss := rsswatch.Watch(cmd.Process.Pid, done)
	if ctx.Err() != nil {
		t.Fatalf("gyre %q: timed out", args)
	}
	return cmd.ProcessState.ExitCode(), stderr.String(), rss
}

// --print to an output that cannot be written (a full device, a closed
// stdout) is a failure: status 1, one line, not a silent success.
func TestGetPrintOutputErrors(t *testing.T) {
	addr := slowServers(t, 1000, 0, embedded(t, "night-bus"))[0]
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skip("no /dev/full")
	}
	defer full.Close()
	code, stderr, _ := runGyreTo(t, full, "get", "--print", addr)
	if code != 1 || stderr != "gyre: cannot write the poems to stdout: no space left on device\n" {
		t.Errorf("to /dev/full: status %d, stderr %q", code, stderr)
	}
	cmd := exec.Command("/bin/sh", "-c", `"$0" get --print "$1" >&-`, gyreBinary, addr)
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	cmd.Run()
	if code := cmd.ProcessState.ExitCode(); code != 1 || errOut.String() != "gyre: cannot write the poems to stdout: it is closed\n" {
		t.Errorf("to a closed stdout: status %d, stderr %q", code, errOut.String())
	}
}

// The report's lines are checked as the poems are: written to a full
// device, or to a pipe closed early, they are a failure (status 1, one
// line). They were dropped, and gyre exited 0 with its report lost.
func TestGetReportOutputErrors(t *testing.T) {
	addr := slowServers(t, 1000, 0, embedded(t, "night-bus"))[0]
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skip("no /dev/full")
	}
	defer full.Close()
	for _, mode := range []string{"reactor", "async", "blocking"} {
		code, stderr, _ := runGyreTo(t, full, "get", "--mode", mode, addr)
		if code != 1 || stderr != "gyre: cannot write the report to stdout: no space left on device\n" {
			t.Errorf("%s, to /dev/full: status %d, stderr %q", mode, code, stderr)
		}
	}
}

// --timeline /dev/stdout (or /dev/stderr) with that stream closed is
// refused before the run, as --print is: Go's runtime puts /dev/null on a
// closed standard descriptor, the figure went there, and gyre exited 0.
// --timeline /dev/null, named so, is still accepted.
func TestGetTimelineClosedStream(t *testing.T) {
	addr := slowServers(t, 1000, 0, embedded(t, "night-bus"))[0]
	for _, c := range []struct{ redir, want string }{
		{"--timeline /dev/stdout >&-", "gyre: cannot write the timeline to /dev/stdout: it is closed\n"},
		{"--timeline /dev/stderr 2>&-", ""},
		{"--timeline /dev/fd/1 >&-", "gyre: cannot write the timeline to /dev/fd/1: it is closed\n"},
		{"--timeline /dev/null >&-", ""},
	} {
		cmd := exec.Command("/bin/sh", "-c", `"$0" get "$1" `+c.redir, gyreBinary, addr)
		var errOut bytes.Buffer
		cmd.Stderr = &errOut
		cmd.Run()
		code := cmd.ProcessState.ExitCode()
		switch {
		case c.want != "" && (code != 1 || errOut.String() != c.want):
			t.Errorf("gyre get %s: status %d, stderr %q; want 1 and %q", c.redir, code, errOut.String(), c.want)
		case strings.Contains(c.redir, "/dev/stderr") && code != 1:
			t.Errorf("gyre get %s: status %d; want 1, the figure had nowhere to go", c.redir, code)
		case strings.Contains(c.redir, "/dev/null") && code != 0:
			t.Errorf("gyre get %s: status %d, stderr %q; want 0", c.redir, code, errOut.String())
		}
	}
}

// A write error the signal did not cause is said even when a Ctrl-C ends
// the run later: the first poem (or the report's line of its task) lost to
// a full disk was reported as "interrupted" alone, status 130.
func TestGetFullDiskThenInterrupted(t *testing.T) {
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skip("no /dev/full")
	}
	defer full.Close()
	fast := slowServers(t, 1000, 0, embedded(t, "night-bus"))[0]
	stalling := slowServers(t, 10, time.Hour, embedded(t, "library"))[0]
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"get", "--print", fast, stalling}, "gyre: cannot write the poems to stdout: no space left on device\n"},
		{[]string{"get", fast, stalling}, "gyre: cannot write the report to stdout: no space left on device\n"},
	} {
		cmd := exec.Command(gyreBinary, c.args...)
		var stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = full, &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(1500 * time.Millisecond) // the fast poem is in, its write has failed
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
		if code := cmd.ProcessState.ExitCode(); code != 1 || !strings.HasSuffix(stderr.String(), c.want) {
			t.Errorf("gyre %s > /dev/full, Ctrl-C later: status %d, stderr %q; want 1 and %q", strings.Join(c.args[:len(c.args)-2], " "), code, stderr.String(), c.want)
		}
	}
}

// Into a file, the poem whose turn it is goes out as it arrives; if it
// then fails, the file is cut back, so only whole poems are left in it, in
// order.
func TestGetPrintIntoFileDropsFailedPoem(t *testing.T) {
	const half = "The first half of a poem, and th"
	reset := resetting(t, half)
	poems := [][]byte{embedded(t, "orchard"), embedded(t, "library")}
	good := slowServers(t, 1000, 0, poems...)
	path := filepath.Join(t.TempDir(), "out.txt")
	for _, mode := range []string{"reactor", "async", "blocking"} {
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		code, stderr, _ := runGyreTo(t, f, "get", "--print", "--mode", mode, reset, good[0], good[1])
		f.Close()
		got, _ := os.ReadFile(path)
		if want := string(poems[0]) + string(poems[1]); code != 1 || string(got) != want {
			t.Errorf("%s: status %d, stderr %q, file of %d bytes (half poem in it: %v), want %d",
				mode, code, stderr, len(got), strings.Contains(string(got), half), len(want))
		}
	}
}

// Started with SIGHUP ignored (nohup), gyre get keeps it ignored: the
// hang-up that stops it otherwise is what nohup asks it to outlive.
func TestGetNohup(t *testing.T) {
	cmd, stderr := startDownloading(t, func(addr string) *exec.Cmd {
		return exec.Command("/bin/sh", "-c", `trap '' HUP; exec "$0" get --progress never "$1"`, gyreBinary, addr)
	})
	cmd.Process.Signal(syscall.SIGHUP)
	time.Sleep(300 * time.Millisecond)
	signalAndWait(t, cmd, syscall.SIGTERM)
	if code := cmd.ProcessState.ExitCode(); code != 143 || stderr.String() != "gyre: terminated\n" {
		t.Errorf("status %d, stderr %q; want 143 after SIGTERM, SIGHUP ignored", code, stderr.String())
	}
}

// A hang-up (the terminal closing) in the middle of a poem streamed into
// a file cuts the poem back out, as an interrupt does: SIGHUP killed gyre
// and left the part already written in the file.
func TestGetPrintIntoFileHangUp(t *testing.T) {
	stalling := slowServers(t, 10, time.Hour, embedded(t, "night-bus"))[0] // ten bytes, then nothing
	path := filepath.Join(t.TempDir(), "out.txt")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cmd := exec.Command(gyreBinary, "get", "--print", stalling)
	cmd.Stdout = f
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if fi, err := os.Stat(path); err == nil && fi.Size() > 0 {
			break // the poem is streaming into the file: gyre catches its signals
		}
		if time.Now().After(deadline) {
			t.Fatal("nothing of the poem reached the file")
		}
	}
	signalAndWait(t, cmd, syscall.SIGHUP)
	got, _ := os.ReadFile(path)
	if code := cmd.ProcessState.ExitCode(); code != 129 || len(got) != 0 {
		t.Errorf("status %d, stderr %q, file %q; want 129 and an empty file", code, stderr.String(), got)
	}
}

// Into a file opened to append (>>), or one stderr writes to as well
// (> f 2>&1), a failed poem cannot be cut back out: it is held instead,
// and what the file held before, or the error lines written meanwhile,
// stay. The cut emptied an appended file of its earlier lines, and erased
// the error lines from a shared one.
func TestGetPrintIntoSharedFile(t *testing.T) {
	reset := resetting(t, "The first half of a poem, and th")
	good := slowServers(t, 1000, 0, embedded(t, "orchard"))[0]
	stalling := slowServers(t, 10, time.Hour, embedded(t, "night-bus"))[0] // ten bytes, then nothing
	path := filepath.Join(t.TempDir(), "out.txt")
	for _, mode := range []string{"reactor", "async", "blocking"} {
		os.WriteFile(path, []byte("IMPORTANT LINE\n"), 0o600)
		cmd := exec.Command("/bin/sh", "-c", `"$0" get --print --mode "$1" "$2" "$3" >> "$4"`, gyreBinary, mode, reset, good, path)
		cmd.Run()
		got, _ := os.ReadFile(path)
		if want := "IMPORTANT LINE\n" + string(embedded(t, "orchard")); cmd.ProcessState.ExitCode() != 1 || string(got) != want {
			t.Errorf("%s, >>: status %d, file %q", mode, cmd.ProcessState.ExitCode(), got)
		}
		// The head streams into the file, then times out; meanwhile the
		// second task fails, and its line goes into the same file.
		cmd = exec.Command("/bin/sh", "-c", `"$0" get --print --timeout 1 --mode "$1" "$2" "$3" "$4" > "$5" 2>&1`, gyreBinary, mode, stalling, reset, good, path)
		cmd.Run()
		got, _ = os.ReadFile(path)
		if !strings.Contains(string(got), "Task 2: failed to get poetry from "+reset) || !strings.Contains(string(got), string(embedded(t, "orchard"))) {
			t.Errorf("%s, > f 2>&1: file %q", mode, got)
		}
	}
}

// gyre get keeps no copy of a poem it only counts, and streams one it
// prints into a file: a 128 MiB poem costs a few megabytes in every mode.
func TestGetMemoryBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("downloads 128 MiB per mode")
	}
	const size = 128 << 20
	path := filepath.Join(t.TempDir(), "huge.txt")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, size); err != nil { // sparse: no disk
		t.Fatal(err)
	}
	s := startServer(t, 1, path)
	defer s.signal(syscall.SIGTERM)
	outPath := filepath.Join(t.TempDir(), "poem.out")
	for _, mode := range []string{"reactor", "async", "blocking"} {
		null, _ := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
		code, stderr, rss := runGyreTo(t, null, "get", "--mode", mode, s.addrs[0])
		null.Close()
		t.Logf("%s: peak RSS %.1f MB", mode, float64(rss)/1e6)
		if code != 0 || rss > 32e6 {
			t.Errorf("%s: status %d (%q), peak RSS %.1f MB, want under 32 MB", mode, code, stderr, float64(rss)/1e6)
		}
		out, err := os.Create(outPath)
		if err != nil {
			t.Fatal(err)
		}
		code, stderr, rss = runGyreTo(t, out, "get", "--print", "--mode", mode, s.addrs[0])
		out.Close()
		fi, _ := os.Stat(outPath)
		t.Logf("%s --print: peak RSS %.1f MB", mode, float64(rss)/1e6)
		if code != 0 || rss > 64e6 || fi.Size() != size {
			t.Errorf("%s --print: status %d (%q), peak RSS %.1f MB (want under 64 MB), %d bytes written", mode, code, stderr, float64(rss)/1e6, fi.Size())
		}
	}
}

// With fewer descriptors than addresses, the downloads wait for one to be
// free instead of failing with "too many open files".
func TestGetWaitsForDescriptors(t *testing.T) {
	addr := slowServers(t, 1000, 0, embedded(t, "night-bus"))[0]
	args := []string{"-c", `ulimit -n 256 && exec "$0" get --mode "$1" --progress never $(yes "$2" | head -1000)`, gyreBinary}
	for _, mode := range []string{"reactor", "async"} {
		cmd := exec.Command("/bin/sh", append(args, mode, addr)...)
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		cmd.Run()
		if code := cmd.ProcessState.ExitCode(); code != 0 || !strings.Contains(out.String(), "Got 1000 poems") {
			first, _, _ := strings.Cut(errOut.String(), "\n")
			t.Errorf("%s: status %d, %d failures (first: %q)", mode, code, strings.Count(errOut.String(), "\n"), first)
		}
	}
}

// A signal stops gyre get with the signal's status, as it does gyre demo
// and gyre serve: 130 after SIGINT, 143 after SIGTERM (which exited 130),
// 129 after SIGHUP (which killed it without a word).
func TestGetSignalStatus(t *testing.T) {
	for _, tc := range []struct {
		sig  os.Signal
		code int
		line string
	}{
		{syscall.SIGINT, 130, "gyre: interrupted\n"},
		{syscall.SIGTERM, 143, "gyre: terminated\n"},
		{syscall.SIGHUP, 129, "gyre: hung up\n"},
	} {
		t.Run(tc.sig.String(), func(t *testing.T) {
			cmd, stderr := startDownloading(t, func(addr string) *exec.Cmd {
				return exec.Command(gyreBinary, "get", "--progress", "never", addr)
			})
			signalAndWait(t, cmd, tc.sig)
			if code := cmd.ProcessState.ExitCode(); code != tc.code || stderr.String() != tc.line {
				t.Errorf("status %d, stderr %q; want %d, %q", code, stderr.String(), tc.code, tc.line)
			}
		})
	}
}

// A poem held whole (--print into a pipe, --transform) takes about its
// size in memory, not four times it: it was grown by append, leaving each
// outgrown copy behind for the collector. --transform adds the transformed
// copy.
func TestGetHeldPoemMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("downloads 64 MiB twice")
	}
	const size = 64 << 20
	line := []byte("A Line Of A Poem That Is Long Enough To Be Held In Memory\n")
	path := writeFile(t, "big.txt", bytes.Repeat(line, size/len(line)))
	s := startServer(t, 1, path)
	defer s.signal(syscall.SIGTERM)
	for _, tc := range []struct {
		args  []string
		limit float64 // bytes of peak RSS
	}{
		{[]string{"--print"}, size + 32e6},
		{[]string{"--print", "--transform", "cummingsify", "--seed", "2"}, 2*size + 32e6},
	} {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		drained := make(chan int64)
		go func() {
			n, _ := io.Copy(io.Discard, r)
			drained <- n
		}()
		code, stderr, rss := runGyreTo(t, w, append(append([]string{"get"}, tc.args...), s.addrs[0])...)
		w.Close()
		n := <-drained
		r.Close()
		t.Logf("%q: peak RSS %.1f MB", tc.args, float64(rss)/1e6)
		if code != 0 || float64(rss) > tc.limit || n != int64(size/len(line)*len(line)) {
			t.Errorf("%q: status %d (%q), %d bytes out, peak RSS %.1f MB, want under %.1f MB", tc.args, code, stderr, n, float64(rss)/1e6, tc.limit/1e6)
		}
	}
}

// startDownloading starts the gyre get that command makes for a server's
// address and returns once gyre has connected to it (its signals are
// caught by then), with the buffer its stderr goes to. The server never
// sends: gyre waits for its poem until the test stops it.
func startDownloading(t *testing.T, command func(addr string) *exec.Cmd) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	cmd := command(ln.Addr().String())
	stderr := new(bytes.Buffer)
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	conn, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return cmd, stderr
}
