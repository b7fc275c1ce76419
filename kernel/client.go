package kernel

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-zeromq/zmq4"

	"github.com/gradbook/gradbook/kernel/ipynb"
)

// Options configure a Client.
type Options struct {
	// ExtraArgs are appended to the kernelspec's argv.
	ExtraArgs []string
	// Env is set in the kernel's environment on top of the kernelspec's env.
	Env map[string]string
	// Dir is the kernel's working folder; empty: the current one.
	Dir string
	// StartTimeout bounds the start of the kernel up to its kernel_info
	// reply; default 60 s.
	StartTimeout time.Duration
	// InterruptGrace is how long a cell that timed out may take to stop
	// after the interrupt before the kernel is killed and restarted;
	// default 10 s.
	InterruptGrace time.Duration
	// HeartbeatTimeout is how long the kernel may leave heartbeats
	// unanswered before it counts as dead; default 20 s, negative: never.
	HeartbeatTimeout time.Duration
	// KernelOutput receives the kernel process's own stdout and stderr (its
	// logs, not the cells' output). The last 16 KiB are kept for error
	// messages in any case.
	KernelOutput io.Writer
	// Logf, if set, receives the client's debugging messages.
	Logf func(format string, args ...any)

	// verifyKey, when set, replaces the key incoming messages are verified
	// with (tests: a client that must reject everything).
	verifyKey []byte
}

// Client talks to one running Jupyter kernel over ZeroMQ. Its methods may be
// called from several goroutines; Execute calls run one at a time.
type Client struct {
	spec    *Spec
	opts    Options
	session string

	mu       sync.Mutex // serialises Execute, Settle, Restart and Shutdown
	p        atomic.Pointer[proc]
	displays *displays
	recent   []*cellRecord // the last cells run, for their late outputs
	info     KernelInfo
	closed   bool

	rejected atomic.Int64 // messages dropped because their signature did not verify
}

// KernelInfo is the part of a kernel_info_reply a client uses.
type KernelInfo struct {
	ProtocolVersion       string `json:"protocol_version"`
	Implementation        string `json:"implementation"`
	ImplementationVersion string `json:"implementation_version"`
	Banner                string `json:"banner"`
	LanguageInfo          struct {
		Name          string `json:"name"`
		Version       string `json:"version"`
		FileExtension string `json:"file_extension"`
		MIMEType      string `json:"mimetype"`
	} `json:"language_info"`
}

// Result is what one cell produced.
type Result struct {
	// Status is the execute_reply's status: "ok", "error" or "aborted"; ""
	// when no reply came (the kernel died or the cell timed out).
	Status string
	// ExecutionCount is the kernel's count for the cell, 0 if unknown.
	ExecutionCount int
	// Outputs are the cell's outputs in the order a notebook shows them.
	// Like a notebook, the client keeps them current while it runs later
	// cells (or Settle): update_display_data messages change them, and
	// outputs that arrive after the cell ended (GoNB may publish a cell's
	// last display after its reply) are appended.
	Outputs []*ipynb.Output
	// Duration is the time from the request to the end of the cell.
	Duration time.Duration
}

// CellError is the error of a cell that raised one: a compile error, a
// panic, a non-zero exit.
type CellError struct {
	EName     string
	EValue    string
	Traceback []string
}

func (e *CellError) Error() string {
	msg := strings.TrimSpace(e.EValue)
	if msg == "" && len(e.Traceback) > 0 {
		msg = strings.TrimSpace(strings.Join(e.Traceback, "\n"))
	}
	if e.EName != "" {
		return e.EName + ": " + msg
	}
	return msg
}

// TimeoutError is the error of a cell that ran past its timeout.
type TimeoutError struct {
	Timeout time.Duration
	// Restarted is set when the cell did not stop after the interrupt and
	// the kernel was restarted: the kernel's state is lost.
	Restarted  bool
	RestartErr error // set when that restart failed
}

