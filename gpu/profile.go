package gpu

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// The profiler: with it on, every kernel and every cuBLAS product is
// bracketed by two events on the stream, and StopProfile reports the
// device time each kind of work took. Making and recording the events
// slows the host down; the times reported are the device's own.

// profiler holds the timed work since StartProfile.
type profiler struct {
	spans []span
}

type span struct {
	name       string
	start, end *event
}

// StartProfile turns the profiler on, forgetting earlier timings.
func (g *GPU) StartProfile() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.prof = &profiler{}
}

// ProfileEntry is the device time of one kind of work.
type ProfileEntry struct {
	Name  string
	Calls int
	Ms    float64
}

// StopProfile turns the profiler off and returns the device time by
// kernel (cuBLAS products as "cublas"), longest first.
func (g *GPU) StopProfile() ([]ProfileEntry, error) {
	g.mu.Lock()
	p := g.prof
	g.prof = nil
	g.mu.Unlock()
	if p == nil {
		return nil, nil
	}
	by := map[string]*ProfileEntry{}
	var err error
	g.do(func() error {
		for _, s := range p.spans {
			ms, e := elapsedMs(s.start, s.end)
			if e != nil && err == nil {
				err = e
			}
			if by[s.name] == nil {
				by[s.name] = &ProfileEntry{Name: s.name}
			}
			by[s.name].Calls++
			by[s.name].Ms += float64(ms)
		}
		for _, s := range p.spans {
			s.start.destroy()
			s.end.destroy()
		}
		return nil
	})
	out := make([]ProfileEntry, 0, len(by))
	for _, e := range by {
		out = append(out, *e)
	}
	slices.SortFunc(out, func(a, b ProfileEntry) int { return cmp.Compare(b.Ms, a.Ms) })
	return out, err
}

// FormatProfile writes entries as a table.
func FormatProfile(entries []ProfileEntry) string {
	var b strings.Builder
	total := 0.0
	for _, e := range entries {
		total += e.Ms
	}
	fmt.Fprintf(&b, "%-22s %7s %10s %6s\n", "kernel", "calls", "ms", "share")
	for _, e := range entries {
		fmt.Fprintf(&b, "%-22s %7d %10.3f %5.1f%%\n", e.Name, e.Calls, e.Ms, 100*e.Ms/max(total, 1e-12))
	}
	return b.String()
}

// timed runs f, the queueing of one piece of work named name, between two
// events when the profiler is on. The caller holds the device (do).
func (g *GPU) timed(name string, f func() error) error {
	p := g.prof
	if p == nil {
		return f()
	}
	start, err := g.ctx.newEvent()
	if err != nil {
		return err
	}
	end, err := g.ctx.newEvent()
	if err != nil {
		return err
	}
	if err := g.ctx.record(start); err != nil {
		return err
	}
	if err := f(); err != nil {
		return err
	}
	if err := g.ctx.record(end); err != nil {
		return err
	}
	p.spans = append(p.spans, span{name, start, end})
	return nil
}
