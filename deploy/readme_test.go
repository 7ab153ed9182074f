package deploy

import (
	"os"
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