func (e *TimeoutError) Error() string {
	switch {
	case e.RestartErr != nil:
		return fmt.Sprintf("kernel: the cell ran past its timeout of %v and did not stop when interrupted; restarting the kernel failed: %v", e.Timeout, e.RestartErr)
	case e.Restarted:
		return fmt.Sprintf("kernel: the cell ran past its timeout of %v and did not stop when interrupted; the kernel was restarted", e.Timeout)
	}
	return fmt.Sprintf("kernel: the cell ran past its timeout of %v and was interrupted", e.Timeout)
}

// KernelDiedError reports a kernel that exited or stopped answering its
// heartbeat.
type KernelDiedError struct {
	Reason     string // e.g. "exit status 2", "signal: killed", "no heartbeat for 20s"
	Output     string // the tail of the kernel's own output
	Restarted  bool   // a fresh kernel has replaced it
	RestartErr error  // set when starting a fresh kernel failed
}

func (e *KernelDiedError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "kernel: the kernel died (%s)", e.Reason)
	switch {
	case e.RestartErr != nil:
		fmt.Fprintf(&b, "; restarting it failed: %v", e.RestartErr)
	case e.Restarted:
		b.WriteString("; it was restarted and its state is lost")
	}
	if out := strings.TrimSpace(e.Output); out != "" {
		lines := strings.Split(out, "\n")
		if len(lines) > 15 {
			lines = lines[len(lines)-15:]
		}
		b.WriteString("\nits last output:\n" + strings.Join(lines, "\n"))
	}
	return b.String()
}

// ErrClosed is returned by a Client that was shut down.
var ErrClosed = errors.New("kernel: client is shut down")

// proc is one running kernel process with its sockets.
type proc struct {
	conn *ConnectionInfo
	dir  string // temporary folder with the connection file and the kernel's TMPDIR
	cmd  *exec.Cmd
	out  *tail

	exited  chan struct{} // closed when the process has exited
	waitErr error         // the process's exit, set before exited closes

	ctx    context.Context // the sockets' life
	cancel context.CancelFunc

	sendMu                             sync.Mutex
	shell, control, stdin, iopub, hbSk zmq4.Socket
	shellCh, iopubCh, controlCh        chan *Message
	lastBeat                           atomic.Int64 // unix nanoseconds of the last heartbeat answer
}

// Start starts the kernel of spec and waits until it answers kernel_info.
func Start(ctx context.Context, spec *Spec, opts Options) (*Client, error) {
	if opts.StartTimeout <= 0 {
		opts.StartTimeout = 60 * time.Second
	}
	if opts.InterruptGrace <= 0 {
		opts.InterruptGrace = 10 * time.Second
	}
	if opts.HeartbeatTimeout == 0 {
		opts.HeartbeatTimeout = 20 * time.Second
	}
	c := &Client{spec: spec, opts: opts, session: newID(), displays: newDisplays()}
	p, err := c.launch(ctx)
	if err != nil {
		return nil, err
	}
	c.p.Store(p)
	return c, nil
}

func (c *Client) logf(format string, args ...any) {
	if c.opts.Logf != nil {
		c.opts.Logf(format, args...)
	}
}

// Info returns the kernel's answer to kernel_info.
func (c *Client) Info() KernelInfo {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.info
}

// Rejected returns how many messages the client dropped because their
// signature did not verify.
func (c *Client) Rejected() int64 { return c.rejected.Load() }

// Pid returns the process id of the running kernel, 0 if none.
func (c *Client) Pid() int {
	if p := c.p.Load(); p != nil && p.cmd.Process != nil {
		return p.cmd.Process.Pid
	}
	return 0
}

// launch starts a kernel process and performs the handshake; it retries
// once with fresh ports when the process dies at once (a port taken in
// between).
func (c *Client) launch(ctx context.Context) (*proc, error) {
	var err error
	for range 3 {
		var p *proc
		p, err = c.launchOnce(ctx)
		if err == nil {
			return p, nil
		}
		var died *KernelDiedError
		if !errors.As(err, &died) || ctx.Err() != nil || !strings.Contains(died.Output, "listen") {
			return nil, err
		}
		c.logf("kernel died at start, retrying with other ports: %v", err)
	}
	return nil, err
}

