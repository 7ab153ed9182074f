// Command driver measures gyre serve over TLS beside the anchor (a Go
// net + crypto/tls server with a goroutine per connection), in one run:
//
//   - throughput: a 64 MiB poem downloaded over TLS, MB/s, median of
//     -reps downloads from each server;
//   - memory per idle TLS connection: -idle connections that finish the
//     handshake and then wait, the server's resident memory (VmRSS of
//     /proc/PID/status) before and after, divided by their number;
//   - -concurrent handshakes started at once against gyre: how many
//     complete.
//
// It needs the gyre and anchor binaries (bench/tls/run builds them) and
// Linux (/proc). bench/tls/run pins the servers to one CPU
// (-server-prefix) and the driver to the other.
package main

import (
	"bufio"
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

var (
	gyreBin   = flag.String("gyre", "", "gyre binary")
	anchorBin = flag.String("anchor", "", "anchor binary")
	cert      = flag.String("cert", "", "certificate (PEM)")
	key       = flag.String("key", "", "key (PEM)")
	poemSize  = flag.Int("size", 64<<20, "poem size in bytes")
	reps      = flag.Int("reps", 5, "downloads per server")
	idleN     = flag.Int("idle", 1000, "idle connections for the memory figure")
	concN     = flag.Int("concurrent", 1000, "concurrent handshakes")
	srvPrefix = flag.String("server-prefix", "", "words to start each server with (bench/tls/run: taskset -c 0)")
)

var serving = regexp.MustCompile(`^Serving .* on (\S+)\.$`)

// server is a running server process.
type server struct {
	cmd  *exec.Cmd
	addr string
}

// start runs a server (after -server-prefix's words, which must exec it:
// its process is the one measured) and waits for its Serving line.
func start(name string, args ...string) *server {
	words := append(strings.Fields(*srvPrefix), name)
	cmd := exec.Command(words[0], append(words[1:], args...)...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		log.Fatal(err)
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		log.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if m := serving.FindStringSubmatch(sc.Text()); m != nil {
			go io.Copy(io.Discard, out)
			return &server{cmd: cmd, addr: m[1]}
		}
	}
	log.Fatalf("%s: no Serving line", name)
	return nil
}

func (s *server) stop() { s.cmd.Process.Kill(); s.cmd.Wait() }

func (s *server) rss() int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		log.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			n, _ := strconv.ParseInt(f[1], 10, 64)
			return n << 10
		}
	}
	return 0
}

var clientConfig = &tls.Config{InsecureSkipVerify: true}

// download fetches one poem and returns its size and MB/s.
func download(addr string) (int64, float64) {
	start := time.Now()
	c, err := tls.Dial("tcp", addr, clientConfig)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	n, err := io.Copy(io.Discard, c)
	if err != nil {
		log.Fatalf("%s: %v after %d bytes", addr, err, n)
	}
	return n, float64(n) / 1e6 / time.Since(start).Seconds()
}

// throughputs downloads the poem from each server in turn, -reps times
// each, so that every server is measured on the same machine (whose load
// moves from one second to the next), and returns each one's median MB/s.
func throughputs(servers ...*server) []float64 {
	rates := make([][]float64, len(servers))
	for range *reps {
		for i, s := range servers {
			n, rate := download(s.addr)
			if n != int64(*poemSize) {
				log.Fatalf("%s: got %d bytes, want %d", s.addr, n, *poemSize)
			}
			rates[i] = append(rates[i], rate)
		}
	}
	medians := make([]float64, len(servers))
	for i, r := range rates {
		slices.Sort(r)
		medians[i] = r[len(r)/2]
	}
	return medians
}

// idleMemory opens n TLS connections that stay idle and returns the
// server's RSS growth per connection.
func idleMemory(s *server, n int) float64 {
	before := s.rss()
	conns := dialMany(s.addr, n, 64)
	time.Sleep(500 * time.Millisecond) // let the server settle
	after := s.rss()
	for _, c := range conns {
		c.Close()
	}
	return float64(after-before) / float64(len(conns))
}

// dialMany opens n TLS connections, at most par handshakes at a time.
func dialMany(addr string, n, par int) []*tls.Conn {
	var mu sync.Mutex
	var conns []*tls.Conn
	var wg sync.WaitGroup
	sem := make(chan struct{}, par)
	for range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			c, err := tls.Dial("tcp", addr, clientConfig)
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return conns
}

func main() {
	flag.Parse()
	dir, err := os.MkdirTemp("", "gyre-tls-bench")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	poem := filepath.Join(dir, "poem.txt")
	line := []byte("And the ladders lean on the orchard wall in the evening light.\n")
	f, _ := os.Create(poem)
	w := bufio.NewWriter(f)
	for i := 0; i < *poemSize; i++ {
		w.WriteByte(line[i%len(line)])
	}
	w.Flush()
	f.Close()

	tlsDesc := "tls:0:privateKey=" + *key + ":certKey=" + *cert + ":interface=127.0.0.1"
	g := start(*gyreBin, "serve", "--quiet", "--listen", tlsDesc, poem)
	a := start(*anchorBin, "-cert", *cert, "-key", *key, poem)
	rates := throughputs(g, a)
	gRate, aRate := rates[0], rates[1]
	g.stop()
	a.stop()
	fmt.Printf("throughput, %d MiB poem over TLS, median of %d: gyre %.0f MB/s, anchor %.0f MB/s, ratio %.2fx\n",
		*poemSize>>20, *reps, gRate, aRate, gRate/aRate)

	// Idle: gyre's slow server with an hour between sends; the anchor in
	// -idle mode.
	gi := start(*gyreBin, "serve", "--quiet", "--slow", "--delay", "1h", "--listen", tlsDesc, "library")
	ai := start(*anchorBin, "-idle", "-cert", *cert, "-key", *key, "library")
	gMem, aMem := idleMemory(gi, *idleN), idleMemory(ai, *idleN)
	fmt.Printf("memory per idle TLS connection (%d connections, VmRSS delta): gyre %.1f KiB, anchor %.1f KiB, ratio %.2fx\n",
		*idleN, gMem/1024, aMem/1024, gMem/aMem)
	ai.stop()

	start := time.Now()
	conns := dialMany(gi.addr, *concN, *concN)
	fmt.Printf("concurrent handshakes against gyre: %d of %d completed in %v\n", len(conns), *concN, time.Since(start).Round(time.Millisecond))
	for _, c := range conns {
		c.Close()
	}
	gi.stop()
}
