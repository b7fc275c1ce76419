package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gradbook/gradbook/kernel"
	"github.com/gradbook/gradbook/kernel/ipynb"
	"github.com/gradbook/gradbook/kernel/nbhtml"
)

var runCommand = &command{
	name:    "run",
	summary: "execute notebooks through the kernel; write them with outputs and as HTML",
	usage:   runUsage,
	run:     runRun,
}

const runUsage = `usage: gradbook run NOTEBOOK... [--out DIR] [--timeout D] [--name NAME]

Run executes each notebook's code cells from top to bottom in a fresh Go
kernel (the kernelspec NAME, default "gradbook"; "gradbook install" runs
first when it is missing), showing one line of progress per cell on
stderr. It writes, for a notebook NAME.ipynb:

    DIR/NAME.ipynb   the notebook with its outputs, which Jupyter opens
                     (NAME.out.ipynb when that would be the input itself:
                     run never overwrites its input)
    DIR/NAME.html    a self-contained page: rendered Markdown, code,
                     outputs with images inline

DIR is --out (created if needed), or the notebook's own folder. At the
first cell that fails (an error, a panic, a timeout, a crashed kernel) run
prints the cell's source and its error, still writes both files with the
outputs so far, and exits with status 1; the notebooks after it do not run.

Flags:

    --out DIR      folder for the results (default: each notebook's folder)
    --timeout D    limit on each cell's run time, e.g. 90s or 10m (default
                   10m; 0 for none). A cell past it is interrupted.
    --name NAME    the kernelspec to run (default "gradbook")
`

func runRun(args []string, stdout, stderr io.Writer) int {
	flags, notebooks, err := parseFlags(args, []string{"out", "timeout", "name"}, nil)
	if errors.Is(err, errShowHelp) {
		io.WriteString(stdout, runUsage)
		return exitOK
	}
	timeout := 10 * time.Minute
	if err == nil {
		if s, ok := flags["timeout"]; ok {
			if timeout, err = time.ParseDuration(s); err == nil && timeout < 0 {
				err = fmt.Errorf("negative --timeout %s", s)
			}
		}
	}
	if err == nil && len(notebooks) == 0 {
		err = errors.New("no notebook given")
	}
	var jobs []runJob
	if err == nil {
		jobs, err = planRun(notebooks, flags["out"])
	}
	if err != nil {
		fmt.Fprintf(stderr, "gradbook run: %v (run \"gradbook help run\")\n", err)
		return exitBadInput
	}
	name := flags["name"]
	if name == "" {
		name = kernel.DefaultName
	}

	ctx, cancel := signalContext()
	defer cancel()
	spec, err := kernel.FindSpec(name)
	if err == nil {
		if _, serr := os.Stat(spec.Argv[0]); serr != nil {
			err = serr
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "kernel %q is not installed; installing it\n", name)
		inst, ierr := kernel.Install(ctx, kernel.InstallOptions{Name: name, Log: stderr})
		if ierr != nil {
			fmt.Fprintf(stderr, "gradbook run: %v\n", ierr)
			return exitFailure
		}
		spec = inst.Spec
	}
	for _, job := range jobs {
		if code := runNotebook(ctx, spec, job, timeout, stderr); code != exitOK {
			return code
		}
	}
	return exitOK
}

// runJob is one notebook to run and where its results go.
type runJob struct {
	in, outNotebook, outHTML string
}

// planRun reads no notebook yet: it decides the output files and refuses
// two notebooks that would write the same ones.
func planRun(notebooks []string, out string) ([]runJob, error) {
	var jobs []runJob
	seen := map[string]string{}
	for _, nb := range notebooks {
		in, err := filepath.Abs(nb)
		if err != nil {
			return nil, err
		}
		if fi, err := os.Stat(in); err != nil {
			return nil, fmt.Errorf("notebook %s: %w", nb, errors.Unwrap(err))
		} else if fi.IsDir() {
			return nil, fmt.Errorf("notebook %s is a folder", nb)
		}
		dir := filepath.Dir(in)
		if out != "" {
			if dir, err = filepath.Abs(out); err != nil {
				return nil, err
			}
		}
		base := strings.TrimSuffix(filepath.Base(in), ".ipynb")
		job := runJob{in: in, outNotebook: filepath.Join(dir, base+".ipynb"), outHTML: filepath.Join(dir, base+".html")}
		if job.outNotebook == in {
			job.outNotebook = filepath.Join(dir, base+".out.ipynb")
		}
		if other, dup := seen[job.outNotebook]; dup {
			return nil, fmt.Errorf("notebooks %s and %s would both write %s", other, nb, job.outNotebook)
		}
		seen[job.outNotebook] = nb
		jobs = append(jobs, job)
	}
	return jobs, nil
}