func (c *Client) launchOnce(ctx context.Context) (*proc, error) {
	conn, err := NewConnectionInfo(c.spec.Name)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "gradbook-kernel-")
	if err != nil {
		return nil, err
	}
	connFile := filepath.Join(dir, "kernel-"+newID()+".json")
	if err := conn.WriteFile(connFile); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	argv, env := c.spec.command(connFile)
	argv = append(argv, c.opts.ExtraArgs...)
	for _, k := range sortedKeys(c.opts.Env) {
		env = append(env, k+"="+c.opts.Env[k])
	}
	if _, ok := c.spec.Env["TMPDIR"]; !ok && c.opts.Env["TMPDIR"] == "" {
		// The kernel's scratch files (GoNB's gonb_* folder) go with ours,
		// so that they go away with the kernel, even a killed one.
		env = append(env, "TMPDIR="+dir)
	}
	pctx, cancel := context.WithCancel(context.Background())
	p := &proc{
		conn: conn, dir: dir, out: &tail{max: 16 << 10},
		exited: make(chan struct{}), ctx: pctx, cancel: cancel,
		shellCh: make(chan *Message, 64), iopubCh: make(chan *Message, 4096), controlCh: make(chan *Message, 16),
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = env
	cmd.Dir = c.opts.Dir
	var w io.Writer = p.out
	if c.opts.KernelOutput != nil {
		w = io.MultiWriter(p.out, c.opts.KernelOutput)
	}
	cmd.Stdout, cmd.Stderr = w, w
	setProcessGroup(cmd)
	p.cmd = cmd
	if err := cmd.Start(); err != nil {
		cancel()
		os.RemoveAll(dir)
		return nil, fmt.Errorf("kernel: starting %s: %w", c.spec.Name, err)
	}
	c.logf("kernel %s started: pid %d, %s", c.spec.Name, cmd.Process.Pid, strings.Join(argv, " "))
	go func() {
		p.waitErr = cmd.Wait()
		close(p.exited)
	}()
	if err := c.connect(ctx, p); err != nil {
		c.stop(p, false)
		return nil, err
	}
	return p, nil
}

// connect dials the kernel's sockets and waits for the kernel_info handshake.
func (c *Client) connect(ctx context.Context, p *proc) error {
	ctx, cancel := context.WithTimeout(ctx, c.opts.StartTimeout)
	defer cancel()
	quiet := log.New(io.Discard, "", 0)
	common := []zmq4.Option{
		zmq4.WithLogger(quiet), zmq4.WithTimeout(10 * time.Second),
		zmq4.WithDialerRetry(50 * time.Millisecond), zmq4.WithDialerMaxRetries(-1),
	}
	id := zmq4.WithID(zmq4.SocketIdentity(c.session))
	p.shell = zmq4.NewDealer(p.ctx, append(common, id)...)
	p.stdin = zmq4.NewDealer(p.ctx, append(common, id)...)
	p.control = zmq4.NewDealer(p.ctx, common...)
	p.iopub = zmq4.NewSub(p.ctx, common...)
	p.hbSk = zmq4.NewReq(p.ctx, common...)
	dialed := make(chan error, 1)
	go func() {
		for _, d := range []struct {
			s    zmq4.Socket
			port int
		}{{p.iopub, p.conn.IOPubPort}, {p.shell, p.conn.ShellPort}, {p.control, p.conn.ControlPort}, {p.stdin, p.conn.StdinPort}, {p.hbSk, p.conn.HBPort}} {
			if err := d.s.Dial(p.conn.addr(d.port)); err != nil {
				dialed <- err
				return
			}
		}
		dialed <- p.iopub.SetOption(zmq4.OptionSubscribe, "")
	}()
	select {
	case err := <-dialed:
		if err != nil {
			return fmt.Errorf("kernel: connecting to %s: %w", c.spec.Name, err)
		}
	case <-p.exited:
		return c.diedError(p, "exited during start")
	case <-ctx.Done():
		return fmt.Errorf("kernel: %s did not open its ports within %v", c.spec.Name, c.opts.StartTimeout)
	}
	sig := signer{key: []byte(p.conn.Key)}
	if c.opts.verifyKey != nil {
		sig.key = c.opts.verifyKey
	}
	go c.read(p, p.shell, p.shellCh, sig, true)
	go c.read(p, p.iopub, p.iopubCh, sig, true)
	go c.read(p, p.control, p.controlCh, sig, false)
	go c.read(p, p.stdin, nil, sig, false)

	// kernel_info, resent (after 50 ms, 100 ms, ... up to each second) until
	// a reply and an IOPub status message for one of the requests came: then
	// shell and IOPub both work (a subscriber misses what is published
	// before its subscription arrives).
	sent := map[string]bool{}
	gotReply, gotStatus := false, false
	wait := 50 * time.Millisecond
	resend := time.NewTimer(wait)
	defer resend.Stop()
	send := func() error {
		m, err := newMessage(c.session, "kernel_info_request", struct{}{})
		if err != nil {
			return err
		}
		sent[m.Header.MsgID] = true
		return c.send(p, p.shell, m)
	}
	if err := send(); err != nil {
		return err
	}
	for !(gotReply && gotStatus) {
		select {
		case <-resend.C:
			if err := send(); err != nil {
				return err
			}
			wait = min(2*wait, time.Second)
			resend.Reset(wait)
		case m := <-p.shellCh:
			if m.Header.MsgType == "kernel_info_reply" && sent[m.ParentHeader.MsgID] {
				var info KernelInfo
				if err := json.Unmarshal(m.Content, &info); err != nil {
					return fmt.Errorf("kernel: bad kernel_info_reply: %w", err)
				}
				c.info = info
				gotReply = true
			}
		case m := <-p.iopubCh:
			if sent[m.ParentHeader.MsgID] {
				gotStatus = true
			}
		case <-p.exited:
			return c.diedError(p, "exited during start")
		case <-ctx.Done():
			msg := fmt.Sprintf("kernel: %s did not answer kernel_info within %v", c.spec.Name, c.opts.StartTimeout)
			if n := c.rejected.Load(); n > 0 {
				msg += fmt.Sprintf(" (%d messages with bad signatures rejected)", n)
			}
			if out := strings.TrimSpace(p.out.String()); out != "" {
				msg += "; its output:\n" + out
			}
			return errors.New(msg)
		}
	}
	p.lastBeat.Store(time.Now().UnixNano())
	go c.heartbeat(p)
	return nil
}

