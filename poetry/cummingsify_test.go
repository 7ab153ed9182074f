package poetry

import (
	"errors"
	"math/rand/v2"
	"testing"
)

// Each of the three outcomes comes up about a third of the time, and does
// what the tutorial's does.
func TestCummingsifyOutcomes(t *testing.T) {
	poem := "Soft Rain, Naïve And Kind"
	rng := rand.New(rand.NewPCG(1, 2))
	counts := map[string]int{}
	for range 3000 {
		got, err := Cummingsify(poem, rng)
		var gib *GibberishError
		var bug *ValueError
		switch {
		case err == nil:
			counts["success"]++
			if got != "soft rain, naïve and kind" {
				t.Fatalf("lower-cased to %q", got)
			}
		case errors.As(err, &gib):
			counts["gibberish"]++
		case errors.As(err, &bug):
			counts["bug"]++
			if bug.Poem != poem {
				t.Fatalf("ValueError carries %q", bug.Poem)
			}
		default:
			t.Fatalf("unexpected error %v", err)
		}
		if err != nil && got != "" {
			t.Fatalf("a failure returned %q", got)
		}
	}
	for _, k := range []string{"success", "gibberish", "bug"} {
		if counts[k] < 850 || counts[k] > 1150 {
			t.Errorf("outcomes %v: not a third each", counts)
		}
	}
}

// The same seed gives the same outcomes: a --seed flag makes a run
// reproducible.
func TestCummingsifySeeded(t *testing.T) {
	outcomes := func(seed uint64) string {
		rng := rand.New(rand.NewPCG(seed, seed))
		s := ""
		for range 20 {
			_, err := Cummingsify("x", rng)
			switch err.(type) {
			case nil:
				s += "s"
			case *GibberishError:
				s += "g"
			default:
				s += "b"
			}
		}
		return s
	}
	if a, b := outcomes(7), outcomes(7); a != b {
		t.Errorf("seed 7 gave %s then %s", a, b)
	}
	if outcomes(7) == outcomes(8) {
		t.Error("seeds 7 and 8 gave the same 20 outcomes")
	}
	if _, err := Cummingsify("x", nil); err != nil {
		var g *GibberishError
		var v *ValueError
		if !errors.As(err, &g) && !errors.As(err, &v) {
			t.Errorf("nil rng: %v", err)
		}
	}
}

// Cummingsify lower-cases the characters and keeps every byte that is not
// valid UTF-8 as it was (strings.ToLower would make each one U+FFFD).
func TestCummingsifyKeepsInvalidBytes(t *testing.T) {
	in := "Caf\xe9 AU LAIT \xff\xfe Été \xc3"
	want := "caf\xe9 au lait \xff\xfe été \xc3"
	for seed := uint64(1); seed < 100; seed++ {
		out, err := Cummingsify(in, rand.New(rand.NewPCG(seed, seed)))
		if err != nil {
			continue
		}
		if out != want {
			t.Fatalf("Cummingsify(%q) = %q, want %q", in, out, want)
		}
		return
	}
	t.Fatal("no seed below 100 lower-cases")
}
