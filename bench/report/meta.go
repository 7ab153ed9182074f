package main

// meta.txt: what bench/run records about a run besides the RUN lines.

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"strings"
)

var keyRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// Meta is a run's meta.txt: "key: value" lines. "note" and "step" may
// repeat; any other key keeps its last value.
type Meta struct {
	Fields map[string]string
	Notes  []string // things the reader must know (a server left out...)
	Steps  []string // each step's outcome and duration
}

// ParseMeta reads meta.txt. Blank lines and lines starting with '#' are
// skipped; any other line without ": " is an error.
func ParseMeta(r io.Reader) (*Meta, error) {
	m := &Meta{Fields: map[string]string{}}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok || !keyRE.MatchString(k) {
			return nil, fmt.Errorf("meta line %d: want \"key: value\", got %q", n, line)
		}
		v = strings.TrimSpace(v)
		switch k {
		case "note":
			m.Notes = append(m.Notes, v)
		case "step":
			m.Steps = append(m.Steps, v)
		default:
			m.Fields[k] = v
		}
	}
	return m, sc.Err()
}

// Get returns a field, or def when it is absent or empty.
func (m *Meta) Get(k, def string) string {
	if m == nil || m.Fields[k] == "" {
		return def
	}
	return m.Fields[k]
}
