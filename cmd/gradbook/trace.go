package main

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/gradbook/gradbook/dl"
	"github.com/gradbook/gradbook/dl/expr"
)

var traceCommand = &command{
	name:    "trace",
	summary: "print the evaluation trace tables of an expression",
	usage:   traceUsage,
	run:     runTrace,
}

const traceUsage = `usage: gradbook trace EXPR NAME=VALUE... [--tangent NAME] [--digits N]
                      [--format text|markdown|html] [--order a,b,...]

Trace evaluates the scalar expression EXPR at the given values and prints
its forward primal trace and its reverse adjoint trace, numbered as in the
lecture (inputs v₋ₙ₊₁ … v₀, then one vᵢ per operation), separated by a
blank line. For example

    gradbook trace 'ln(x1) + x1*x2 - sin(x2)' x1=2 x2=5

EXPR uses numbers, variables, + - * / ^ (also − × · ÷), parentheses and the
functions ln, log, exp, sin, cos, tan, tanh, sqrt, sigmoid, relu and abs;
^ binds tighter than unary minus and groups to the right. Every variable of
EXPR needs a VALUE: a number, or a constant expression such as 1/3 or -2^0.5.

Flags, which may come before or after the other arguments:

    --tangent NAME    also print the forward tangent trace for ∂/∂NAME
    --digits N        digits after the point, 0 to 17 (default 3)
    --format F        text (default), markdown or html
    --order a,b,...   the order of the inputs v₋ₙ₊₁ … v₀; variables left out
                      follow in order of first appearance (the default)

A flag's value may also be written --digits=4, and a single dash works
too. An argument "--" ends the flags, e.g. for an EXPR that starts with
"--": gradbook trace -- '--x' x=1.

Bad input prints one line on stderr, with the position of the error in
EXPR where there is one, and exits with status 2.
`

// traceArgs is the parsed command line of trace.
type traceArgs struct {
	expr    string
	values  []string // NAME=VALUE, as given
	tangent string   // "" for none
	digits  int
	format  string
	order   []string
}

// errHelp asks for the usage message.
var errHelp = errors.New("help requested")

// traceFlags are the flags trace takes a value for.
var traceFlags = []string{"tangent", "digits", "format", "order"}

func parseTraceArgs(args []string) (*traceArgs, error) {
	a := &traceArgs{digits: 3, format: "text"}
	var positional []string
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "--" {
			positional = append(positional, args[i+1:]...)
			break
		}
		name, value, hasValue, isFlag := splitFlag(arg)
		if !isFlag {
			positional = append(positional, arg)
			continue
		}
		if name == "h" || name == "help" {
			return nil, errHelp
		}
		if !slices.Contains(traceFlags, name) {
			return nil, fmt.Errorf("unknown flag %s (the flags are --tangent, --digits, --format and --order)", arg)
		}
		if !hasValue {
			if i+1 == len(args) {
				return nil, fmt.Errorf("flag --%s needs a value", name)
			}
			i++
			value = args[i]
		}
		switch name {
		case "tangent":
			a.tangent = value
			if value == "" {
				return nil, errors.New("flag --tangent needs a variable's name")
			}
		case "digits":
			n, err := strconv.Atoi(value)
			if err != nil || n < 0 || n > 17 {
				return nil, fmt.Errorf("--digits %s: want a whole number from 0 to 17", value)
			}
			a.digits = n
		case "format":
			switch f := strings.ToLower(value); f {
			case "text", "markdown", "html":
				a.format = f
			case "md":
				a.format = "markdown"
			default:
				return nil, fmt.Errorf("--format %s: want text, markdown or html", value)
			}
		case "order":
			a.order = nil
			for _, n := range strings.Split(value, ",") {
				n = strings.TrimSpace(n)
				if n == "" {
					return nil, fmt.Errorf("--order %s: empty name in the list", value)
				}
				a.order = append(a.order, n)
			}
		}
	}
	if len(positional) == 0 {
		return nil, errors.New("missing EXPR (usage: gradbook trace EXPR NAME=VALUE... [flags]; run \"gradbook help trace\")")
	}
	a.expr, a.values = positional[0], positional[1:]
	return a, nil
}

// splitFlag says whether arg is a flag and splits --name=value. Anything
// starting with "--" is a flag; with a single dash only the known flags
// are, so that an EXPR such as -x^2 needs no "--" before it.
func splitFlag(arg string) (name, value string, hasValue, isFlag bool) {
	var body string
	switch {
	case strings.HasPrefix(arg, "--") && len(arg) > 2:
		body = arg[2:]
	case strings.HasPrefix(arg, "-") && len(arg) > 1:
		body = arg[1:]
	default:
		return "", "", false, false
	}
	name, value, hasValue = strings.Cut(body, "=")
	if !strings.HasPrefix(arg, "--") && !slices.Contains(traceFlags, name) && name != "h" && name != "help" {
		return "", "", false, false
	}
	return name, value, hasValue, true
}

