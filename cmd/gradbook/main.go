// Command gradbook runs gradbook's tools from the shell.
//
//	gradbook trace 'ln(x1) + x1*x2 - sin(x2)' x1=2 x2=5
//
// Run "gradbook help" for the list of commands and "gradbook help COMMAND"
// for one command's arguments.
package main

import (
	"fmt"
	"io"
	"os"
	"strings"
)

// command is one subcommand. Each lives in its own file.
type command struct {
	name    string
	summary string // one line for the command list
	usage   string // the full help text, ending in a newline
	run     func(args []string, stdout, stderr io.Writer) int
}

// commands lists the subcommands in the order the usage message shows them.
var commands = []*command{traceCommand, installCommand, runCommand}

// Exit statuses.
const (
	exitOK       = 0
	exitFailure  = 1 // something went wrong that is not the user's input
	exitBadInput = 2 // bad arguments, with a one-line message on stderr
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// run runs gradbook with args (the command line without the program name)
// and returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage())
		return exitBadInput
	}
	switch name := args[0]; name {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 {
			c := lookup(args[1])
			if c == nil {
				fmt.Fprintf(stderr, "gradbook help: unknown command %q; the commands are %s\n", args[1], names())
				return exitBadInput
			}
			fmt.Fprint(stdout, c.usage)
			return exitOK
		}
		fmt.Fprint(stdout, usage())
		return exitOK
	default:
		c := lookup(name)
		if c == nil {
			fmt.Fprintf(stderr, "gradbook: unknown command %q; the commands are %s (run \"gradbook help\")\n", name, names())
			return exitBadInput
		}
		return c.run(args[1:], stdout, stderr)
	}
}

func lookup(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

func names() string {
	var s []string
	for _, c := range commands {
		s = append(s, c.name)
	}
	return strings.Join(s, ", ")
}

func usage() string {
	var b strings.Builder
	b.WriteString("usage: gradbook COMMAND [ARGUMENTS]\n\nThe commands are:\n\n")
	for _, c := range commands {
		fmt.Fprintf(&b, "    %-10s %s\n", c.name, c.summary)
	}
	b.WriteString("\nRun \"gradbook help COMMAND\" for a command's arguments.\n")
	return b.String()
}
