package deploy

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// shBlock is a block of shell commands of deploy/README.md, with the page
// before it.
type shBlock struct {
	before string
	lines  []string // trimmed, comments dropped
}

// shBlocks reads the ```sh blocks of deploy/README.md.
func shBlocks(t *testing.T) []shBlock {
	t.Helper()
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	var blocks []shBlock
	for _, m := range regexp.MustCompile("(?s)```sh\n(.*?)```").FindAllStringSubmatchIndex(page, -1) {
		blk := shBlock{before: page[:m[0]]}
		for line := range strings.Lines(page[m[2]:m[3]]) {
			if i := strings.Index(line, " #"); i >= 0 {
				line = line[:i]
			}
			if line = strings.TrimSpace(line); line != "" && line[0] != '#' {
				blk.lines = append(blk.lines, line)
			}
		}
		blocks = append(blocks, blk)
	}
	if len(blocks) == 0 {
		t.Fatal("deploy/README.md has no sh blocks")
	}
	return blocks
}

// A server started in the foreground holds the shell: the commands after
// it in the block never run. gyre serve goes to the background (&), and
// HAProxy too (& or -D).
func TestReadmeServersDoNotHoldTheShell(t *testing.T) {
	for _, b := range shBlocks(t) {
		for i, line := range b.lines {
			server := strings.HasPrefix(line, "gyre serve ") || strings.HasPrefix(line, "haproxy ")
			last := i == len(b.lines)-1
			if server && !last && !strings.HasSuffix(line, "&") && !strings.Contains(line, " -D ") {
				t.Errorf("%q runs in the foreground, and %q after it never runs", line, b.lines[i+1])
			}
		}
	}
}

// Each block uses only what the page had the reader build or install:
// the gyre binary it installs, and socat.
func TestReadmeBlocksHaveWhatTheyUse(t *testing.T) {
	for _, b := range shBlocks(t) {
		built := false
		for _, line := range b.lines {
			if strings.HasPrefix(line, "go build -o gyre ") {
				built = true
			}
			if strings.HasPrefix(line, "install ") && strings.Contains(line, " gyre /usr/local/bin/") && !built {
				t.Errorf("%q installs ./gyre, which no step builds", line)
			}
			if strings.Contains(line, "socat ") && !strings.Contains(b.before, "apt-get install socat") {
				t.Errorf("%q needs socat, and the page does not say to install it", line)
			}
		}
	}
}

// userDirective is a global `user` or `group` line of an HAProxy
// configuration.
var userDirective = regexp.MustCompile(`(?m)^\s*(user|group)\s+\S+`)

// Sections 1 and 2 run as whoever reads the page. HAProxy given a `user`
// or `group` by anyone but root cannot switch to it and exits at once
// ("Cannot set gid"): the configuration section 2 hands it has neither,
// whether haproxy.cfg itself or a copy the block makes of it.
func TestReadmeHAProxyRunsAsTheReader(t *testing.T) {
	seen := false
	for _, b := range shBlocks(t) {
		if strings.Contains(b.before, "\n## 3.") {
			break // from section 3 on, the commands run as root
		}
		for _, line := range b.lines {
			if !strings.HasPrefix(line, "haproxy ") {
				continue
			}
			seen = true
			cfg := readmeConfig(t, b, line)
			if m := userDirective.FindString(cfg); m != "" {
				t.Errorf("%q gives HAProxy %q: run by anyone but root, it exits at once", line, strings.TrimSpace(m))
			}
		}
	}
	if !seen {
		t.Fatal("no haproxy command before section 3 of deploy/README.md")
	}
}

// readmeConfig is the configuration the command line (haproxy ... -f
// FILE) of block b reads: deploy/haproxy.cfg, or the file a line of the
// block writes with "> FILE", made by running that line (from the top of
// the repository, writing into a temporary directory instead).
func readmeConfig(t *testing.T, b shBlock, line string) string {
	t.Helper()
	m := regexp.MustCompile(`\s-f\s+(\S+)`).FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("%q names no configuration file (-f)", line)
	}
	file := m[1]
	if file == "deploy/haproxy.cfg" {
		return readFile(t, "haproxy.cfg")
	}
	for _, l := range b.lines {
		if before, ok := strings.CutSuffix(l, "> "+file); ok {
			out := filepath.Join(t.TempDir(), "haproxy.cfg")
			cmd := exec.Command("sh", "-c", before+"> "+out)
			cmd.Dir = ".."
			if msg, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("%q: %v\n%s", l, err, msg)
			}
			return readFile(t, out)
		}
	}
	t.Fatalf("%q reads %s, which neither is deploy/haproxy.cfg nor does the block write it", line, file)
	return ""
}
