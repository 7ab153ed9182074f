package progtest

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// Section is one titled part of a reference transcript: a run ("Run 3:
// Error: bad port") or a server log ("Server log: session 1"), with the
// command and the output blocks it recorded.
type Section struct {
	Title   string // the heading line, e.g. `Run 3: Error: bad port "abc"`
	Command string // the "$ ..." line without the "$ "
	Exit    int    // the recorded exit status (-1 if not recorded)
	// Blocks maps a block name ("stdout", "stderr", "output", "timeline")
	// to its text exactly as the program wrote it: "(empty)" becomes "",
	// and every line ends with "\n" unless the transcript marks the last
	// one "[no newline at end]".
	Blocks map[string]string
}

// Stdout is Blocks["stdout"].
func (s Section) Stdout() string { return s.Blocks["stdout"] }

// Stderr is Blocks["stderr"].
func (s Section) Stderr() string { return s.Blocks["stderr"] }

// Reference returns the text of a transcript in ../shared/reference, e.g.
// Reference(t, "blocking-client__get-poetry.txt"), skipping the test when
// the shared directory is not there.
func Reference(t testing.TB, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(SharedFile(t, "reference", name)))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// LoadTranscript parses a reference transcript into its sections, in file
// order (see Reference for where it is found).
func LoadTranscript(t testing.TB, name string) []Section {
	t.Helper()
	return ParseTranscript(Reference(t, name))
}

// FindSection returns the first section whose title starts with prefix
// ("Run 3:" or "Server log: session 2"), failing the test if there is none.
func FindSection(t testing.TB, sections []Section, prefix string) Section {
	t.Helper()
	for _, s := range sections {
		if strings.HasPrefix(s.Title, prefix) {
			return s
		}
	}
	t.Fatalf("no transcript section starting with %q", prefix)
	return Section{}
}

var (
	markerRE = regexp.MustCompile(`^--- ([a-z]+)\b.* ---$`)
	exitRE   = regexp.MustCompile(`\bexit status (-?\d+)`)
)

// ParseTranscript splits transcript text into sections. A section starts at
// a heading underlined with dashes; its output blocks sit between marker
// lines such as "--- stdout ---" and "--- end ---".
func ParseTranscript(text string) []Section {
	lines := strings.Split(text, "\n")
	var out []Section
	var cur *Section
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if i+1 < len(lines) && isUnderline(lines[i+1], line) {
			out = append(out, Section{Title: line, Exit: -1, Blocks: map[string]string{}})
			cur = &out[len(out)-1]
			i++
			continue
		}
		if cur == nil {
			continue
		}
		if m := markerRE.FindStringSubmatch(line); m != nil && m[1] != "end" {
			// Collect the block up to the next marker line.
			var body []string
			j := i + 1
			for ; j < len(lines) && !markerRE.MatchString(lines[j]); j++ {
				body = append(body, lines[j])
			}
			cur.Blocks[m[1]] = blockText(body)
			i = j - 1
			continue
		}
		if cmd, ok := strings.CutPrefix(line, "$ "); ok && cur.Command == "" {
			cur.Command = cmd
		} else if m := exitRE.FindStringSubmatch(line); m != nil && cur.Exit == -1 {
			cur.Exit, _ = strconv.Atoi(m[1])
		}
	}
	return out
}

func isUnderline(under, title string) bool {
	return len(under) >= 3 && len(under) == len(title) && strings.Trim(under, "-") == ""
}

func blockText(body []string) string {
	if len(body) == 1 && body[0] == "(empty)" {
		return ""
	}
	if n := len(body); n > 0 && body[n-1] == "[no newline at end]" {
		return strings.Join(body[:n-1], "\n")
	}
	if len(body) == 0 {
		return ""
	}
	return strings.Join(body, "\n") + "\n"
}
