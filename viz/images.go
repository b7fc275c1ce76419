package viz

import (
	"fmt"
	"image"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/gradbook/gradbook/dl"
)

// Images draws a grid of images with an optional caption under each:
// MNIST samples, misclassified examples ("7 → 1"), the filters of a
// convolution. t holds the images as [n h w], [n 1 h w] (grey), [n 3 h w]
// (colour), [n c h w] with other c (each channel its own grey image, as
// conv filters [out in k k]), [n d] with d a square (flattened images), or
// one image [h w]. labels is nil or has one caption per image (per image
// of n, for split channels).
//
// Values in [0, 1] are shown as they are (0 black, 1 white). Values that
// go below 0 about a common background (normalized images) are scaled
// from the smallest to the largest value; weights that take both signs
// around 0 (filters) on the Playground's scale per image, orange negative,
// white 0, blue positive. At most 400 images are shown.
func Images(t *dl.Tensor, labels []string) *Figure {
	imgs, h, w, channels := splitImages(t)
	n := len(imgs)
	if labels != nil {
		want := n
		if channels > 0 {
			want = n / channels
		}
		if len(labels) != want && len(labels) != n {
			panicf("Images", "%d labels for %d images", len(labels), want)
		}
		if len(labels) != n {
			var per []string
			for _, l := range labels {
				for c := range channels {
					per = append(per, fmt.Sprintf("%s·%d", l, c))
				}
			}
			labels = per
		}
	}
	n = min(n, maxImages)
	cols := n
	if n > 12 {
		cols = min(20, int(math.Ceil(math.Sqrt(float64(n)*1.6))))
	}
	rows := (n + cols - 1) / cols
	side := 46.0
	if max(h, w) <= 8 {
		side = 34
	}
	capH := 0.0
	if labels != nil {
		capH = 12
	}
	cellW, cellH := side+8, side*float64(h)/float64(w)+capH+8
	g := &imageGrid{imgs: imgs[:n], h: h, w: w, labels: labels, cols: cols, capH: capH, rgb: channels == -3}
	var legend []legendEntry
	width := float64(cols)*cellW + 24
	if !g.rgb && g.mode().diverging {
		legend = []legendEntry{{label: "each image"}, {label: "negative", swatch: playOrange},
			{label: "zero", swatch: rgb(0xf4, 0xf4, 0xf4)}, {label: "positive", swatch: playBlue}}
		width += 90
	}
	f := newFigure("images", "", vgLen(width), vgLen(max(float64(rows)*cellH+20, 90)), func(config) *layout {
		p := newMapPanel("", false)
		p.Add(g)
		return &layout{rows: [][]*plot.Plot{{p}}, legend: legend}
	})
	f.pixelated = true
	return f
}

const maxImages = 400

// splitImages returns the images of t as rows of pixel values, their
// height and width, and how they were split: c > 0 when each of c
// channels became its own image, −3 for colour images, 0 otherwise.
func splitImages(t *dl.Tensor) (imgs [][]float64, h, w, channels int) {
	v := t.Float64s()
	s := t.Shape()
	switch len(s) {
	case 2:
		if r := int(math.Round(math.Sqrt(float64(s[1])))); r*r == s[1] && s[1] > 1 {
			h, w = r, r
			for i := range s[0] {
				imgs = append(imgs, v[i*s[1]:(i+1)*s[1]])
			}
			return imgs, h, w, 0
		}
		return [][]float64{v}, s[0], s[1], 0
	case 3:
		h, w = s[1], s[2]
		for i := range s[0] {
			imgs = append(imgs, v[i*h*w:(i+1)*h*w])
		}
		return imgs, h, w, 0
	case 4:
		n, c := s[0], s[1]
		h, w = s[2], s[3]
		size := c * h * w
		switch c {
		case 1:
			for i := range n {
				imgs = append(imgs, v[i*size:(i+1)*size])
			}
			return imgs, h, w, 0
		case 3:
			for i := range n {
				imgs = append(imgs, v[i*size:(i+1)*size])
			}
			return imgs, h, w, -3
		}
		for i := range n {
			for ch := range c {
				off := i*size + ch*h*w
				imgs = append(imgs, v[off:off+h*w])
			}
		}
		return imgs, h, w, c
	}
	panicf("Images", "a tensor of shape %v is not images [n h w], [n c h w], [n d] or [h w]", s)
	return nil, 0, 0, 0
}

