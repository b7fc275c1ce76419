//go:build unix

package kernel

import (
	"context"
	"errors"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gradbook/gradbook/kernel/ipynb"
)

// fakeSpec is the kernelspec of the fake kernel.
func fakeSpec(t *testing.T, interruptMode string) *Spec {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return &Spec{
		Name:          "fake",
		Argv:          []string{exe, "-test.run=^$", "{connection_file}"},
		DisplayName:   "Fake",
		Language:      "fake",
		InterruptMode: interruptMode,
		Env:           map[string]string{"GRADBOOK_FAKE_KERNEL": "1"},
	}
}

// startFake starts the fake kernel (see fakekernel_test.go).
func startFake(t *testing.T, mode string, opts Options) *Client {
	t.Helper()
	opts.Logf = t.Logf
	c, err := Start(context.Background(), fakeSpec(t, mode), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Shutdown() })
	return c
}

func exec1(t *testing.T, c *Client, code string) (*Result, error) {
	t.Helper()
	return c.Execute(context.Background(), code, ExecOptions{Timeout: 20 * time.Second})
}

func TestFakeOutputs(t *testing.T) {
	t.Parallel()
	c := startFake(t, "message", Options{})
	if info := c.Info(); info.Implementation != "fake" || info.LanguageInfo.Name != "fake" {
		t.Errorf("kernel info %+v", info)
	}
	res, err := exec1(t, c, "print a\nprint b\nstderr c\nprint d\ndisplay d1 one\nresult 42")
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != "ok" || res.ExecutionCount != 1 {
		t.Errorf("status %q count %d", res.Status, res.ExecutionCount)
	}
	want := []string{"stream stdout a\nb\n", "stream stderr c\n", "stream stdout d\n", "display_data one", "execute_result 42"}
	if got := summarize(res.Outputs); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("outputs %q, want %q", got, want)
	}
	if res.Outputs[3].DisplayID != "d1" {
		t.Errorf("display id %q", res.Outputs[3].DisplayID)
	}

	// update_display_data changes the output of the earlier cell, as in a
	// notebook, and one of this cell.
	res2, err := exec1(t, c, "display d2 x\nupdate d1 ONE\nupdate d2 X\nupdate nosuch Z")
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Outputs[3].PlainText(); got != "ONE" {
		t.Errorf("earlier cell's display shows %q, want ONE", got)
	}
	if got := summarize(res2.Outputs); len(got) != 1 || got[0] != "display_data X" {
		t.Errorf("second cell outputs %q", got)
	}

	// clear_output: now, and at the next output.
	res3, _ := exec1(t, c, "print gone\nclear\nprint kept\nclearwait\nprint last")
	if got := summarize(res3.Outputs); len(got) != 1 || got[0] != "stream stdout last\n" {
		t.Errorf("after clear_output: %q", got)
	}
}

func summarize(outs []*ipynb.Output) []string {
	var s []string
	for _, o := range outs {
		switch o.Type {
		case ipynb.Stream:
			s = append(s, "stream "+o.Name+" "+o.Text)
		case ipynb.Error:
			s = append(s, "error "+o.EName+" "+o.EValue)
		default:
			s = append(s, o.Type+" "+o.PlainText())
		}
	}
	return s
}

func TestFakeCellError(t *testing.T) {
	t.Parallel()
	c := startFake(t, "message", Options{})
	res, err := exec1(t, c, "print before\nerror ValueError bad value")
	var ce *CellError
	if !errors.As(err, &ce) || ce.EName != "ValueError" || ce.EValue != "bad value" || len(ce.Traceback) != 2 {
		t.Fatalf("error %v (%T), want the cell's ValueError", err, err)
	}
	if res.Status != "error" || len(res.Outputs) != 2 {
		t.Errorf("status %q outputs %q", res.Status, summarize(res.Outputs))
	}
	if _, err := exec1(t, c, "print after"); err != nil {
		t.Errorf("the kernel does not go on after a cell error: %v", err)
	}
}

func TestFakeRejectsBadSignatures(t *testing.T) {
	t.Parallel()
	c := startFake(t, "message", Options{InterruptGrace: 500 * time.Millisecond})
	res, err := exec1(t, c, "print real\nforge FORGED")
	if err != nil {
		t.Fatal(err)
	}
	// The forged stream and the forged execute_reply (count 99) were dropped.
	if got := summarize(res.Outputs); len(got) != 1 || got[0] != "stream stdout real\n" {
		t.Errorf("outputs %q: a forged message got through", got)
	}
	if res.ExecutionCount != 1 {
		t.Errorf("execution count %d: the forged reply was used", res.ExecutionCount)
	}
	if n := c.Rejected(); n != 2 {
		t.Errorf("%d messages rejected, want 2", n)
	}

	// A kernel that signs everything with another key: nothing it sends is
	// accepted, and the cell ends by its timeout, not by a forged reply.
	res, err = c.Execute(context.Background(), "badsig\nprint unsigned", ExecOptions{Timeout: 1500 * time.Millisecond})
	var te *TimeoutError
	if !errors.As(err, &te) || len(res.Outputs) != 0 {
		t.Errorf("kernel with the wrong key: err %v, outputs %q; want a timeout and nothing", err, summarize(res.Outputs))
	}
}