// runNotebook runs one notebook and writes its results.
func runNotebook(ctx context.Context, spec *kernel.Spec, job runJob, timeout time.Duration, stderr io.Writer) int {
	rel := relPath(job.in)
	nb, err := ipynb.ReadFile(job.in)
	if err != nil {
		fmt.Fprintf(stderr, "gradbook run: %v\n", err)
		return exitBadInput
	}
	nb.EnsureIDs()
	start := time.Now()
	c, err := kernel.Start(ctx, spec, kernel.Options{ExtraArgs: extraKernelArgs(spec)})
	if err != nil {
		fmt.Fprintf(stderr, "gradbook run: %s: starting the kernel: %v\n", rel, err)
		return exitFailure
	}
	defer c.Shutdown()
	fmt.Fprintf(stderr, "%s: kernel %s started in %.2fs\n", rel, spec.Name, time.Since(start).Seconds())

	runErr := kernel.RunNotebook(ctx, c, nb, kernel.RunOptions{
		Timeout: timeout,
		Progress: func(p kernel.Progress) {
			if !p.Done {
				fmt.Fprintf(stderr, "  [%*d/%d] %s ... ", len(fmt.Sprint(p.Total)), p.N, p.Total, firstLine(p.Source, 50))
				return
			}
			if p.Err != nil {
				fmt.Fprintf(stderr, "FAILED after %.2fs\n", p.Result.Duration.Seconds())
				return
			}
			fmt.Fprintf(stderr, "ok %.2fs\n", p.Result.Duration.Seconds())
		},
	})
	if err := os.MkdirAll(filepath.Dir(job.outNotebook), 0o755); err != nil {
		fmt.Fprintf(stderr, "gradbook run: %v\n", err)
		return exitFailure
	}
	if err := ipynb.WriteFile(job.outNotebook, nb); err != nil {
		fmt.Fprintf(stderr, "gradbook run: %v\n", err)
		return exitFailure
	}
	if err := nbhtml.File(job.outHTML, nb, nbhtml.Options{BaseDir: filepath.Dir(job.in)}); err != nil {
		fmt.Fprintf(stderr, "gradbook run: %v\n", err)
		return exitFailure
	}
	wrote := fmt.Sprintf("wrote %s and %s", relPath(job.outNotebook), relPath(job.outHTML))
	if runErr == nil {
		fmt.Fprintf(stderr, "%s: all cells ran in %.1fs; %s\n", rel, time.Since(start).Seconds(), wrote)
		return exitOK
	}
	var nbErr *kernel.NotebookError
	if !errors.As(runErr, &nbErr) {
		fmt.Fprintf(stderr, "gradbook run: %s: %v\n", rel, runErr)
		return exitFailure
	}
	fmt.Fprintf(stderr, "gradbook run: %s: cell %d (code cell %d) failed.\n", rel, nbErr.Cell+1, nbErr.N)
	fmt.Fprintf(stderr, "--- source of cell %d ---\n%s\n--- error ---\n%s\n---\n", nbErr.Cell+1,
		strings.TrimRight(nbErr.Source, "\n"), failureText(nb.Cells[nbErr.Cell], nbErr.Err))
	if errors.Is(runErr, context.Canceled) {
		fmt.Fprintf(stderr, "interrupted; %s with the outputs so far\n", wrote)
	} else {
		fmt.Fprintf(stderr, "%s with the outputs so far\n", wrote)
	}
	return exitFailure
}

// extraKernelArgs asks GoNB for plain-text errors, which read well on a
// terminal and in the HTML page.
func extraKernelArgs(spec *kernel.Spec) []string {
	if strings.TrimSuffix(filepath.Base(spec.Argv[0]), ".exe") == "gonb" {
		return []string{"--raw_error"}
	}
	return nil
}

// failureText describes why a cell failed: what it wrote on stderr (a
// panic's message and stack, the last 40 lines) and its error, the
// traceback when there is one.
func failureText(cell *ipynb.Cell, err error) string {
	var stderr strings.Builder
	for _, o := range cell.Outputs {
		if o.Type == ipynb.Stream && o.Name == "stderr" {
			stderr.WriteString(o.Text)
		}
	}
	lines := strings.Split(strings.TrimRight(nbhtml.StripANSI(stderr.String()), "\n"), "\n")
	if len(lines) > 40 {
		lines = append([]string{"..."}, lines[len(lines)-40:]...)
	}
	text := strings.Join(lines, "\n")
	msg := err.Error()
	var ce *kernel.CellError
	if errors.As(err, &ce) && len(ce.Traceback) > 0 {
		msg = strings.Join(ce.Traceback, "\n")
	}
	msg = strings.TrimRight(nbhtml.StripANSI(msg), "\n")
	if !strings.Contains(text, msg) {
		if text != "" {
			text += "\n"
		}
		text += msg
	}
	if strings.Contains(text, "cannot find module providing package") || strings.Contains(text, "GOPROXY=off") {
		text += "\n\nhint: gradbook's kernel runs with GOPROXY=off, so that cells compile without a module\n" +
			"proxy round trip; fetch a new module in a cell first:\n" +
			"    !*GOPROXY=$GRADBOOK_GOPROXY go get example.com/module@v1.2.3"
	}
	return text
}

func firstLine(s string, max int) string {
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line == "%%" {
			continue
		}
		if r := []rune(line); len(r) > max {
			line = string(r[:max-1]) + "…"
		}
		return line
	}
	return ""
}

// relPath shortens path relative to the current folder when it is inside.
func relPath(path string) string {
	wd, err := os.Getwd()
	if err != nil {
		return path
	}
	rel, err := filepath.Rel(wd, path)
	if err != nil || strings.HasPrefix(rel, "..") {
		return path
	}
	return rel
}
