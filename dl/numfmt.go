package dl

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// FormatNumber writes v for a table: rounded to digits after the point,
// trailing zeros dropped (10.693, 5.5, 10), a true minus sign, and
// significant digits instead for values too small to show (2.5e-05).
func FormatNumber(v float64, digits int) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "∞"
	case math.IsInf(v, -1):
		return "−∞"
	}
	s := strconv.FormatFloat(v, 'f', digits, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if (s == "0" || s == "-0") && v != 0 {
		s = strconv.FormatFloat(v, 'g', max(digits, 1), 64)
	}
	if s == "-0" {
		s = "0"
	}
	return strings.Replace(s, "-", "−", 1)
}

// Summarize writes a tensor's value for a table cell: the number for a
// single value; else the shape and the first values, e.g. "[2 3] [1 2 3 4 …]".
func Summarize(t *Tensor, digits int) string {
	t = hostOf(t)
	if t.Len() == 1 && len(t.shape) <= 1 {
		return FormatNumber(t.at(0), digits)
	}
	var parts []string
	n := t.Len()
	show := min(n, 4)
	for i := 0; i < show; i++ {
		parts = append(parts, FormatNumber(t.at(i), digits))
	}
	if n > show {
		parts = append(parts, "…")
	}
	return fmt.Sprintf("%v [%s]", t.shape, strings.Join(parts, " "))
}