// send signs and sends m on socket s.
func (c *Client) send(p *proc, s zmq4.Socket, m *Message) error {
	frames, err := signer{key: []byte(p.conn.Key)}.encode(m)
	if err != nil {
		return err
	}
	p.sendMu.Lock()
	defer p.sendMu.Unlock()
	if err := s.SendMulti(zmq4.NewMsgFrom(frames...)); err != nil {
		return fmt.Errorf("kernel: sending %s: %w", m.Header.MsgType, err)
	}
	return nil
}

// read receives messages from s, drops those whose signature does not
// verify, and passes the others to ch (blocking when wait, dropping when ch
// is full otherwise; a nil ch discards).
func (c *Client) read(p *proc, s zmq4.Socket, ch chan *Message, sig signer, wait bool) {
	for {
		zm, err := s.Recv()
		if err != nil {
			if p.ctx.Err() != nil {
				return
			}
			select {
			case <-p.exited:
				return
			case <-time.After(20 * time.Millisecond):
			}
			continue
		}
		m, err := sig.decode(zm.Frames)
		if err != nil {
			if errors.Is(err, ErrBadSignature) {
				c.rejected.Add(1)
			}
			c.logf("dropped a message: %v", err)
			continue
		}
		if ch == nil {
			continue
		}
		if wait {
			select {
			case ch <- m:
			case <-p.ctx.Done():
				return
			}
		} else {
			select {
			case ch <- m:
			default:
			}
		}
	}
}

