package progtest

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestCases(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) {
		path := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("b-narrow/input", "r a p\n\n")
	write("b-narrow/args", "--narrow\n")
	write("b-narrow/expected", "drawn\n")
	write("a-plain/input", "")
	write("a-plain/args", "")
	write("a-plain/expected", "")
	write("README", "not a case")
	cases := Cases(t, dir)
	if len(cases) != 2 || cases[0].Name != "a-plain" || cases[1].Name != "b-narrow" {
		t.Fatalf("cases %+v", cases)
	}
	b := cases[1]
	if string(b.Input) != "r a p\n\n" || !slices.Equal(b.Args, []string{"--narrow"}) || string(b.Expected) != "drawn\n" ||
		b.ExpectedPath() != filepath.Join(dir, "b-narrow", "expected") {
		t.Errorf("case %+v", b)
	}
	if a := cases[0]; len(a.Args) != 0 || len(a.Input) != 0 {
		t.Errorf("case %+v", a)
	}
}
