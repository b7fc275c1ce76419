package viz

import (
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
)

// linearTicks marks an axis at about five round values (steps of 1, 2, 2.5
// or 5 times a power of ten), with minor ticks between; percent labels the
// values as percentages.
type linearTicks struct {
	percent bool
	integer bool // only whole numbers (steps, epochs, class indices)
	count   int  // about how many labels; 5 when 0
	noMinor bool // no minor ticks between the labels
}

func (t linearTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) {
		return []plot.Tick{{Value: lo, Label: t.format(lo, 0)}}
	}
	n := t.count
	if n <= 0 {
		n = 5
	}
	step := bestStep(lo, hi, n)
	if t.integer && step < 1 {
		step = 1
	}
	minor := step / 5
	if m := step / math.Pow(10, math.Floor(math.Log10(step))); m == 2 || m == 2.5 {
		minor = step / 2
		if m == 2 {
			minor = step / 4
		}
	}
	if t.integer && minor < 1 || t.noMinor {
		minor = 0
	}
	prec := max(0, -int(math.Floor(math.Log10(step)+1e-9)))
	if m := step / math.Pow(10, math.Floor(math.Log10(step))); m == 2.5 && step < 10 {
		prec++
	}
	var ticks []plot.Tick
	first := math.Ceil(lo/step-1e-9) * step
	for i := 0; ; i++ {
		v := first + float64(i)*step
		if v > hi+step*1e-9 {
			break
		}
		if math.Abs(v) < step*1e-9 {
			v = 0
		}
		ticks = append(ticks, plot.Tick{Value: v, Label: t.format(v, prec)})
	}
	if minor > 0 {
		mfirst := math.Ceil(lo/minor-1e-9) * minor
		for i := 0; ; i++ {
			v := mfirst + float64(i)*minor
			if v > hi+minor*1e-9 {
				break
			}
			if r := math.Mod(math.Abs(v)+step*1e-6, step); r > step*1e-5 {
				ticks = append(ticks, plot.Tick{Value: v})
			}
		}
	}
	return ticks
}

func (t linearTicks) format(v float64, prec int) string {
	if t.percent {
		p := max(0, prec-2)
		return minus(strconv.FormatFloat(100*v, 'f', p, 64)) + "%"
	}
	return formatTick(v, prec)
}

// formatTick writes a tick value with prec digits after the point, or in
// exponent form when it is very large or small.
func formatTick(v float64, prec int) string {
	a := math.Abs(v)
	if v != 0 && (a >= 1e6 || a < 1e-4) {
		return minus(strings.Replace(strconv.FormatFloat(v, 'e', -1, 64), "e-0", "e-", 1))
	}
	return minus(strconv.FormatFloat(v, 'f', prec, 64))
}

// minus replaces ASCII hyphens by true minus signs.
func minus(s string) string { return strings.ReplaceAll(s, "-", "−") }

// niceStep returns the round step (1, 2, 2.5 or 5 times a power of ten)
// nearest above raw.
func niceStep(raw float64) float64 {
	if raw <= 0 || !finite(raw) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*p >= raw*(1-1e-9) {
			return m * p
		}
	}
	return 10 * p
}

// bestStep returns the round step whose labels in [lo, hi] come nearest
// to n in number (at least two where possible); ties go to the larger step.
func bestStep(lo, hi float64, n int) float64 {
	raw := (hi - lo) / float64(n)
	e := math.Floor(math.Log10(raw))
	best, bestScore := niceStep(raw), math.Inf(1)
	for k := e - 1; k <= e+1; k++ {
		for _, m := range []float64{1, 2, 2.5, 5} {
			step := m * math.Pow(10, k)
			count := math.Floor(hi/step+1e-9) - math.Ceil(lo/step-1e-9) + 1
			score := math.Abs(count - float64(n))
			if count < 2 {
				score += 10
			}
			if score < bestScore || score == bestScore && step > best {
				best, bestScore = step, score
			}
		}
	}
	return best
}

// logTicks marks a log axis: at 1, 2 and 5 times the powers of ten when
// the range spans less than two decades (so short ranges get labels too),
// else at the powers of ten with minor ticks between.
type logTicks struct{}

func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	if lo <= 0 {
		lo = math.SmallestNonzeroFloat64
	}
	if !(hi > lo) {
		return []plot.Tick{{Value: lo, Label: formatLog(lo)}}
	}
	var ticks []plot.Tick
	e0, e1 := int(math.Floor(math.Log10(lo))), int(math.Ceil(math.Log10(hi)))
	decades := math.Log10(hi / lo)
	for e := e0; e <= e1; e++ {
		p := math.Pow(10, float64(e))
		for m := 1; m <= 9; m++ {
			v := float64(m) * p
			if v < lo*(1-1e-9) || v > hi*(1+1e-9) {
				continue
			}
			label := ""
			switch {
			case m == 1:
				label = formatLog(v)
			case decades < 2 && (m == 2 || m == 5):
				label = formatLog(v)
			case decades < 0.7:
				label = formatLog(v)
			}
			if decades > 6 && m != 1 {
				continue
			}
			if decades > 7 && e%2 != 0 {
				label = "" // every other power of ten, so the labels do not crowd
			}
			ticks = append(ticks, plot.Tick{Value: v, Label: label})
		}
	}
	return ticks
}

func formatLog(v float64) string {
	a := math.Abs(v)
	if a >= 1e-3 && a < 1e5 {
		return minus(strconv.FormatFloat(v, 'g', 6, 64))
	}
	return minus(strings.Replace(strconv.FormatFloat(v, 'e', -1, 64), "e-0", "e-", 1))
}

// useLog puts a's scale on log10 with logTicks.
func useLog(a *plot.Axis) {
	a.Scale = plot.LogScale{}
	a.Tick.Marker = logTicks{}
}

// positive replaces values ≤ 0 by NaN (gaps on a log scale).
func positive(vs []float64) []float64 {
	out := make([]float64, len(vs))
	for i, v := range vs {
		if v > 0 {
			out[i] = v
		} else {
			out[i] = math.NaN()
		}
	}
	return out
}