func runTrace(args []string, stdout, stderr io.Writer) int {
	a, err := parseTraceArgs(args)
	if errors.Is(err, errHelp) {
		fmt.Fprint(stdout, traceUsage)
		return exitOK
	}
	if err != nil {
		return traceFail(stderr, err)
	}
	out, err := trace(a)
	if err != nil {
		return traceFail(stderr, err)
	}
	if _, err := io.WriteString(stdout, out); err != nil {
		fmt.Fprintf(stderr, "gradbook trace: %v\n", err)
		return exitFailure
	}
	return exitOK
}

// internalError marks a failure that is not the user's input.
type internalError struct{ err error }

func (e internalError) Error() string { return e.err.Error() }

func traceFail(stderr io.Writer, err error) int {
	msg := strings.ReplaceAll(err.Error(), "\n", " ")
	fmt.Fprintf(stderr, "gradbook trace: %s\n", msg)
	if errors.As(err, new(internalError)) {
		return exitFailure
	}
	return exitBadInput
}

// trace does the work of the trace command and returns what it prints.
func trace(a *traceArgs) (string, error) {
	e, err := expr.Parse(a.expr)
	if err != nil {
		return "", err
	}
	vars := e.Variables()
	known := func(name string) error {
		if slices.Contains(vars, name) {
			return nil
		}
		if len(vars) == 0 {
			return fmt.Errorf("EXPR %s has no variables, so it has none named %s", e, name)
		}
		return fmt.Errorf("EXPR has no variable %s; its variables are %s", name, strings.Join(vars, ", "))
	}

	values := map[string]float64{}
	for _, nv := range a.values {
		name, text, ok := strings.Cut(nv, "=")
		if !ok || name == "" {
			return "", fmt.Errorf("argument %q is not NAME=VALUE (EXPR must be a single argument: quote it)", nv)
		}
		if _, dup := values[name]; dup {
			return "", fmt.Errorf("%s is given a value twice", name)
		}
		if err := known(name); err != nil {
			return "", fmt.Errorf("%s: %w", nv, err)
		}
		v, err := parseValue(text)
		if err != nil {
			return "", fmt.Errorf("%s: %w", nv, err)
		}
		values[name] = v
	}
	if a.tangent != "" {
		if err := known(a.tangent); err != nil {
			return "", fmt.Errorf("--tangent %s: %w", a.tangent, err)
		}
	}
	for i, name := range a.order {
		if err := known(name); err != nil {
			return "", fmt.Errorf("--order: %w", err)
		}
		if slices.Contains(a.order[:i], name) {
			return "", fmt.Errorf("--order names %s twice", name)
		}
	}

	// Create the variables in the order the trace numbers them: creation
	// order gives v₋ₙ₊₁ … v₀. A variable with no value gets no tensor, and
	// Eval reports it at its first use.
	order := slices.Clone(a.order)
	for _, name := range vars {
		if !slices.Contains(order, name) {
			order = append(order, name)
		}
	}
	tensors := map[string]*dl.Tensor{}
	for _, name := range order {
		if v, ok := values[name]; ok {
			tensors[name] = dl.Float64.Scalar(v).Named(name)
		}
	}
	y, err := e.Eval(tensors)
	if err != nil {
		return "", err
	}

	var tables []*dl.Table
	err = dl.Catch(func() {
		tr := dl.TraceOf(y).Digits(a.digits)
		tables = append(tables, tr.Primal(), tr.Adjoint())
		if a.tangent != "" {
			tables = append(tables, tr.Tangent(tensors[a.tangent]))
		}
	})
	if err != nil {
		return "", internalError{err}
	}
	parts := make([]string, len(tables))
	for i, t := range tables {
		var s string
		switch a.format {
		case "markdown":
			s = t.Markdown()
		case "html":
			s = t.HTML()
		default:
			s = t.String()
		}
		parts[i] = strings.TrimRight(s, "\n") + "\n"
	}
	return strings.Join(parts, "\n"), nil
}

// parseValue reads a VALUE: a number or a constant expression (-2, 1/3).
func parseValue(text string) (float64, error) {
	e, err := expr.Parse(text)
	if err != nil {
		return 0, err
	}
	if vars := e.Variables(); len(vars) > 0 {
		return 0, fmt.Errorf("a value must be a number or a constant expression, not one with the variable %s", vars[0])
	}
	y, err := e.Eval(nil)
	if err != nil {
		return 0, err
	}
	return y.Item(), nil
}
