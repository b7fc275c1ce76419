// Package kernel runs Go notebooks: it installs the Jupyter kernel gradbook
// uses (GoNB, pinned), talks to Jupyter kernels over ZeroMQ, and runs
// notebooks top to bottom.
//
// # Install
//
// Install (the command "gradbook install") builds GoNB and goimports at the
// versions pinned by the tools module in kernel/tools (GoNBVersion,
// GoimportsVersion) into CacheDir()/bin, downloads the gradbook module's
// dependencies into the module cache, and writes the kernelspec "gradbook"
// (display name "Go (gradbook)") into Jupyter's user data folder or
// $JUPYTER_DATA_DIR. A second run with nothing changed builds and writes
// nothing. Check (the command "gradbook install --check") reports what is
// missing and how to get it. Prepare does the building without writing a
// kernelspec and returns the Spec, for programs and tests that start the
// kernel themselves.
//
// The kernelspec is self-sufficient: its argv names the gonb binary by its
// full path with --go_work=ROOT (notebooks import
// github.com/gradbook/gradbook/... from the checkout with no setup cell),
// and its env puts the tools folder and go's bin folder before ${PATH}, so a
// Jupyter started from anywhere finds go and goimports.
//
// # Cells without a module proxy round trip
//
// Before compiling a cell, GoNB runs "go get" in the kernel's module
// ("autoget"); GoNB v0.11.4 has no flag or environment variable to turn that
// off, only the %noautoget cell command. The kernelspec therefore sets
// GOPROXY=off: the "go get" then resolves imports through the go.work and
// the module cache and never waits for the network, and Install makes sure
// the module cache holds everything gradbook depends on. Modules already in
// the module cache (GoNB's own gonbui, for one) still import without
// fetching. To fetch a new module, a notebook does one of:
//
//	!*GOPROXY=$GRADBOOK_GOPROXY go get example.com/mod@v1.2.3
//	%env GOPROXY=https://proxy.golang.org,direct
//
// The first fetches one module with the proxy the user had when installing
// (kept in GRADBOOK_GOPROXY); the second turns fetching back on for the rest
// of the kernel's life, after which importing a module fetches it as GoNB
// normally does.
//
// # Client
//
// Start launches a kernel from its Spec: it writes a connection file with
// free loopback ports and a random key, runs the spec's argv with
// {connection_file} substituted and the spec's env merged into the current
// environment, dials the shell, control, stdin, IOPub and heartbeat sockets,
// and repeats kernel_info_request until the kernel answers on shell and
// IOPub. Every message sent is signed with HMAC-SHA256; a message received
// whose signature does not verify is dropped and counted (Client.Rejected).
//
// Client.Execute runs one cell and returns its Result: the outputs a
// notebook would show (stream text merged per stream, display_data,
// execute_result, error; clear_output honoured; update_display_data applied
// to the output, in this cell or an earlier one, that has the display id)
// and an error for a failed cell: *CellError (compile error, panic, non-zero
// exit), *TimeoutError (the cell ran past ExecOptions.Timeout and was
// interrupted: interrupt_request or SIGINT as the spec's interrupt_mode
// says; a cell that does not stop gets the kernel restarted),
// *KernelDiedError (the process exited, or the heartbeat went unanswered:
// the client starts a fresh kernel and says so). Client.Shutdown sends
// shutdown_request and waits for the process, not for the reply that GoNB
// does not always send, then kills what is left and removes the connection
// file.
//
// GoNB forwards a cell's rich output (gonbui) from a pipe on its own time: a
// display the program makes just before it exits may come after the cell's
// reply (the client then adds it to the cell's Result while later cells run,
// and Settle waits for stragglers), or be lost when GoNB closes the pipe
// first. Programs that display last should call gonbui.Sync before they end.
//
// RunNotebook runs a notebook's code cells in order and fills in their
// outputs, stopping at the first failure with a *NotebookError. The
// subpackages ipynb (reading and writing .ipynb files) and nbhtml (one
// self-contained HTML page from a notebook) complete the command
// "gradbook run".
package kernel
