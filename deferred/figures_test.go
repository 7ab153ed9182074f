package deferred_test

import (
	"errors"
	"strings"
	"syscall"
	"testing"

	"gyre/deferred"
)

// The callback chains of the tutorial's poetry clients 5.0 and 5.1 (part 9,
// figures 17 to 25), fired down every path the figures draw: the poem
// cummingsified, the transform failing with GibberishError, failing with a
// plain error (5.0's ValueError, which its callback handles itself) or with
// CannotCummingsifyError (which 5.1's errback handles by giving back the
// original poem), and the connection refused, which never reaches the
// transform.

// outcome is what the random cummingsify of the tutorial chose.
type outcome int

const (
	cummingsified outcome = iota
	gibberish
	bug
)

// errValue is the tutorial's ValueError: the transform's own bug.
var errValue = errors.New("ValueError")

const poem = "Sonnet - To Science"

// cummingsify50 is client 5.0's transform.
func cummingsify50(o outcome, poem string) (string, error) {
	switch o {
	case gibberish:
		return "", &GibberishError{}
	case bug:
		return "", errValue
	}
	return strings.ToLower(poem), nil
}

// cummingsify51 is client 5.1's transform: a bug comes out as
// CannotCummingsifyError carrying the poem.
func cummingsify51(o outcome, poem string) (string, error) {
	p, err := cummingsify50(o, poem)
	var g *GibberishError
	if err != nil && !errors.As(err, &g) {
		return "", &CannotCummingsifyError{Poem: poem}
	}
	return p, err
}

// client records what a client's chain did: the stages that ran, in order,
// and what it printed on each stream.
type client struct {
	ran            []string
	stdout, stderr []string
}

func (c *client) gotPoem(v any) (any, error) {
	c.ran = append(c.ran, "got_poem")
	c.stdout = append(c.stdout, v.(string))
	return nil, nil
}

func (c *client) poemFailed(*deferred.Failure) (any, error) {
	c.ran = append(c.ran, "poem_failed")
	c.stderr = append(c.stderr, "The poem download failed.")
	return nil, nil
}

func (c *client) poemDone(any) (any, error) {
	c.ran = append(c.ran, "poem_done")
	return nil, nil
}

// chain50 builds client 5.0's chain on d.
func (c *client) chain50(d *deferred.Deferred, o outcome) {
	tryToCummingsify := func(v any) (any, error) {
		c.ran = append(c.ran, "try_to_cummingsify")
		p, err := cummingsify50(o, v.(string))
		var g *GibberishError
		switch {
		case errors.As(err, &g):
			return nil, err
		case err != nil:
			c.stdout = append(c.stdout, "Cummingsify failed!")
			return v, nil
		}
		return p, nil
	}
	d.AddCallback(tryToCummingsify)
	d.AddCallbacks(c.gotPoem, c.poemFailed)
	d.AddBoth(c.poemDone)
}

// chain51 builds client 5.1's chain on d.
func (c *client) chain51(d *deferred.Deferred, o outcome) {
	cummingsify := func(v any) (any, error) {
		c.ran = append(c.ran, "cummingsify")
		return cummingsify51(o, v.(string))
	}
	cummingsifyFailed := func(f *deferred.Failure) (any, error) {
		c.ran = append(c.ran, "cummingsify_failed")
		var cannot *CannotCummingsifyError
		if f.Check(&cannot) != nil {
			c.stdout = append(c.stdout, "Cummingsify failed!")
			return cannot.Poem, nil
		}
		return nil, f
	}
	d.AddCallback(cummingsify)
	d.AddErrback(cummingsifyFailed)
	d.AddCallbacks(c.gotPoem, c.poemFailed)
	d.AddBoth(c.poemDone)
}

func TestFiguresClientChains(t *testing.T) {
	refused := errors.New("Connection was refused by other side: " + syscall.ECONNREFUSED.Error())
	cases := []struct {
		name    string
		client  string // "5.0" or "5.1"
		outcome outcome
		refused bool // the connection failed: the Deferred errbacks
		ran     string
		stdout  string
		stderr  string
	}{
		{"5.0 poem cummingsified", "5.0", cummingsified, false,
			"try_to_cummingsify got_poem poem_done", "sonnet - to science", ""},
		{"5.0 GibberishError", "5.0", gibberish, false,
			"try_to_cummingsify poem_failed poem_done", "", "The poem download failed."},
		{"5.0 ValueError handled in the callback", "5.0", bug, false,
			"try_to_cummingsify got_poem poem_done", "Cummingsify failed!|Sonnet - To Science", ""},
		{"5.0 connection refused", "5.0", cummingsified, true,
			"poem_failed poem_done", "", "The poem download failed."},
		{"5.1 poem cummingsified", "5.1", cummingsified, false,
			"cummingsify got_poem poem_done", "sonnet - to science", ""},
		{"5.1 GibberishError passes the errback on", "5.1", gibberish, false,
			"cummingsify cummingsify_failed poem_failed poem_done", "", "The poem download failed."},
		{"5.1 CannotCummingsify recovered by the errback", "5.1", bug, false,
			"cummingsify cummingsify_failed got_poem poem_done", "Cummingsify failed!|Sonnet - To Science", ""},
		{"5.1 connection refused", "5.1", cummingsified, true,
			"cummingsify_failed poem_failed poem_done", "", "The poem download failed."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var c client
			d := deferred.New()
			if tc.client == "5.0" {
				c.chain50(d, tc.outcome)
			} else {
				c.chain51(d, tc.outcome)
			}
			var err error
			if tc.refused {
				err = d.Errback(refused)
			} else {
				err = d.Callback(poem)
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(c.ran, " "); got != tc.ran {
				t.Errorf("stages run: %q, want %q", got, tc.ran)
			}
			if got := strings.Join(c.stdout, "|"); got != tc.stdout {
				t.Errorf("stdout: %q, want %q", got, tc.stdout)
			}
			if got := strings.Join(c.stderr, "|"); got != tc.stderr {
				t.Errorf("stderr: %q, want %q", got, tc.stderr)
			}
		})
	}
}
