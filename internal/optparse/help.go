package optparse

import (
	"os"
	"strings"
)

// This file lays out help the way optparse's IndentedHelpFormatter does.

// width is the formatter's width: the Width field or optparse's choice,
// $COLUMNS read as a Python int, else 80; minus 2 in both cases.
func (p *Parser) width() int {
	cols := 80
	if p.Width != 0 {
		cols = p.Width
	} else if v, ok := os.LookupEnv("COLUMNS"); ok {
		if n, ok := pyIntBase(v, 10); ok && n > -1<<20 && n < 1<<20 {
			cols = int(n)
		}
	}
	return cols - 2
}

func (p *Parser) expandProg(s string) string { return strings.ReplaceAll(s, "%prog", p.Prog) }

// FormatUsage returns "Usage: " followed by the usage text with %prog
// expanded, and a newline (optparse's get_usage).
func (p *Parser) FormatUsage() string {
	u := p.Usage
	if u == "" {
		u = "%prog [options]"
	} else if len(u) >= 7 && strings.EqualFold(u[:7], "usage: ") {
		u = u[7:]
	}
	return "Usage: " + p.expandProg(u) + "\n"
}

// usageForError is what parser.error prints before the message:
// print(get_usage()), so one newline more than FormatUsage.
func (p *Parser) usageForError() string { return p.FormatUsage() + "\n" }

// FormatHelp returns the whole help text (optparse's format_help): the
// usage, a blank line, the description if any, and the options.
func (p *Parser) FormatHelp() string {
	var b strings.Builder
	b.WriteString(p.FormatUsage() + "\n")
	if p.Description != "" {
		b.WriteString(fill(p.expandProg(p.Description), max(p.width(), 11), "", "") + "\n\n")
	}
	b.WriteString(p.formatOptions())
	return b.String()
}

// formatOptions is format_option_help: "Options:" and one entry per option,
// the option strings in a column as wide as the longest (at most 24), the
// help wrapped beside them.
func (p *Parser) formatOptions() string {
	const indent = 2
	width := p.width()
	maxHelpPos := min(24, max(width-20, 2*indent))
	strs := make([]string, len(p.opts))
	maxLen := 0
	for i, o := range p.opts {
		strs[i] = o.optionStrings()
		maxLen = max(maxLen, runeLen(strs[i])+indent)
	}
	helpPos := min(maxLen+2, maxHelpPos)
	helpWidth := max(width-helpPos, 11)
	optWidth := helpPos - indent - 2

	var b strings.Builder
	b.WriteString("Options:\n")
	for i, o := range p.opts {
		s := strs[i]
		indentFirst := 0
		if runeLen(s) > optWidth {
			// Too long to share a line with the help: the help starts on
			// the next line, in the help column.
			b.WriteString(spaces(indent) + s + "\n")
			indentFirst = helpPos
		} else {
			b.WriteString(spaces(indent) + s + spaces(optWidth-runeLen(s)) + "  ")
		}
		lines := wrap(p.expandDefault(o), helpWidth, "", "")
		if len(lines) == 0 {
			if indentFirst == 0 {
				b.WriteString("\n")
			}
			continue
		}
		b.WriteString(spaces(indentFirst) + lines[0] + "\n")
		for _, l := range lines[1:] {
			b.WriteString(spaces(helpPos) + l + "\n")
		}
	}
	return b.String()
}

// optionStrings is format_option_strings: "-h, --help", or with a value
// "-p PORT, --port=PORT".
func (o *option) optionStrings() string {
	var parts []string
	for _, s := range o.short {
		if o.takesValue() {
			s += " " + o.metavar
		}
		parts = append(parts, s)
	}
	for _, l := range o.long {
		if o.takesValue() {
			l += "=" + o.metavar
		}
		parts = append(parts, l)
	}
	return strings.Join(parts, ", ")
}

// expandDefault replaces "%default" in the help with the option's default,
// printed as Python would print it.
func (p *Parser) expandDefault(o *option) string {
	return strings.ReplaceAll(o.flag.Usage, "%default", pyStr(o.deflt))
}

func spaces(n int) string { return strings.Repeat(" ", max(n, 0)) }