// heartbeat pings the kernel's heartbeat socket each second and records
// when it last answered. An unanswered ping gets a fresh socket.
func (c *Client) heartbeat(p *proc) {
	sk := p.hbSk
	for {
		select {
		case <-p.ctx.Done():
			return
		case <-time.After(time.Second):
		}
		if sk == nil {
			sk = zmq4.NewReq(p.ctx, zmq4.WithLogger(log.New(io.Discard, "", 0)), zmq4.WithTimeout(2*time.Second))
			if err := sk.Dial(p.conn.addr(p.conn.HBPort)); err != nil {
				sk.Close()
				sk = nil
				continue
			}
		}
		got := make(chan error, 1)
		go func(sk zmq4.Socket) {
			if err := sk.Send(zmq4.NewMsgString("ping")); err != nil {
				got <- err
				return
			}
			_, err := sk.Recv()
			got <- err
		}(sk)
		select {
		case err := <-got:
			if err == nil {
				p.lastBeat.Store(time.Now().UnixNano())
				continue
			}
		case <-time.After(5 * time.Second):
		case <-p.ctx.Done():
			return
		}
		sk.Close()
		sk = nil
	}
}

// heartbeatLost reports whether the kernel has not answered a heartbeat for
// longer than the timeout.
func (c *Client) heartbeatLost(p *proc) bool {
	return c.opts.HeartbeatTimeout > 0 && time.Since(time.Unix(0, p.lastBeat.Load())) > c.opts.HeartbeatTimeout
}

// diedError describes the death of p.
func (c *Client) diedError(p *proc, context string) *KernelDiedError {
	reason := context
	select {
	case <-p.exited:
		if p.waitErr != nil {
			reason = p.waitErr.Error()
		} else {
			reason = "exit status 0"
		}
		if context != "" {
			reason = context + ": " + reason
		}
	default:
	}
	return &KernelDiedError{Reason: reason, Output: p.out.String()}
}

// ExecOptions tune one Execute.
type ExecOptions struct {
	// Timeout limits the cell's run time; zero: no limit. A cell past its
	// timeout is interrupted (and, if it does not stop, the kernel is
	// restarted).
	Timeout time.Duration
	// Silent asks the kernel not to count the cell nor broadcast it.
	Silent bool
}

type executeRequest struct {
	Code            string         `json:"code"`
	Silent          bool           `json:"silent"`
	StoreHistory    bool           `json:"store_history"`
	UserExpressions map[string]any `json:"user_expressions"`
	AllowStdin      bool           `json:"allow_stdin"`
	StopOnError     bool           `json:"stop_on_error"`
}