// imageGrid draws images in rows, each scaled to fit its cell, with its
// caption under it.
type imageGrid struct {
	imgs   [][]float64
	h, w   int
	labels []string
	cols   int
	capH   float64
	rgb    bool
}

func (g *imageGrid) Plot(c draw.Canvas, _ *plot.Plot) {
	n := len(g.imgs)
	rows := (n + g.cols - 1) / g.cols
	cellW := (c.Max.X - c.Min.X) / vg.Length(g.cols)
	cellH := (c.Max.Y - c.Min.Y) / vg.Length(rows)
	capH := vg.Length(g.capH)
	// The image's size: fit the cell less a margin and the caption.
	iw := cellW - 6
	ih := iw * vg.Length(g.h) / vg.Length(g.w)
	if ih > cellH-capH-6 {
		ih = cellH - capH - 6
		iw = ih * vg.Length(g.w) / vg.Length(g.h)
	}
	mode := g.mode()
	ts := textStyle(tickSize, inkColor)
	ts.XAlign, ts.YAlign = draw.XCenter, draw.YTop
	for k, px := range g.imgs {
		r, col := k/g.cols, k%g.cols
		cx := c.Min.X + (vg.Length(col)+0.5)*cellW
		top := c.Max.Y - vg.Length(r)*cellH - (cellH-ih-capH)/2 // centred in its cell
		rect := vg.Rectangle{Min: vg.Point{X: cx - iw/2, Y: top - ih}, Max: vg.Point{X: cx + iw/2, Y: top}}
		c.DrawImage(rect, g.picture(px, mode))
		c.StrokeLines(lineStyle(gridColor, 0.5), []vg.Point{rect.Min, {X: rect.Min.X, Y: rect.Max.Y}, rect.Max, {X: rect.Max.X, Y: rect.Min.Y}, rect.Min})
		if g.labels != nil && k < len(g.labels) {
			c.FillText(ts, vg.Point{X: cx, Y: top - ih - 2}, g.labels[k])
		}
	}
}

// Scaling modes of the pixel values.
type pixelMode struct {
	diverging bool
	lo, hi    float64 // grey scale from lo (black) to hi (white)
}

func (g *imageGrid) mode() pixelMode {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, px := range g.imgs {
		for _, v := range px {
			if finite(v) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	switch {
	case lo > hi:
		return pixelMode{lo: 0, hi: 1}
	case lo >= 0 && hi <= 1:
		return pixelMode{lo: 0, hi: 1}
	case lo >= 0:
		return pixelMode{lo: 0, hi: hi}
	}
	// Below 0: normalized images share a background at the minimum;
	// weights do not.
	shared := 0
	for _, px := range g.imgs {
		m := math.Inf(1)
		for _, v := range px {
			m = math.Min(m, v)
		}
		if math.Abs(m-lo) <= 1e-6*math.Max(1, math.Abs(lo)) {
			shared++
		}
	}
	if shared*10 >= len(g.imgs)*9 && len(g.imgs) > 1 {
		return pixelMode{lo: lo, hi: hi}
	}
	return pixelMode{diverging: true}
}

// picture renders one image's pixels, enlarged by a whole factor so that
// viewers that smooth images keep the pixels visible.
func (g *imageGrid) picture(px []float64, m pixelMode) image.Image {
	scale := max(1, 64/max(g.h, g.w))
	img := image.NewNRGBA(image.Rect(0, 0, g.w*scale, g.h*scale))
	amax := 0.0
	if m.diverging {
		for _, v := range px {
			amax = math.Max(amax, math.Abs(v))
		}
		if amax == 0 {
			amax = 1
		}
	}
	plane := g.h * g.w
	for y := range g.h {
		for x := range g.w {
			var c colorNRGBA
			switch {
			case g.rgb:
				ch := func(k int) uint8 {
					return uint8(math.Round(255 * clamp01((px[k*plane+y*g.w+x]-m.lo)/(m.hi-m.lo))))
				}
				c = rgb(ch(0), ch(1), ch(2))
			case m.diverging:
				v := px[y*g.w+x] / amax
				if v < 0 {
					c = mix(white, playOrange, -v)
				} else {
					c = mix(white, playBlue, v)
				}
			default:
				l := uint8(math.Round(255 * clamp01((px[y*g.w+x]-m.lo)/(m.hi-m.lo))))
				c = rgb(l, l, l)
			}
			for dy := range scale {
				for dx := range scale {
					img.SetNRGBA(x*scale+dx, y*scale+dy, c)
				}
			}
		}
	}
	return img
}
