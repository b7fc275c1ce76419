package viz

import (
	"image/color"
	"math"
)

// The TensorFlow Playground's colours: orange for the negative class
// (label 0, the Playground's −1), blue for the positive one (label 1, +1),
// and the light grey between them.
var (
	playOrange = rgb(0xf5, 0x93, 0x22)
	playBlue   = rgb(0x08, 0x77, 0xbd)
	playMiddle = rgb(0xe8, 0xea, 0xeb)
)

// Colours of the plots' furniture.
var (
	inkColor   = rgb(0x33, 0x33, 0x33) // text
	axisColor  = rgb(0x88, 0x88, 0x88)
	gridColor  = rgb(0xe6, 0xe6, 0xe6)
	mutedColor = rgb(0x99, 0x99, 0x99)
	mutedInk   = rgb(0x66, 0x66, 0x66) // secondary text
)

// category10 is d3's (and matplotlib's) qualitative palette: distinct
// hues for runs and optimizers.
var category10 = []color.NRGBA{
	rgb(0x1f, 0x77, 0xb4), rgb(0xff, 0x7f, 0x0e), rgb(0x2c, 0xa0, 0x2c), rgb(0xd6, 0x27, 0x28),
	rgb(0x94, 0x67, 0xbd), rgb(0x8c, 0x56, 0x4b), rgb(0xe3, 0x77, 0xc2), rgb(0x7f, 0x7f, 0x7f),
	rgb(0xbc, 0xbd, 0x22), rgb(0x17, 0xbe, 0xcf),
}

// seriesColor returns the colour of the i-th series.
func seriesColor(i int) color.NRGBA { return category10[i%len(category10)] }

func rgb(r, g, b uint8) color.NRGBA { return color.NRGBA{r, g, b, 255} }

// withAlpha returns c with opacity a in [0, 1].
func withAlpha(c color.NRGBA, a float64) color.NRGBA {
	c.A = uint8(math.Round(255 * clamp01(a)))
	return c
}

// mix returns (1−t)·a + t·b, channel by channel.
func mix(a, b color.NRGBA, t float64) color.NRGBA {
	t = clamp01(t)
	f := func(x, y uint8) uint8 { return uint8(math.Round(float64(x)*(1-t) + float64(y)*t)) }
	return color.NRGBA{f(a.R, b.R), f(a.G, b.G), f(a.B, b.B), f(a.A, b.A)}
}

func clamp01(t float64) float64 {
	switch {
	case t < 0 || math.IsNaN(t):
		return 0
	case t > 1:
		return 1
	}
	return t
}

var white = rgb(255, 255, 255)

// diverging maps v in [−1, 1] to the Playground's scale: orange at −1,
// light grey at 0, blue at +1. NaN is white.
func diverging(v float64) color.NRGBA {
	if math.IsNaN(v) {
		return white
	}
	if v < 0 {
		return mix(playMiddle, playOrange, -v)
	}
	return mix(playMiddle, playBlue, v)
}

// ramp interpolates linearly between colour stops spread evenly over [0, 1].
func ramp(stops []color.NRGBA, t float64) color.NRGBA {
	t = clamp01(t)
	x := t * float64(len(stops)-1)
	i := int(x)
	if i >= len(stops)-1 {
		return stops[len(stops)-1]
	}
	return mix(stops[i], stops[i+1], x-float64(i))
}

// blues is a sequential scale from white to dark blue (ColorBrewer Blues).
var blues = []color.NRGBA{
	rgb(0xf7, 0xfb, 0xff), rgb(0xde, 0xeb, 0xf7), rgb(0xc6, 0xdb, 0xef), rgb(0x9e, 0xca, 0xe1),
	rgb(0x6b, 0xae, 0xd6), rgb(0x42, 0x92, 0xc6), rgb(0x21, 0x71, 0xb5), rgb(0x08, 0x51, 0x9c), rgb(0x08, 0x30, 0x6b),
}

// depthColors runs from dark blue-violet through teal to green (viridis
// without its pale yellow end, which vanishes on white): the colour of
// layer i of n, the input side darkest.
var depthStops = []color.NRGBA{
	rgb(0x44, 0x01, 0x54), rgb(0x3b, 0x52, 0x8b), rgb(0x21, 0x91, 0x8c), rgb(0x5e, 0xc9, 0x62), rgb(0xb5, 0xb8, 0x12),
}

func depthColor(i, n int) color.NRGBA {
	if n <= 1 {
		return depthStops[1]
	}
	return ramp(depthStops, float64(i)/float64(n-1))
}

// luminance is the relative luminance of c, for choosing dark or light
// text on it.
func luminance(c color.NRGBA) float64 {
	return (0.2126*float64(c.R) + 0.7152*float64(c.G) + 0.0722*float64(c.B)) / 255
}

// colorNRGBA is the colour type of the palettes.
type colorNRGBA = color.NRGBA
