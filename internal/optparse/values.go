package optparse

import (
	"strconv"
)

// The pflag.Value types behind Parser's options. They convert with
// Python's rules and fail with a *valueError naming the type the way
// optparse does ("integer", "floating-point"), so that the message can be
// built with the option string as the user typed it.

type valueError struct {
	what string // "integer" or "floating-point"
}

func (e *valueError) Error() string { return "invalid " + e.what + " value" }

type intValue struct{ p *int }

func (v intValue) Set(s string) error {
	n, ok := parsePyInt(s)
	if !ok {
		return &valueError{what: "integer"}
	}
	*v.p = n
	return nil
}
func (v intValue) String() string { return strconv.Itoa(*v.p) }
func (v intValue) Type() string   { return "int" }

type floatValue struct{ p *float64 }

func (v floatValue) Set(s string) error {
	f, ok := parsePyFloat(s)
	if !ok {
		return &valueError{what: "floating-point"}
	}
	*v.p = f
	return nil
}
func (v floatValue) String() string { return pyFloatStr(*v.p) }
func (v floatValue) Type() string   { return "float" }

type stringValue struct{ p *string }

func (v stringValue) Set(s string) error { *v.p = s; return nil }
func (v stringValue) String() string     { return *v.p }
func (v stringValue) Type() string       { return "string" }

// boolPresent is the value pflag passes to a flag given without "=value"
// (its NoOptDefVal). Choosing a string no user would type lets boolValue
// refuse "--print=true", which optparse rejects ("--print option does not
// take a value"); the scanner never produces that form, so this is a guard.
const boolPresent = "\x00present"

type boolValue struct{ p *bool }

func (v boolValue) Set(s string) error {
	if s != boolPresent {
		return &valueError{what: "flag"}
	}
	*v.p = true
	return nil
}
func (v boolValue) String() string { return strconv.FormatBool(*v.p) }
func (v boolValue) Type() string   { return "bool" }
