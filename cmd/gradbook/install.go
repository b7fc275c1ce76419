package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/gradbook/gradbook/kernel"
)

var installCommand = &command{
	name:    "install",
	summary: "build the Go Jupyter kernel (GoNB) and install its kernelspec",
	usage:   installUsage,
	run:     runInstall,
}

const installUsage = `usage: gradbook install [--check] [--name NAME] [--root DIR] [--force]

Install makes gradbook's notebooks runnable from Jupyter and from
"gradbook run":

  - it builds the pinned kernel, GoNB ` + kernel.GoNBVersion + `, and goimports ` + kernel.GoimportsVersion + `
    (pinned by the tools module kernel/tools) into gradbook's cache,
    $GRADBOOK_CACHE/bin or <user cache folder>/gradbook/bin; this takes a
    minute or two the first time and nothing when they are up to date;
  - it downloads gradbook's module dependencies into the module cache;
  - it writes the Jupyter kernelspec NAME (default "gradbook", shown as
    "Go (gradbook)") for the current user, in $JUPYTER_DATA_DIR/kernels
    when that is set, else ~/.local/share/jupyter/kernels.

The kernel works in a Jupyter started from anywhere, with no change to
PATH: the kernelspec puts the tools and the go command on the kernel's
PATH, and starts GoNB with --go_work=DIR, so notebooks import gradbook's
packages (github.com/gradbook/gradbook/...) with no setup cell. DIR is the
gradbook checkout around the current folder, or --root DIR.

Cells compile without a module proxy round trip: the kernel runs with
GOPROXY=off and resolves imports through the go.work and the module cache.
To use a module gradbook does not already depend on, fetch it in a cell:

    !*GOPROXY=$GRADBOOK_GOPROXY go get example.com/mod@v1.2.3

(GRADBOOK_GOPROXY holds your usual proxy), or turn fetching back on for the
rest of the session with a cell "%env GOPROXY=https://proxy.golang.org,direct"
and import the module as usual.

Flags:

    --check       report what is installed and what is missing (go, gonb,
                  goimports, the module dependencies, the kernelspec,
                  Jupyter) and how to get it; install nothing. Exits 1 when
                  something gradbook run needs is missing.
    --name NAME   the kernelspec's name (default "gradbook")
    --root DIR    the gradbook module's folder
    --force       rebuild the tools even when they are up to date
`

// parseFlags splits args into flags and positional arguments. Flags may
// come before or after the other arguments, as --name VALUE, --name=VALUE
// or with a single dash; "--" ends the flags. valued lists the flags that
// take a value, boolean those that do not.
func parseFlags(args []string, valued, boolean []string) (flags map[string]string, positional []string, err error) {
	flags = map[string]string{}
	has := func(list []string, s string) bool {
		for _, x := range list {
			if x == s {
				return true
			}
		}
		return false
	}
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "--" {
			positional = append(positional, args[i+1:]...)
			break
		}
		if len(arg) < 2 || arg[0] != '-' {
			positional = append(positional, arg)
			continue
		}
		body := strings.TrimPrefix(strings.TrimPrefix(arg, "-"), "-")
		name, value, hasValue := strings.Cut(body, "=")
		switch {
		case name == "h" || name == "help":
			return nil, nil, errShowHelp
		case has(boolean, name):
			if hasValue {
				return nil, nil, fmt.Errorf("flag --%s takes no value", name)
			}
			flags[name] = "true"
		case has(valued, name):
			if !hasValue {
				if i+1 >= len(args) {
					return nil, nil, fmt.Errorf("flag --%s needs a value", name)
				}
				i++
				value = args[i]
			}
			flags[name] = value
		default:
			return nil, nil, fmt.Errorf("unknown flag %s", arg)
		}
	}
	return flags, positional, nil
}

// errShowHelp asks for a command's usage message.
var errShowHelp = errors.New("help requested")

// signalContext returns a context that is cancelled at the first Ctrl-C.
func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt)
}

func runInstall(args []string, stdout, stderr io.Writer) int {
	flags, pos, err := parseFlags(args, []string{"name", "root"}, []string{"check", "force"})
	if errors.Is(err, errShowHelp) {
		io.WriteString(stdout, installUsage)
		return exitOK
	}
	if err == nil && len(pos) > 0 {
		err = fmt.Errorf("unexpected argument %q", pos[0])
	}
	if err != nil {
		fmt.Fprintf(stderr, "gradbook install: %v (run \"gradbook help install\")\n", err)
		return exitBadInput
	}
	ctx, cancel := signalContext()
	defer cancel()
	opts := kernel.InstallOptions{Name: flags["name"], Root: flags["root"], Force: flags["force"] != "", Log: stdout}
	if flags["check"] != "" {
		opts.Log = nil
		missing := false
		for _, it := range kernel.Check(ctx, opts) {
			status := "ok"
			if !it.OK {
				status = "MISSING"
				if it.Optional {
					status = "missing (optional)"
				} else {
					missing = true
				}
			}
			fmt.Fprintf(stdout, "%-20s %s: %s\n", it.What, status, it.Detail)
			if !it.OK && it.Fix != "" {
				fmt.Fprintf(stdout, "%-20s   to fix: %s\n", "", it.Fix)
			}
		}
		if missing {
			return exitFailure
		}
		return exitOK
	}
	inst, err := kernel.Install(ctx, opts)
	if err != nil {
		fmt.Fprintf(stderr, "gradbook install: %v\n", err)
		return exitFailure
	}
	fmt.Fprintf(stdout, "done: pick the kernel %q in Jupyter, or run notebooks with: gradbook run NOTEBOOK\n", inst.Spec.DisplayName)
	return exitOK
}
