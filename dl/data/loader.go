package data

import (
	"fmt"
	"iter"
	"math/rand/v2"

	"github.com/gradbook/gradbook/dl"
	"github.com/gradbook/gradbook/internal/option"
)

// Loader cuts a Dataset into mini-batches, one epoch at a time:
//
//	loader := data.NewLoader(train, 64, data.Shuffle(1))
//	for epoch := range 10 {
//		for x, y := range loader.Epoch() {
//			// x: [64 1 28 28], y: [64]
//		}
//	}
//
// Each batch is a pair of new tensors holding copies of the samples, of
// the dataset's dtype: changing them never changes the dataset. Batches
// are copied straight out of the data sets this package makes; for an X or
// Y set by hand, each epoch first takes one copy of its values. A Loader is
// not safe for concurrent use.
type Loader struct {
	ds        *Dataset
	batchSize int
	shuffle   bool
	seed      uint64
	dropLast  bool
	epoch     int
}

// LoaderOption is an option of NewLoader: Shuffle, DropLast. Each is a
// value of a small type of this package, and only these options are
// LoaderOptions: an option of MNIST passed to NewLoader does not compile.
type LoaderOption interface{ applyLoader(*Loader) }

// Shuffle makes a Loader visit the samples in a new random order every
// epoch. The orders come from seed and the epoch number: the same seed gives
// the same order in the same epoch, every time. For NewLoader.
func Shuffle(seed uint64) shuffle { return shuffle(seed) }

type shuffle uint64

func (s shuffle) applyLoader(l *Loader) { l.shuffle, l.seed = true, uint64(s) }

// DropLast makes a Loader leave out the last batch of an epoch when it
// would be smaller than the batch size. For NewLoader.
func DropLast() dropLast { return dropLast{} }

type dropLast struct{}

func (dropLast) applyLoader(l *Loader) { l.dropLast = true }

// NewLoader returns a Loader of batches of batchSize samples of ds, in order
// unless Shuffle says otherwise. It panics with a *dl.Error unless batchSize
// is positive and ds has X and Y with the same number of samples.
func NewLoader(ds *Dataset, batchSize int, opts ...LoaderOption) *Loader {
	if batchSize < 1 {
		panic(&dl.Error{Op: "data.NewLoader", Msg: fmt.Sprintf("batch size %d is not positive", batchSize)})
	}
	if ds == nil {
		panic(&dl.Error{Op: "data.NewLoader", Msg: "dataset is nil"})
	}
	ds.check("data.NewLoader")
	l := &Loader{ds: ds, batchSize: batchSize}
	option.Apply("data.NewLoader", l, opts, LoaderOption.applyLoader)
	return l
}

// Len returns the number of batches in an epoch.
func (l *Loader) Len() int {
	n := l.ds.Len()
	if l.dropLast {
		return n / l.batchSize
	}
	return (n + l.batchSize - 1) / l.batchSize
}

// BatchSize returns the number of samples in a full batch.
func (l *Loader) BatchSize() int { return l.batchSize }

// Dataset returns the data set the Loader batches.
func (l *Loader) Dataset() *Dataset { return l.ds }

// EpochNumber returns the number of epochs begun so far: the number of
// the next epoch, counting from 0.
func (l *Loader) EpochNumber() int { return l.epoch }

// SetEpoch sets the number of the next epoch, e.g. to go on in the same
// order after loading a checkpoint.
func (l *Loader) SetEpoch(e int) { l.epoch = e }

// Order returns the order in which epoch e visits the samples.
func (l *Loader) Order(e int) []int {
	n := l.ds.Len()
	if l.shuffle {
		return rand.New(rand.NewPCG(l.seed, shuffleStream+uint64(e))).Perm(n)
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	return order
}

// Epoch returns the batches of the next epoch as (inputs, targets) pairs:
// x of shape [b ...] and y of shape [b] or [b k], where b is the batch size
// except perhaps in the last batch. The epoch begins, and the Loader counts
// it, when the range loop starts; breaking out of the loop ends it.
func (l *Loader) Epoch() iter.Seq2[*dl.Tensor, *dl.Tensor] {
	return func(yield func(x, y *dl.Tensor) bool) {
		ds := l.ds
		ds.check("data.Loader.Epoch")
		order := l.Order(l.epoch)
		l.epoch++
		xs, ys := ds.xs.values(ds.X), ds.ys.values(ds.Y)
		for b := range l.Len() {
			idx := order[b*l.batchSize : min((b+1)*l.batchSize, len(order))]
			if !yield(gatherRows(ds.X, xs, idx), gatherRows(ds.Y, ys, idx)) {
				return
			}
		}
	}
}
