package kernel

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/gradbook/gradbook/kernel/ipynb"
)

// RunOptions tune RunNotebook.
type RunOptions struct {
	// Timeout limits each cell's run time; zero: no limit.
	Timeout time.Duration
	// Progress, if set, is called before each code cell runs (Done false)
	// and after it (Done true).
	Progress func(Progress)
}

// Progress reports on one code cell of a notebook run.
type Progress struct {
	Cell   int // the cell's index in the notebook's Cells
	N      int // the cell's number among the code cells, from 1
	Total  int // the number of code cells
	Source string
	Done   bool
	Result *Result // when Done
	Err    error   // when Done: the cell's error, nil if it succeeded
}

// NotebookError is the error of a notebook run: the first cell that failed.
type NotebookError struct {
	Cell   int // the cell's index in the notebook's Cells
	N      int // the cell's number among the code cells, from 1
	Source string
	Err    error
}

func (e *NotebookError) Error() string {
	return fmt.Sprintf("cell %d failed: %v", e.Cell+1, e.Err)
}

func (e *NotebookError) Unwrap() error { return e.Err }

// RunNotebook runs the code cells of nb in order in the kernel of c, as
// Jupyter's "restart and run all" does, and stores each cell's outputs and
// execution count in nb (outputs from an earlier run are cleared first). It
// stops at the first cell that fails and returns a *NotebookError; the cells
// after it keep no outputs. Cells that hold only white space are skipped,
// as nbclient does. The notebook's metadata records the kernel.
func RunNotebook(ctx context.Context, c *Client, nb *ipynb.Notebook, opts RunOptions) error {
	nb.ClearOutputs()
	setKernelMetadata(nb, c)
	total := 0
	for _, cell := range nb.Cells {
		if cell.Type == ipynb.Code {
			total++
		}
	}
	// Outputs can still change after a cell ended (late outputs, display
	// updates): the cells take their results' final outputs at the end.
	type ran struct {
		cell  *ipynb.Cell
		res   *Result
		extra *ipynb.Output // the error of a failure the kernel did not report
	}
	var done []*ran
	defer func() {
		c.Settle(ctx, 50*time.Millisecond)
		for _, r := range done {
			r.cell.Outputs = append([]*ipynb.Output(nil), r.res.Outputs...)
			if r.extra != nil {
				r.cell.Outputs = append(r.cell.Outputs, r.extra)
			}
		}
	}()
	n := 0
	for i, cell := range nb.Cells {
		if cell.Type != ipynb.Code {
			continue
		}
		n++
		if strings.TrimSpace(cell.Source) == "" {
			continue
		}
		ev := Progress{Cell: i, N: n, Total: total, Source: cell.Source}
		if opts.Progress != nil {
			opts.Progress(ev)
		}
		res, err := c.Execute(ctx, cell.Source, ExecOptions{Timeout: opts.Timeout})
		r := &ran{cell: cell, res: res}
		done = append(done, r)
		if res.ExecutionCount > 0 {
			count := res.ExecutionCount
			cell.ExecutionCount = &count
		}
		if err != nil {
			// A failure the kernel did not report as an output (a timeout,
			// a dead kernel) is recorded in the notebook as an error output.
			if _, ok := err.(*CellError); !ok {
				r.extra = &ipynb.Output{
					Type: ipynb.Error, EName: errorName(err), EValue: err.Error(),
					Traceback: strings.Split(err.Error(), "\n"),
				}
			}
		}
		ev.Done, ev.Result, ev.Err = true, res, err
		if opts.Progress != nil {
			opts.Progress(ev)
		}
		if err != nil {
			return &NotebookError{Cell: i, N: n, Source: cell.Source, Err: err}
		}
	}
	return nil
}

func errorName(err error) string {
	switch err.(type) {
	case *TimeoutError:
		return "Timeout"
	case *KernelDiedError:
		return "KernelDied"
	}
	return "Error"
}

// setKernelMetadata records the kernelspec and the language in the
// notebook's metadata, as Jupyter does.
func setKernelMetadata(nb *ipynb.Notebook, c *Client) {
	if nb.Metadata == nil {
		nb.Metadata = map[string]any{}
	}
	nb.Metadata["kernelspec"] = map[string]any{
		"name":         c.spec.Name,
		"display_name": c.spec.DisplayName,
		"language":     c.spec.Language,
	}
	info := c.Info()
	li := map[string]any{"name": "go"}
	if old, ok := nb.Metadata["language_info"].(map[string]any); ok {
		for k, v := range old {
			li[k] = v
		}
	}
	if info.LanguageInfo.Name != "" {
		li["name"] = info.LanguageInfo.Name
	}
	if info.LanguageInfo.Version != "" {
		li["version"] = info.LanguageInfo.Version
	}
	if info.LanguageInfo.FileExtension != "" {
		li["file_extension"] = info.LanguageInfo.FileExtension
	}
	if info.LanguageInfo.MIMEType != "" {
		li["mimetype"] = info.LanguageInfo.MIMEType
	}
	nb.Metadata["language_info"] = li
}
