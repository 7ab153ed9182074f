package deferred_test

import (
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"strings"
	"testing"

	"gyre/deferred"
)

// GibberishError and CannotCummingsifyError are the tutorial's errors
// (twisted-client-5), here as Go error types.
type GibberishError struct{}

func (*GibberishError) Error() string { return "gibberish" }

type CannotCummingsifyError struct{ Poem string }

func (e *CannotCummingsifyError) Error() string { return "cannot cummingsify" }

func TestCheckMatchesSentinelsWithErrorsIs(t *testing.T) {
	f := deferred.NewFailure(fmt.Errorf("opening: %w", fs.ErrNotExist))
	if got := f.Check(fs.ErrPermission, fs.ErrNotExist); got != fs.ErrNotExist {
		t.Errorf("Check = %v, want fs.ErrNotExist", got)
	}
	if got := f.Check(fs.ErrPermission); got != nil {
		t.Errorf("Check = %v, want nil", got)
	}
	if got := f.Check(); got != nil {
		t.Errorf("Check() = %v, want nil", got)
	}
}

func TestCheckMatchesTypesWithErrorsAsAndFillsTheTarget(t *testing.T) {
	orig := &CannotCummingsifyError{Poem: "the poem"}
	f := deferred.NewFailure(orig)
	var gibberish *GibberishError
	var cannot *CannotCummingsifyError
	got := f.Check(&gibberish, &cannot)
	if got != &cannot {
		t.Fatalf("Check = %v, want the second target", got)
	}
	if cannot != orig || gibberish != nil {
		t.Errorf("targets filled wrongly: cannot=%v gibberish=%v", cannot, gibberish)
	}
}

func TestCheckReturnsTheFirstMatchingTarget(t *testing.T) {
	f := deferred.NewFailure(&GibberishError{})
	var g1, g2 *GibberishError
	if got := f.Check(&g1, &g2); got != &g1 {
		t.Errorf("Check = %v, want the first target", got)
	}
}

func TestCheckPanicsOnABadTarget(t *testing.T) {
	f := deferred.NewFailure(errBoom)
	for name, target := range map[string]any{"nil": nil, "non-pointer": 42} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			f.Check(target)
		})
	}
}

func TestTrap(t *testing.T) {
	f := deferred.NewFailure(deferred.ErrCancelled)
	if got, err := f.Trap(errBoom, deferred.ErrCancelled); got != deferred.ErrCancelled || err != nil {
		t.Errorf("Trap = %v, %v; want ErrCancelled, nil", got, err)
	}
	var gibberish *GibberishError
	got, err := f.Trap(&gibberish)
	if got != nil || err != f {
		t.Errorf("Trap = %v, %v; want nil and the Failure itself", got, err)
	}
}

// An errback that traps only what it handles: the rest goes on down the
// chain as the same Failure.
func TestTrapInAnErrbackPassesOthersOn(t *testing.T) {
	for _, c := range []struct {
		err  error
		want string
	}{
		{deferred.ErrCancelled, "handled"},
		{errBoom, "passed on boom"},
	} {
		var got string
		d := deferred.New()
		d.AddErrback(func(f *deferred.Failure) (any, error) {
			if _, err := f.Trap(deferred.ErrCancelled); err != nil {
				return nil, err
			}
			return "handled", nil
		})
		d.AddCallbacks(func(v any) (any, error) { got = v.(string); return nil, nil },
			func(f *deferred.Failure) (any, error) { got = "passed on " + f.Error(); return nil, nil })
		_ = d.Errback(c.err)
		if got != c.want {
			t.Errorf("%v: got %q, want %q", c.err, got, c.want)
		}
	}
}

func TestFailureIsAnError(t *testing.T) {
	f := deferred.NewFailure(errBoom)
	var err error = f
	if err.Error() != "boom" || !errors.Is(err, errBoom) || errors.Unwrap(err) != errBoom {
		t.Errorf("Failure does not read as the error it wraps")
	}
	var back *deferred.Failure
	if !errors.As(fmt.Errorf("ctx: %w", f), &back) || back != f {
		t.Error("errors.As does not find a wrapped Failure")
	}
	if deferred.NewFailure(f) != f {
		t.Error("NewFailure of a Failure made a new one")
	}
}

func TestFailureFormats(t *testing.T) {
	f := deferred.NewFailure(errors.New("I have failed."))
	for format, want := range map[string]string{
		"%v":  "I have failed.",
		"%s":  "I have failed.",
		"%q":  `"I have failed."`,
		"%+v": "[Failure instance: Traceback (failure with no frames): *errors.errorString: I have failed.\n]",
		"%w":  "I have failed.",
	} {
		var got string
		if format == "%w" {
			got = fmt.Errorf(format, f).Error()
		} else {
			got = fmt.Sprintf(format, f)
		}
		if got != want {
			t.Errorf("%s: got %q, want %q", format, got, want)
		}
	}
}

