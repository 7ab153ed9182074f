package systemd

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

// unit is a unit file read as systemd reads it, enough for these tests:
// each section's settings in order (key, value), continuation lines
// joined, comments dropped.
type unit map[string][][2]string

// readUnit reads the unit file at path.
func readUnit(t *testing.T, path string) unit {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	u := unit{}
	section, pending := "", ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if pending == "" && (line == "" || line[0] == '#' || line[0] == ';') {
			continue
		}
		if strings.HasSuffix(line, `\`) {
			pending += strings.TrimSuffix(line, `\`) + " "
			continue
		}
		line, pending = pending+line, ""
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			section = line[1 : len(line)-1]
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("%s: %q is neither a section nor a setting", path, line)
		}
		u[section] = append(u[section], [2]string{strings.TrimSpace(key), strings.TrimSpace(value)})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return u
}

// get is the last value of key in section ("" if it is not set).
func (u unit) get(section, key string) string {
	v := ""
	for _, kv := range u[section] {
		if kv[0] == key {
			v = kv[1]
		}
	}
	return v
}
