package optparse

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// occurrence is one option found on the command line.
type occurrence struct {
	opt   *option
	shown string // the option string as optparse names it in messages ("--port", "-p")
	value string // its argument, for options that take one
}

// scan splits the command line into options and positional arguments by
// optparse's rules (OptionParser._process_args):
//
//   - "--" ends the options; everything after it is positional;
//   - "--name" or "--name=value" is a long option; name may be any
//     unambiguous prefix of a long option; an option that takes a value
//     takes the next argument whatever it looks like ("--port --delay"
//     gives port the value "--delay");
//   - "-abc" is a cluster of short options; the first one that takes a
//     value takes the rest of the cluster, or else the next argument;
//   - anything else, including "-" alone, is positional, wherever it is.
//
// It stops at the first error, or at -h/--help (returning ErrHelp); the
// options before that point are returned so that their values can still be
// checked in order.
func (p *Parser) scan(args []string) ([]occurrence, []string, error) {
	var occs []occurrence
	var positional []string
	for i := 0; i < len(args); {
		arg := args[i]
		i++
		switch {
		case arg == "--":
			return occs, append(positional, args[i:]...), nil
		case strings.HasPrefix(arg, "--"):
			name, value, explicit := strings.Cut(arg, "=")
			o, full, err := p.matchLong(name)
			if err != nil {
				return occs, nil, err
			}
			switch {
			case o.takesValue() && !explicit:
				if i >= len(args) {
					return occs, nil, usageErrorf("%s option requires 1 argument", full)
				}
				value = args[i]
				i++
			case !o.takesValue() && explicit:
				return occs, nil, usageErrorf("%s option does not take a value", full)
			}
			if o == p.opts[0] {
				return occs, nil, ErrHelp
			}
			occs = append(occs, occurrence{opt: o, shown: full, value: value})
		case len(arg) > 1 && arg[0] == '-':
			cluster := arg[1:]
			for off := 0; off < len(cluster); {
				_, w := utf8.DecodeRuneInString(cluster[off:])
				shown := "-" + cluster[off:off+w]
				off += w
				o := p.shortOption(shown)
				if o == nil {
					return occs, nil, usageErrorf("no such option: %s", shown)
				}
				if o == p.opts[0] {
					return occs, nil, ErrHelp
				}
				if !o.takesValue() {
					occs = append(occs, occurrence{opt: o, shown: shown})
					continue
				}
				// The rest of the cluster is the value ("-p10000"),
				// else the next argument.
				value := cluster[off:]
				if value == "" {
					if i >= len(args) {
						return occs, nil, usageErrorf("%s option requires 1 argument", shown)
					}
					value = args[i]
					i++
				}
				occs = append(occs, occurrence{opt: o, shown: shown, value: value})
				break
			}
		default:
			positional = append(positional, arg)
		}
	}
	return occs, positional, nil
}

// matchLong finds the option a long option string names: an exact match,
// or else the only option that starts with it (optparse's _match_abbrev).
func (p *Parser) matchLong(name string) (*option, string, error) {
	var matches []string
	byName := map[string]*option{}
	for _, o := range p.opts {
		for _, l := range o.long {
			if l == name {
				return o, l, nil
			}
			if strings.HasPrefix(l, name) {
				matches = append(matches, l)
				byName[l] = o
			}
		}
	}
	switch len(matches) {
	case 0:
		return nil, "", usageErrorf("no such option: %s", name)
	case 1:
		return byName[matches[0]], matches[0], nil
	}
	slices.Sort(matches)
	return nil, "", usageErrorf("ambiguous option: %s (%s?)", name, strings.Join(matches, ", "))
}

func (p *Parser) shortOption(s string) *option {
	for _, o := range p.opts {
		if slices.Contains(o.short, s) {
			return o
		}
	}
	return nil
}

func usageErrorf(format string, args ...any) error {
	return &UsageError{Msg: fmt.Sprintf(format, args...)}
}
