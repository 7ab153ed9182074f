package poetry

import "unicode/utf8"

// ChunkLen returns how many bytes of poem a slow server sends next when it
// sends n "bytes" at a time: the length of the first n characters of poem,
// or all of it if it is shorter.
//
// The original server reads its file as text, n characters at a time, and
// sends their UTF-8 encoding, so a chunk of 10 can be 11 or 12 bytes when
// the poem has accented letters, and a character is never split between two
// sends. ChunkLen reproduces that without decoding the poem: it counts
// characters in the raw bytes, and a byte that is not valid UTF-8 counts as
// one character, so a poem in any other encoding is still sent byte for
// byte, n bytes at a time. An n below 1 is taken as 1, so a server can never
// get stuck sending empty chunks.
func ChunkLen(poem []byte, n int) int {
	n = max(n, 1)
	size := 0
	for i := 0; i < n && size < len(poem); i++ {
		_, w := utf8.DecodeRune(poem[size:])
		size += w
	}
	return size
}
