package nn

// The options of the layers. Each layer takes the options of its own
// interface type, and each option is a value of a small type that
// implements the interfaces of the layers it applies to, so that an option
// a layer does not take (Stride for Linear, NoBias for MaxPool2d) is a
// compile-time error. The Builder's methods take the same options as the
// layers they append.
type (
	// LinearOption is an option of Linear: NoBias.
	LinearOption interface{ applyLinear(*options) }

	// Conv2dOption is an option of Conv2d: Stride, Padding, NoBias.
	Conv2dOption interface{ applyConv2d(*options) }

	// Pool2dOption is an option of MaxPool2d and AvgPool2d: Stride.
	Pool2dOption interface{ applyPool2d(*options) }
)

type options struct {
	stride, padding int
	strideSet       bool // Stride was given
	noBias          bool
}

// Stride sets the step of a convolution or pooling window (default 1 for
// Conv2d, the kernel size for pooling). For Conv2d, MaxPool2d and
// AvgPool2d.
func Stride(s int) stride { return stride(s) }

type stride int

func (s stride) set(o *options)         { o.stride, o.strideSet = int(s), true }
func (s stride) applyConv2d(o *options) { s.set(o) }
func (s stride) applyPool2d(o *options) { s.set(o) }

// Padding sets the zero padding added on every side of a convolution's
// input (default 0). For Conv2d.
func Padding(p int) padding { return padding(p) }

type padding int

func (p padding) applyConv2d(o *options) { o.padding = int(p) }

// NoBias makes a layer without a bias, as bias=False in PyTorch (common
// before BatchNorm, whose shift makes a bias redundant). For Linear and
// Conv2d.
func NoBias() noBias { return noBias{} }

type noBias struct{}

func (noBias) set(o *options)           { o.noBias = true }
func (b noBias) applyLinear(o *options) { b.set(o) }
func (b noBias) applyConv2d(o *options) { b.set(o) }