func TestFakeWrongKeyHandshakeFails(t *testing.T) {
	t.Parallel()
	// The client verifies with a key the kernel does not have: the
	// handshake cannot succeed, and the error says why.
	_, err := Start(context.Background(), fakeSpec(t, "message"), Options{StartTimeout: 1500 * time.Millisecond, verifyKey: []byte("wrong")})
	if err == nil || !strings.Contains(err.Error(), "bad signatures rejected") {
		t.Fatalf("Start = %v, want a failed handshake that reports rejected signatures", err)
	}
}

func TestFakeTimeoutInterrupts(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"message", "signal"} {
		t.Run(mode, func(t *testing.T) {
			if mode == "signal" {
				// The fake kernel stops on SIGINT; a signal-mode
				// interrupt of a cell thus ends the kernel, and the
				// client restarts it.
				c := startFake(t, mode, Options{InterruptGrace: 2 * time.Second})
				_, err := c.Execute(context.Background(), "sleep 1h", ExecOptions{Timeout: 300 * time.Millisecond})
				if err == nil {
					t.Fatal("no error")
				}
				if _, err := exec1(t, c, "print ok"); err != nil {
					t.Errorf("after the interrupt: %v", err)
				}
				return
			}
			c := startFake(t, mode, Options{})
			pid := c.Pid()
			start := time.Now()
			res, err := c.Execute(context.Background(), "print started\nsleep 1h", ExecOptions{Timeout: 300 * time.Millisecond})
			var te *TimeoutError
			if !errors.As(err, &te) || te.Restarted {
				t.Fatalf("err %v, want a TimeoutError without restart", err)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("the timeout took %v", d)
			}
			if got := summarize(res.Outputs); len(got) != 2 || got[0] != "stream stdout started\n" || !strings.HasPrefix(got[1], "error Interrupted") {
				t.Errorf("outputs %q", got)
			}
			if _, err := exec1(t, c, "print ok"); err != nil || c.Pid() != pid {
				t.Errorf("after the interrupt: %v, pid %d -> %d; want the same kernel", err, pid, c.Pid())
			}
		})
	}
}

func TestFakeHangRestarts(t *testing.T) {
	t.Parallel()
	c := startFake(t, "message", Options{InterruptGrace: 500 * time.Millisecond})
	pid := c.Pid()
	_, err := c.Execute(context.Background(), "hang", ExecOptions{Timeout: 300 * time.Millisecond})
	var te *TimeoutError
	if !errors.As(err, &te) || !te.Restarted || te.RestartErr != nil {
		t.Fatalf("err %v, want a TimeoutError with a restart", err)
	}
	if c.Pid() == pid {
		t.Error("same kernel process after the restart")
	}
	if syscall.Kill(pid, 0) == nil {
		t.Errorf("the hung kernel %d is still alive", pid)
	}
	if _, err := exec1(t, c, "print ok"); err != nil {
		t.Errorf("after the restart: %v", err)
	}
}

func TestFakeCrashReportedAndRestarted(t *testing.T) {
	t.Parallel()
	c := startFake(t, "message", Options{})
	exec1(t, c, "print one")
	pid := c.Pid()
	res, err := exec1(t, c, "print before the crash\ncrash")
	var died *KernelDiedError
	if !errors.As(err, &died) || !died.Restarted || !strings.Contains(died.Reason, "exit status 3") ||
		!strings.Contains(died.Output, "crashing as asked") {
		t.Fatalf("err %#v, want a KernelDiedError with the exit status, the kernel's output and a restart", err)
	}
	if got := summarize(res.Outputs); len(got) != 1 {
		t.Errorf("outputs before the crash: %q", got)
	}
	if c.Pid() == pid {
		t.Error("not restarted")
	}
	res, err = exec1(t, c, "print again")
	if err != nil || res.ExecutionCount != 1 {
		t.Errorf("after the restart: %v, count %d (want 1: a fresh kernel)", err, res.ExecutionCount)
	}

	// Killed between cells: the next Execute reports it and restarts.
	pid = c.Pid()
	syscall.Kill(pid, syscall.SIGKILL)
	time.Sleep(200 * time.Millisecond)
	_, err = exec1(t, c, "print x")
	if !errors.As(err, &died) || !died.Restarted {
		t.Errorf("err %v, want a KernelDiedError", err)
	}
	if _, err := exec1(t, c, "print y"); err != nil {
		t.Errorf("after the restart: %v", err)
	}
}

func TestFakeHeartbeat(t *testing.T) {
	t.Parallel()
	c := startFake(t, "message", Options{HeartbeatTimeout: time.Second})
	pid := c.Pid()
	// A stopped process answers nothing: the heartbeat notices.
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // kill returns before the process stops
	defer syscall.Kill(pid, syscall.SIGCONT)
	start := time.Now()
	_, err := c.Execute(context.Background(), "print x", ExecOptions{Timeout: 30 * time.Second})
	var died *KernelDiedError
	if !errors.As(err, &died) || !strings.Contains(died.Reason, "heartbeat") {
		t.Fatalf("err %v, want a lost heartbeat", err)
	}
	if d := time.Since(start); d > 6*time.Second {
		t.Errorf("took %v to notice and restart", d)
	}
	if _, err := exec1(t, c, "print y"); err != nil {
		t.Errorf("after the restart: %v", err)
	}
}

