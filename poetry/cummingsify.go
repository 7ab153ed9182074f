package poetry

import (
	"math/rand/v2"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Cummingsify is the tutorial's transformation of a poem (client 5):
// "cummingsifying" it lower-cases it, in honour of e. e. cummings, but the
// function is deliberately unreliable, to show how errbacks deal with
// failures in a callback chain. With one chance in three each it
//
//   - succeeds and returns the poem in lower case;
//   - fails with a *GibberishError (the poem is not worth printing);
//   - fails with a *ValueError: the function has a bug. Client 5.1 turns
//     this into a *CannotCummingsify and falls back to the original poem,
//     which the error carries.
//
// rng chooses the outcome; nil means math/rand/v2's global source. Pass a
// seeded one (rand.New(rand.NewPCG(seed, seed))) to make a run
// reproducible, as tests and a --seed flag do.
func Cummingsify(poem string, rng *rand.Rand) (string, error) {
	var pick int
	if rng == nil {
		pick = rand.IntN(3)
	} else {
		pick = rng.IntN(3)
	}
	switch pick {
	case 0:
		return lowerKeepingBytes(poem), nil
	case 1:
		return "", &GibberishError{}
	default:
		return "", &ValueError{Poem: poem}
	}
}

// lowerKeepingBytes lower-cases the characters of s and leaves every byte
// that is not part of valid UTF-8 as it was: a poem in Latin-1 (or a
// corrupted one) keeps its bytes rather than having each turned into
// U+FFFD, as strings.ToLower does.
func lowerKeepingBytes(s string) string {
	if utf8.ValidString(s) {
		return strings.ToLower(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	for len(s) > 0 {
		r, n := utf8.DecodeRuneInString(s)
		if r == utf8.RuneError && n == 1 {
			b.WriteByte(s[0])
		} else {
			b.WriteRune(unicode.ToLower(r))
		}
		s = s[n:]
	}
	return b.String()
}

// GibberishError is the failure of a Cummingsify that judged the poem to be
// gibberish.
type GibberishError struct{}

func (*GibberishError) Error() string { return "GibberishError" }

// ValueError is the failure of a Cummingsify that hit its bug (Python's
// ValueError in the tutorial). Poem is the poem it was given.
type ValueError struct {
	Poem string
}

func (*ValueError) Error() string { return "ValueError" }

// CannotCummingsify is what client 5.1 turns a *ValueError into: the poem
// could not be cummingsified, and Poem is the original to fall back on.
type CannotCummingsify struct {
	Poem string
}

func (*CannotCummingsify) Error() string { return "CannotCummingsify" }
