package main

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"gyre/internal/optparse"
)

// Flag types shared by the commands. A bad value is reported by pflag as
// `invalid argument "X" for "--flag" flag: <what Set said>`, which report
// turns into a usage error (exit status 2).

// portValue is a TCP port number, 0 to 65535 (0: let the system choose).
type portValue int

func (p *portValue) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 65535 {
		return errors.New("not a port number (0 to 65535)")
	}
	*p = portValue(n)
	return nil
}

func (p *portValue) String() string { return strconv.Itoa(int(*p)) }
func (p *portValue) Type() string   { return "port" }

// intValue is a whole-number flag whose errors say in words what is wrong:
// pflag's own int flags pass strconv's messages on ("strconv.ParseInt:
// parsing \"x\": value out of range").
type intValue[T int | int64 | uint64] struct {
	p      *T
	lowest T // the least value the command accepts, named by the range error
}

// intVar defines an intValue flag, as pflag's IntVar and the like do.
// lowest is the least value the command accepts: a number too large for
// T is then said to be out of the range lowest to T's largest, not from
// T's smallest, which the command refuses anyway. (An in-range value below
// lowest is the command's to refuse, in its own words.)
func intVar[T int | int64 | uint64](f *pflag.FlagSet, p *T, name string, def, lowest T, usage string) {
	*p = def
	f.Var(intValue[T]{p, lowest}, name, usage)
}

func (v intValue[T]) Set(s string) error {
	var zero T
	switch any(zero).(type) {
	case uint64:
		n, err := strconv.ParseUint(s, 0, 64) // base 0, as pflag's own int flags
		if err != nil {
			return intError(s, err, fmt.Sprint(v.lowest), strconv.FormatUint(math.MaxUint64, 10))
		}
		*v.p = T(n)
	default:
		bits := int(unsafe.Sizeof(zero)) * 8
		n, err := strconv.ParseInt(s, 0, bits)
		if err != nil {
			return intError(s, err, fmt.Sprint(v.lowest), strconv.FormatInt(1<<(bits-1)-1, 10))
		}
		*v.p = T(n)
	}
	return nil
}

// intError words a whole number's parse error.
func intError(s string, err error, lowest, highest string) error {
	if errors.Is(err, strconv.ErrRange) {
		return fmt.Errorf("out of range (%s to %s)", lowest, highest)
	}
	if lowest == "0" && strings.HasPrefix(strings.TrimSpace(s), "-") {
		return errors.New("not a whole number of 0 or more")
	}
	return errors.New("not a whole number")
}

func (v intValue[T]) String() string {
	if v.p == nil {
		return "0"
	}
	return fmt.Sprint(*v.p)
}

func (v intValue[T]) Type() string { return "int" }

// secondsValue is a duration written in seconds, as the tutorial's
// programs take it ("0.1"), or with a unit as Go writes it ("100ms",
// "1m30s"). It may not be negative.
type secondsValue time.Duration

func (d *secondsValue) Set(s string) error {
	if f, err := strconv.ParseFloat(s, 64); err == nil || math.IsInf(f, 0) {
		// ("1e400" is +Inf with an error: a number all the same, too large.)
		v, ok := optparse.Seconds(f)
		switch {
		case !ok && f > 0:
			return errDurationTooLong
		case !ok:
			return errors.New("not a duration of 0 or more seconds")
		}
		*d = secondsValue(v)
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil && durationSyntax.MatchString(s) {
		// Written right, so the only thing wrong is the size.
		return errDurationTooLong
	}
	if err != nil || v < 0 {
		return errors.New("not a duration (seconds, as 0.5, or with a unit, as 500ms)")
	}
	if v == 0 && strings.ContainsAny(s, "123456789") {
		// Shorter than the clock's resolution ("0.1ns"): still a limit, where
		// 0 means none to --timeout.
		v = time.Nanosecond
	}
	*d = secondsValue(v)
	return nil
}

// errDurationTooLong is the error of a duration past what time.Duration
// holds. Such a value is a number like any other, and was said not to be
// "a duration of 0 or more seconds".
var errDurationTooLong = fmt.Errorf("too long: the most is %d seconds (about 292 years)", optparse.MaxSeconds)

// durationSyntax matches what time.ParseDuration reads, whatever the
// size: a positive duration it refuses, it refuses for being too long.
var durationSyntax = regexp.MustCompile(`^\+?(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+$`)

func (d *secondsValue) String() string { return time.Duration(*d).String() }
func (d *secondsValue) Type() string   { return "duration" }

// boolSyntax finds strconv's words in pflag's error for a boolean flag
// given a value that is not one (--print=2).
var boolSyntax = regexp.MustCompile(`strconv\.ParseBool: parsing ".*": invalid syntax$`)

// flagError is the usage error of a flag the command line got wrong,
// in the words the other flags use: a boolean flag's bad value was said
// as `strconv.ParseBool: parsing "2": invalid syntax`, and is now said to
// want true or false.
func flagError(err error) error {
	if msg := err.Error(); boolSyntax.MatchString(msg) {
		err = errors.New(boolSyntax.ReplaceAllLiteralString(msg, "want true or false"))
	}
	return asUsageError(err)
}

// choiceValue is one word out of a fixed list.
type choiceValue struct {
	value   string
	choices []string
}

func newChoice(def string, choices ...string) *choiceValue {
	return &choiceValue{value: def, choices: choices}
}

func (c *choiceValue) Set(s string) error {
	for _, ok := range c.choices {
		if s == ok {
			c.value = s
			return nil
		}
	}
	return fmt.Errorf("want %s", strings.Join(c.choices, ", "))
}

func (c *choiceValue) String() string { return c.value }
func (c *choiceValue) Type() string   { return strings.Join(c.choices, "|") }

// completeChoices makes the shell complete a choice flag's words.
func completeChoices(cmd *cobra.Command, name string, c *choiceValue) {
	cmd.RegisterFlagCompletionFunc(name, func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return c.choices, cobra.ShellCompDirectiveNoFileComp
	})
}
