package poetry

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"testing"
	"unicode/utf8"
)

// The poems are pinned byte for byte: the clients' tests and the demo rely
// on their exact sizes, and an editor or Git converting line ends must not
// change them silently.
var wantPoems = []struct {
	name   string
	size   int
	sha256 string
}{
	{"library", 3014, "eb182eacc5ffa97666dcf7e0f26d43551efe3efb400e9d096c71a44f807951ff"},
	{"night-bus", 593, "9b54157b1d14cf0cb26e09987ac4ab4a70d95a33c6393f27f3af77ba39ddfcf9"},
	{"orchard", 608, "55a45f93b730fed9f57d4a43512a44ed78ec1dfde4e545a1f4ef4ecb5c8ba86b"},
}

func TestPoemsAreListedByName(t *testing.T) {
	var want []string
	for _, p := range wantPoems {
		want = append(want, p.name)
	}
	if got := Poems(); !slices.Equal(got, want) {
		t.Errorf("Poems() = %q, want %q", got, want)
	}
}

func TestPoemsAreByteExactUTF8(t *testing.T) {
	nonASCII := 0
	for _, p := range wantPoems {
		data, err := Poem(p.name)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		if len(data) != p.size || hex.EncodeToString(sum[:]) != p.sha256 {
			t.Errorf("%s: %d bytes, sha256 %x; want %d bytes, %s", p.name, len(data), sum, p.size, p.sha256)
		}
		if !utf8.Valid(data) {
			t.Errorf("%s is not UTF-8", p.name)
		}
		if bytes.ContainsRune(data, '\r') || !bytes.HasSuffix(data, []byte("\n")) {
			t.Errorf("%s: want LF line ends and a final newline", p.name)
		}
		if utf8.RuneCount(data) != len(data) {
			nonASCII++
		}
	}
	if nonASCII == 0 {
		t.Error("no poem has a non-ASCII character: byte and character counts would never differ")
	}
}

func TestPoemReturnsACopy(t *testing.T) {
	a, _ := Poem("orchard")
	a[0] = 'X'
	b, _ := Poem("orchard")
	if b[0] == 'X' {
		t.Error("changing a returned poem changed the embedded one")
	}
}

func TestUnknownPoem(t *testing.T) {
	for _, name := range []string{"", "nope", "library.txt", "poems/library", "../poetry/library", ".", "..", `a\b`} {
		if _, err := Poem(name); !errors.Is(err, ErrUnknownPoem) {
			t.Errorf("Poem(%q): %v, want ErrUnknownPoem", name, err)
		}
	}
}