// Execute runs code as one cell and collects its outputs. It returns the
// Result in all cases, with what was collected, and an error when the cell
// failed: a *CellError for an error the cell raised, a *TimeoutError, a
// *KernelDiedError (after which a fresh kernel runs, if it could be
// started), or the context's error.
func (c *Client) Execute(ctx context.Context, code string, opts ExecOptions) (*Result, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	res := &Result{}
	if c.closed {
		return res, ErrClosed
	}
	p := c.p.Load()
	select {
	case <-p.exited:
		return res, c.replace(ctx, p, c.diedError(p, "before the cell"))
	default:
	}
	start := time.Now()
	req, err := newMessage(c.session, "execute_request", executeRequest{
		Code: code, Silent: opts.Silent, StoreHistory: !opts.Silent,
		UserExpressions: map[string]any{}, StopOnError: true,
	})
	if err != nil {
		return res, err
	}
	if err := c.send(p, p.shell, req); err != nil {
		return res, err
	}
	outs := &outputs{displays: c.displays}
	c.remember(&cellRecord{msgID: req.Header.MsgID, outs: outs, res: res})
	var reply *errorContent
	var replyCount *int
	idle := false
	var timeout, grace <-chan time.Time
	if opts.Timeout > 0 {
		t := time.NewTimer(opts.Timeout)
		defer t.Stop()
		timeout = t.C
	}
	check := time.NewTicker(time.Second)
	defer check.Stop()
	done := ctx.Done()
	var stopErr error // why the cell was interrupted
	finish := func() {
		res.Outputs = outs.list
		res.Duration = time.Since(start)
		if replyCount != nil {
			res.ExecutionCount = *replyCount
		} else if outs.count != nil {
			res.ExecutionCount = *outs.count
		}
	}
	for reply == nil || !idle {
		select {
		case m := <-p.iopubCh:
			if m.ParentHeader.MsgID != req.Header.MsgID {
				c.late(m)
				continue
			}
			if m.Header.MsgType == "status" {
				var s struct {
					State string `json:"execution_state"`
				}
				if json.Unmarshal(m.Content, &s) == nil && s.State == "idle" {
					idle = true
				}
				continue
			}
			if err := outs.handle(m); err != nil {
				c.logf("%v", err)
			}
		case m := <-p.shellCh:
			if m.Header.MsgType != "execute_reply" || m.ParentHeader.MsgID != req.Header.MsgID {
				continue
			}
			var r errorContent
			if err := json.Unmarshal(m.Content, &r); err != nil {
				return res, fmt.Errorf("kernel: bad execute_reply: %w", err)
			}
			var n struct {
				ExecutionCount *int `json:"execution_count"`
			}
			json.Unmarshal(m.Content, &n)
			replyCount = n.ExecutionCount
			reply = &r
		case <-timeout:
			timeout = nil
			stopErr = &TimeoutError{Timeout: opts.Timeout}
			c.logf("cell timed out after %v; interrupting", opts.Timeout)
			c.interrupt(p)
			grace = time.After(c.opts.InterruptGrace)
		case <-done:
			done = nil
			if stopErr == nil {
				stopErr = ctx.Err()
			}
			c.interrupt(p)
			grace = time.After(c.opts.InterruptGrace)
		case <-grace:
			finish()
			c.logf("the cell did not stop %v after the interrupt; restarting the kernel", c.opts.InterruptGrace)
			var t *TimeoutError
			if errors.As(stopErr, &t) {
				t.Restarted = true
				t.RestartErr = c.restartLocked(context.WithoutCancel(ctx), p, false)
				return res, t
			}
			c.restartLocked(context.WithoutCancel(ctx), p, false)
			return res, stopErr
		case <-p.exited:
			c.drain(p, req.Header.MsgID, outs)
			finish()
			return res, c.replace(context.WithoutCancel(ctx), p, c.diedError(p, ""))
		case <-check.C:
			if c.heartbeatLost(p) {
				finish()
				return res, c.replace(context.WithoutCancel(ctx), p, &KernelDiedError{
					Reason: fmt.Sprintf("no heartbeat for %v", c.opts.HeartbeatTimeout), Output: p.out.String()})
			}
		}
	}
	finish()
	res.Status = reply.Status
	if stopErr != nil {
		return res, stopErr
	}
	switch reply.Status {
	case "ok":
		return res, nil
	case "aborted":
		return res, &CellError{EName: "aborted", EValue: "the kernel aborted the cell"}
	}
	e := &CellError{EName: reply.EName, EValue: reply.EValue, Traceback: reply.Traceback}
	// The error output, when there is one, is what the user saw.
	for _, o := range res.Outputs {
		if o.Type == ipynb.Error {
			e = &CellError{EName: o.EName, EValue: o.EValue, Traceback: o.Traceback}
		}
	}
	return res, e
}

// cellRecord is a cell the client ran, kept for outputs that come late.
type cellRecord struct {
	msgID string
	outs  *outputs
	res   *Result
}

// remember records a cell, keeping the last 16.
func (c *Client) remember(r *cellRecord) {
	c.recent = append(c.recent, r)
	if len(c.recent) > 16 {
		c.recent = c.recent[len(c.recent)-16:]
	}
}

// late applies an IOPub message that does not belong to the running cell:
// an output of an earlier cell goes to that cell's Result, and a display
// update applies wherever the display is.
func (c *Client) late(m *Message) {
	switch m.Header.MsgType {
	case "status", "execute_input":
		return
	}
	for _, r := range c.recent {
		if r.msgID == m.ParentHeader.MsgID {
			if err := r.outs.handle(m); err != nil {
				c.logf("%v", err)
			}
			r.res.Outputs = r.outs.list
			return
		}
	}
	if m.Header.MsgType == "update_display_data" {
		(&outputs{displays: c.displays}).handle(m)
	}
}

// Settle applies the IOPub messages that still arrive for cells that
// already ended, until none came for the quiet period (or ctx ends). Call
// it after the last cell when the outputs must be complete.
func (c *Client) Settle(ctx context.Context, quiet time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p := c.p.Load()
	if c.closed || p == nil {
		return
	}
	t := time.NewTimer(quiet)
	defer t.Stop()
	for {
		select {
		case m := <-p.iopubCh:
			c.late(m)
			t.Reset(quiet)
		case <-t.C:
			return
		case <-ctx.Done():
			return
		case <-p.exited:
			return
		}
	}
}

