package main

// Number formatting for the report.

import (
	"math"
	"strconv"
	"strings"
)

// group prints x with the given decimals and commas between thousands
// (25060.2, 0 -> "25,060"); NaN prints as "—".
func group(x float64, digits int) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "—"
	}
	s := strconv.FormatFloat(x, 'f', digits, 64)
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if hasFrac {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	if b.String() == "0" || strings.Trim(b.String(), "0.,") == "" {
		sign = "" // no "-0.00"
	}
	return sign + b.String()
}

// compact prints a measured value with about four significant digits,
// enough to compare runs without drowning the table: 25,060 / 4,563 /
// 32.65 / 2.322 / 0.0858.
func compact(x float64) string {
	a := math.Abs(x)
	switch {
	case math.IsNaN(x):
		return "—"
	case x == math.Trunc(x) && a < 1e15:
		return group(x, 0)
	case a >= 1000:
		return group(x, 0)
	case a >= 100:
		return group(x, 1)
	case a >= 10:
		return group(x, 2)
	case a >= 1:
		return group(x, 3)
	}
	return strconv.FormatFloat(x, 'g', 3, 64)
}

// ratio prints a ratio of medians: "0.67".
func ratio(x float64) string { return ratioDigits(x, 2) }

// ratioDigits prints a ratio with the given decimals; the targets table
// uses three, so that a ratio and its target never look equal by rounding.
func ratioDigits(x float64, digits int) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "—"
	}
	return strconv.FormatFloat(x, 'f', digits, 64)
}