func TestFakeShutdownWithoutReply(t *testing.T) {
	t.Parallel()
	c := startFake(t, "message", Options{})
	pid := c.Pid()
	p := c.p.Load()
	start := time.Now()
	if err := c.Shutdown(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 4*time.Second {
		t.Errorf("shutdown took %v", d)
	}
	if syscall.Kill(pid, 0) == nil {
		t.Error("kernel still running")
	}
	if _, err := os.Stat(p.dir); !os.IsNotExist(err) {
		t.Errorf("connection folder %s left behind", p.dir)
	}
	if _, err := exec1(t, c, "print x"); !errors.Is(err, ErrClosed) {
		t.Errorf("Execute after Shutdown: %v", err)
	}
	if err := c.Shutdown(); err != nil {
		t.Errorf("second Shutdown: %v", err)
	}
}

func TestFakeContextCancel(t *testing.T) {
	t.Parallel()
	c := startFake(t, "message", Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Execute(ctx, "sleep 1h", ExecOptions{})
	t.Logf("cancelled cell returned after %v", time.Since(start))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err %v, want the context's", err)
	}
	start = time.Now()
	if _, err := exec1(t, c, "print ok"); err != nil {
		t.Errorf("after the cancel: %v", err)
	}
	t.Logf("next cell %v", time.Since(start))
	start = time.Now()
	c.Shutdown()
	t.Logf("shutdown %v", time.Since(start))
}

func TestFakeRunNotebook(t *testing.T) {
	t.Parallel()
	c := startFake(t, "message", Options{})
	nb := ipynb.New()
	nb.Cells = []*ipynb.Cell{
		{Type: ipynb.Markdown, Source: "# T"},
		{Type: ipynb.Code, Source: "print one\ndisplay d old", Outputs: []*ipynb.Output{{Type: ipynb.Stream, Name: "stdout", Text: "stale"}}},
		{Type: ipynb.Code, Source: "  \n"},
		{Type: ipynb.Code, Source: "update d new\nlate tardy"},
		{Type: ipynb.Code, Source: "error E boom"},
		{Type: ipynb.Code, Source: "print never", Outputs: []*ipynb.Output{{Type: ipynb.Stream, Name: "stdout", Text: "stale"}}},
	}
	var events []string
	err := RunNotebook(context.Background(), c, nb, RunOptions{Timeout: 10 * time.Second, Progress: func(p Progress) {
		if p.Done {
			events = append(events, "done")
		} else {
			events = append(events, p.Source)
		}
	}})
	var ne *NotebookError
	if !errors.As(err, &ne) || ne.Cell != 4 || ne.N != 4 || ne.Source != "error E boom" {
		t.Fatalf("err %v, want cell 5 (the 4th code cell)", err)
	}
	if got := summarize(nb.Cells[1].Outputs); len(got) != 2 || got[0] != "stream stdout one\n" || got[1] != "display_data new" {
		t.Errorf("cell 2 outputs %q (the display must show the update of cell 4)", got)
	}
	if nb.Cells[2].ExecutionCount != nil || nb.Cells[5].Outputs != nil || nb.Cells[5].ExecutionCount != nil {
		t.Error("a blank cell or one after the failure has outputs or a count")
	}
	if got := summarize(nb.Cells[3].Outputs); len(got) != 1 || got[0] != "stream stdout tardy\n" {
		t.Errorf("cell 4 outputs %q, want the output that came after its reply", got)
	}
	if *nb.Cells[4].ExecutionCount != 3 {
		t.Errorf("failing cell's count %d", *nb.Cells[4].ExecutionCount)
	}
	if len(events) != 6 {
		t.Errorf("progress events %q", events)
	}
	ks, _ := nb.Metadata["kernelspec"].(map[string]any)
	if ks["name"] != "fake" {
		t.Errorf("kernelspec metadata %v", nb.Metadata)
	}
}

func TestFakeLateOutputs(t *testing.T) {
	t.Parallel()
	c := startFake(t, "message", Options{})
	res, err := exec1(t, c, "print on time\nlate after idle")
	if err != nil {
		t.Fatal(err)
	}
	// The late output arrives while the next cell runs, or in Settle.
	exec1(t, c, "print next")
	c.Settle(context.Background(), 50*time.Millisecond)
	if got := summarize(res.Outputs); len(got) != 1 || got[0] != "stream stdout on time\nafter idle\n" {
		t.Errorf("outputs %q, want the late output appended", got)
	}
	res, _ = exec1(t, c, "late last")
	c.Settle(context.Background(), 100*time.Millisecond)
	if got := summarize(res.Outputs); len(got) != 1 || got[0] != "stream stdout last\n" {
		t.Errorf("outputs %q after Settle", got)
	}
}