// drain applies the IOPub messages of the cell that are still arriving
// after the kernel's death, until none came for a moment.
func (c *Client) drain(p *proc, msgID string, outs *outputs) {
	quiet := time.NewTimer(100 * time.Millisecond)
	defer quiet.Stop()
	for {
		select {
		case m := <-p.iopubCh:
			if m.ParentHeader.MsgID == msgID && m.Header.MsgType != "status" {
				outs.handle(m)
			}
			quiet.Reset(100 * time.Millisecond)
		case <-quiet.C:
			return
		}
	}
}

// replace restarts the kernel after its death and returns died, with the
// outcome of the restart recorded in it.
func (c *Client) replace(ctx context.Context, p *proc, died *KernelDiedError) error {
	c.logf("%v", died)
	died.RestartErr = c.restartLocked(ctx, p, false)
	died.Restarted = died.RestartErr == nil
	return died
}

// interrupt asks the kernel to interrupt the running cell, as its
// kernelspec's interrupt_mode says: an interrupt_request message, or
// SIGINT.
func (c *Client) interrupt(p *proc) error {
	if c.spec.InterruptMode == "message" {
		m, err := newMessage(c.session, "interrupt_request", struct{}{})
		if err != nil {
			return err
		}
		return c.send(p, p.control, m)
	}
	return interruptProcess(p.cmd)
}

// Interrupt interrupts the cell that is running, if any.
func (c *Client) Interrupt() error {
	p := c.p.Load()
	if p == nil {
		return ErrClosed
	}
	return c.interrupt(p)
}

// Restart stops the kernel and starts a fresh one.
func (c *Client) Restart(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return ErrClosed
	}
	return c.restartLocked(ctx, c.p.Load(), true)
}

// restartLocked replaces the kernel old with a fresh one; graceful asks old
// to shut down first, else it is killed.
func (c *Client) restartLocked(ctx context.Context, old *proc, graceful bool) error {
	c.stop(old, graceful)
	c.displays = newDisplays()
	c.recent = nil
	p, err := c.launch(ctx)
	if err != nil {
		return err
	}
	c.p.Store(p)
	return nil
}

// Shutdown asks the kernel to shut down, waits for it to exit (killing it
// if it does not within a few seconds) and releases everything the client
// holds. GoNB does not always answer shutdown_request: the client does not
// wait for the reply, only for the process.
func (c *Client) Shutdown() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true
	if p := c.p.Load(); p != nil {
		c.stop(p, true)
	}
	return nil
}

// stop ends p: when graceful, politely (shutdown_request), then with
// SIGTERM; then with SIGKILL to the kernel's process group. It removes the
// kernel's files.
func (c *Client) stop(p *proc, graceful bool) {
	alive := func() bool {
		select {
		case <-p.exited:
			return false
		default:
			return true
		}
	}
	wait := func(d time.Duration) bool {
		select {
		case <-p.exited:
			return true
		case <-time.After(d):
			return false
		}
	}
	if graceful && alive() && p.shell != nil {
		if m, err := newMessage(c.session, "shutdown_request", map[string]bool{"restart": false}); err == nil {
			if c.send(p, p.control, m) == nil {
				wait(5 * time.Second)
			}
		}
	}
	if alive() && graceful {
		terminateProcess(p.cmd)
		wait(3 * time.Second)
	}
	if alive() {
		killProcess(p.cmd)
		wait(5 * time.Second)
	}
	killProcess(p.cmd) // the cell's own processes, if any are left
	p.cancel()
	for _, s := range []zmq4.Socket{p.shell, p.control, p.stdin, p.iopub, p.hbSk} {
		if s != nil {
			s.Close()
		}
	}
	os.RemoveAll(p.dir)
}

// tail keeps the last max bytes written to it.
type tail struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tail) Write(b []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, b...)
	if len(t.buf) > t.max {
		t.buf = append([]byte(nil), t.buf[len(t.buf)-t.max:]...)
	}
	return len(b), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}