type rhymeSchemeViolation struct{}

func (rhymeSchemeViolation) Error() string { return "" }

func analyzePoem(string) { panic(rhymeSchemeViolation{}) }

// The tutorial's failure-examples: a Failure made from a caught panic has
// frames, shown below the marker in the brief form.
func TestBriefFormOfACaughtPanic(t *testing.T) {
	var f *deferred.Failure
	func() {
		defer func() {
			if r := recover(); r != nil {
				f = deferred.NewFailureFromPanic(r)
			}
		}()
		analyzePoem("Roses are red.")
	}()
	got := fmt.Sprintf("%+v", f)
	want := regexp.MustCompile(`^\[Failure instance: Traceback: deferred_test\.rhymeSchemeViolation: \n` +
		`(\S+\.go:\d+:\S+\n)+` +
		`--- <exception caught here> ---\n` +
		`\S+failure_test\.go:\d+:gyre/deferred_test\.TestBriefFormOfACaughtPanic\.func1\n` +
		`\S+failure_test\.go:\d+:gyre/deferred_test\.analyzePoem\n` +
		`\]$`)
	if !want.MatchString(got) {
		t.Errorf("brief form:\n%s\ndoes not match %s", got, want)
	}
}

func TestTracebackOfAReturnedError(t *testing.T) {
	var f *deferred.Failure
	d := deferred.New()
	d.AddCallback(returnsOops)
	d.AddErrback(func(g *deferred.Failure) (any, error) { f = g; return nil, nil })
	_ = d.Callback(nil)
	tb := f.Traceback()
	lines := strings.Split(strings.TrimSuffix(tb, "\n"), "\n")
	if lines[0] != "Traceback (most recent call last):" {
		t.Errorf("first line %q", lines[0])
	}
	if last := lines[len(lines)-1]; last != "*errors.errorString: oops" {
		t.Errorf("last line %q", last)
	}
	marker := strings.Index(tb, "--- <exception caught here> ---")
	above, below := tb[:marker], tb[marker:]
	if !strings.Contains(above, "TestTracebackOfAReturnedError") || !strings.Contains(above, "(*Deferred).Callback") {
		t.Errorf("the stack above the marker should show the test and Callback:\n%s", tb)
	}
	if !strings.Contains(below, "gyre/deferred_test.returnsOops\n") || !strings.Contains(below, "failure_test.go:") {
		t.Errorf("below the marker should be the callback that returned the error:\n%s", tb)
	}
	if strings.Contains(tb, "runtime.") {
		t.Errorf("runtime frames in the traceback:\n%s", tb)
	}
}

func returnsOops(any) (any, error) { return nil, errors.New("oops") }

func TestTracebackOfAFailureMadeFromAnError(t *testing.T) {
	f := deferred.NewFailure(errBoom)
	tb := f.Traceback()
	if strings.Contains(tb, "exception caught here") {
		t.Errorf("a Failure made from an error value has no frames below a marker:\n%s", tb)
	}
	if !strings.Contains(tb, "TestTracebackOfAFailureMadeFromAnError") {
		t.Errorf("the traceback should show where the Failure was made:\n%s", tb)
	}
	if !strings.HasSuffix(tb, "\n*errors.errorString: boom\n") {
		t.Errorf("traceback does not end with the error line:\n%s", tb)
	}
}

func TestNewFailureFromPanicOutsideAPanic(t *testing.T) {
	f := deferred.NewFailureFromPanic("odd")
	if got := fmt.Sprintf("%+v", f); got != "[Failure instance: Traceback (failure with no frames): *deferred.PanicError: panic: odd\n]" {
		t.Errorf("got %q", got)
	}
}

func TestRepanickingWithAFailureKeepsIt(t *testing.T) {
	orig := deferred.NewFailure(errBoom)
	var got *deferred.Failure
	d := deferred.New()
	d.AddCallback(func(any) (any, error) { panic(orig) })
	d.AddErrback(func(f *deferred.Failure) (any, error) { got = f; return nil, nil })
	_ = d.Callback(nil)
	if got != orig {
		t.Errorf("errback got %v, want the Failure the callback panicked with", got)
	}
}

func TestZeroFailureDoesNotPanic(t *testing.T) {
	var f deferred.Failure
	if f.Error() == "" || f.Check(errBoom) != nil || !strings.Contains(f.Traceback(), "nil error") {
		t.Errorf("zero Failure: %q %q", f.Error(), f.Traceback())
	}
}
