package nn

// Option adjusts a layer as it is made: Stride and Padding for Conv2d
// (Stride for the pooling layers too), NoBias for Linear and Conv2d.
type Option func(*options)

type options struct {
	stride, padding int
	noBias          bool
	set             map[string]bool // which options were given
}

// Stride sets the step of a convolution or pooling window (default 1 for
// Conv2d, the kernel size for pooling).
func Stride(s int) Option {
	return func(o *options) { o.stride = s; o.set["Stride"] = true }
}

// Padding sets the zero padding added on every side of a convolution's
// input (default 0).
func Padding(p int) Option {
	return func(o *options) { o.padding = p; o.set["Padding"] = true }
}

// NoBias makes a Linear or Conv2d layer without a bias, as bias=False in
// PyTorch (common before BatchNorm, whose shift makes a bias redundant).
func NoBias() Option {
	return func(o *options) { o.noBias = true; o.set["NoBias"] = true }
}

// collect applies opts and panics if one is not among allowed.
func collect(layer string, opts []Option, allowed ...string) options {
	o := options{set: map[string]bool{}}
	for _, opt := range opts {
		opt(&o)
	}
	for name := range o.set {
		ok := false
		for _, a := range allowed {
			ok = ok || a == name
		}
		if !ok {
			panicf(layer, "option %s does not apply to this layer", name)
		}
	}
	return o
}
