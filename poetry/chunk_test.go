package poetry

import (
	"os"
	"regexp"
	"strconv"
	"testing"

	"gyre/internal/progtest"
)

func TestChunkLen(t *testing.T) {
	for _, tc := range []struct {
		poem string
		n    int
		want int
	}{
		{"abcdef", 4, 4},
		{"abc", 10, 3},
		{"", 10, 0},
		{"naïve", 3, 4},      // ï is two bytes
		{"—ab", 1, 3},        // a three-byte em dash is one character
		{"😀x", 1, 4},         // four bytes
		{"\xff\xfeab", 2, 2}, // invalid UTF-8: a byte per character
		{"ab\xe2\x80", 3, 3}, // a truncated character at the end
		{"abc", 0, 1},        // never an empty chunk
		{"abc", -5, 1},
	} {
		if got := ChunkLen([]byte(tc.poem), tc.n); got != tc.want {
			t.Errorf("ChunkLen(%q, %d) = %d, want %d", tc.poem, tc.n, got, tc.want)
		}
	}
}

// chunks cuts a whole poem the way a slow server does.
func chunks(poem []byte, n int) []int {
	var sizes []int
	for len(poem) > 0 {
		k := ChunkLen(poem, n)
		sizes = append(sizes, k)
		poem = poem[k:]
	}
	return sizes
}

// The tutorial's numbers: Ecstasy in 30s is 100 x 30 + 3, Fascination in
// 10s is 61 x 10 + 5, Science 65 x 10 + 3 (blocking-server transcript).
func TestChunksOfTheTutorialPoems(t *testing.T) {
	for _, tc := range []struct {
		file      string
		n, full   int
		fullCount int
		last      int
	}{
		{"ecstasy.txt", 30, 30, 100, 3},
		{"fascination.txt", 10, 10, 61, 5},
		{"science.txt", 10, 10, 65, 3},
	} {
		data, err := os.ReadFile(progtest.SharedFile(t, "poetry", tc.file))
		if err != nil {
			t.Fatal(err)
		}
		sizes := chunks(data, tc.n)
		if len(sizes) != tc.fullCount+1 || sizes[len(sizes)-1] != tc.last {
			t.Errorf("%s: %d chunks ending with %d", tc.file, len(sizes), sizes[len(sizes)-1])
		}
	}
}

// alla_sera.txt has accented letters: the original server's sends, as a
// client saw them in the reference (session 2, twisted client 2.0), are
// 10, 10, 10, 11, 10, 10, 12, ... 6 bytes. ChunkLen must cut it the same.
func TestChunksMatchTheReferenceForNonASCII(t *testing.T) {
	data, err := os.ReadFile(progtest.SharedFile(t, "poetry", "alla_sera.txt"))
	if err != nil {
		t.Fatal(err)
	}
	run := progtest.FindSection(t, progtest.LoadTranscript(t, "blocking-server__slowpoetry.txt"), "Run 11:")
	var want []int
	for _, m := range regexp.MustCompile(`got (\d+) bytes of poetry`).FindAllStringSubmatch(run.Stdout(), -1) {
		n, _ := strconv.Atoi(m[1])
		want = append(want, n)
	}
	got := chunks(data, 10)
	if len(want) == 0 || len(got) != len(want) {
		t.Fatalf("%d chunks, reference %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("chunk %d: %d bytes, reference %d", i, got[i], want[i])
		}
	}
}
