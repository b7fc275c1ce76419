//go:build unix

package kernel

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-zeromq/zmq4"
)

// Protocol tests against the real GoNB kernel, built from the module proxy
// into gradbook's cache ($GRADBOOK_CACHE or the user cache folder) when it
// is not there yet: about a minute the first time. They need go, not
// Jupyter. -short skips them.

var (
	gonbOnce sync.Once
	gonbInst *Installation
	gonbErr  error
)

// gonbSpec returns the kernelspec of gradbook's GoNB kernel, building it if
// needed; it writes no kernelspec.
func gonbSpec(t *testing.T) *Spec {
	t.Helper()
	if testing.Short() {
		t.Skip("slow: builds and runs the GoNB kernel")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	gonbOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		gonbInst, gonbErr = Prepare(ctx, InstallOptions{Log: testLog{}})
	})
	if gonbErr != nil {
		t.Fatal(gonbErr)
	}
	return gonbInst.Spec
}

type testLog struct{}

func (testLog) Write(b []byte) (int, error) { os.Stderr.Write(b); return len(b), nil }

func startGoNB(t *testing.T, opts Options) *Client {
	t.Helper()
	spec := gonbSpec(t)
	opts.Logf = t.Logf
	opts.ExtraArgs = append(opts.ExtraArgs, "--raw_error")
	c, err := Start(context.Background(), spec, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Shutdown() })
	return c
}

func gonbRun(t *testing.T, c *Client, code string) *Result {
	t.Helper()
	res, err := c.Execute(context.Background(), code, ExecOptions{Timeout: 2 * time.Minute})
	if err != nil {
		t.Fatalf("cell %q: %v", code, err)
	}
	return res
}

func stdout(res *Result) string {
	var b strings.Builder
	for _, o := range res.Outputs {
		if o.Type == "stream" && o.Name == "stdout" {
			b.WriteString(o.Text)
		}
	}
	return b.String()
}

func TestGoNBCells(t *testing.T) {
	c := startGoNB(t, Options{})
	if info := c.Info(); info.Implementation != "gonb" || info.LanguageInfo.Name != "go" {
		t.Errorf("kernel info %+v", info)
	}
	if got := stdout(gonbRun(t, c, "%%\nfmt.Println(\"hello\")")); got != "hello\n" {
		t.Errorf("stdout %q", got)
	}
	// gradbook's packages import with no setup (--go_work), and
	// declarations carry over from cell to cell.
	gonbRun(t, c, "import \"github.com/gradbook/gradbook/dl\"\n\nvar x = dl.Scalar(2)")
	if got := stdout(gonbRun(t, c, "%%\nfmt.Println(x.Mul(dl.Scalar(3)))")); strings.TrimSpace(got) != "6" {
		t.Errorf("dl cell printed %q, want 6", got)
	}
	// A compile error and a panic are cell errors.
	res, err := c.Execute(context.Background(), "%%\nfmt.Println(undefinedThing)", ExecOptions{Timeout: time.Minute})
	var ce *CellError
	if !errors.As(err, &ce) || !strings.Contains(strings.Join(ce.Traceback, "\n")+ce.EValue, "undefined: undefinedThing") || res.Status != "error" {
		t.Errorf("compile error: %v", err)
	}
	res, err = c.Execute(context.Background(), "%%\npanic(\"boom\")", ExecOptions{Timeout: time.Minute})
	if !errors.As(err, &ce) {
		t.Errorf("panic: %v", err)
	}
	stderr := ""
	for _, o := range res.Outputs {
		if o.Name == "stderr" {
			stderr += o.Text
		}
	}
	if !strings.Contains(stderr, "panic: boom") {
		t.Errorf("panic's stderr %q", stderr)
	}
}

func TestGoNBBadSignatureRejected(t *testing.T) {
	spec := gonbSpec(t)
	// The client verifies GoNB's messages: with another key it accepts
	// none, so the handshake fails and says why.
	_, err := Start(context.Background(), spec, Options{StartTimeout: 3 * time.Second, verifyKey: []byte("not the key"), Logf: t.Logf})
	if err == nil || !strings.Contains(err.Error(), "bad signatures rejected") {
		t.Errorf("Start with a wrong verification key = %v, want a failed handshake with rejected signatures", err)
	}

	// GoNB verifies ours: a request signed with another key does not run.
	// (GoNB then stops the kernel; the client reports that and restarts.)
	c := startGoNB(t, Options{})
	marker := filepath.Join(t.TempDir(), "forged-cell-ran")
	p := c.p.Load()
	forged, _ := newMessage(c.session, "execute_request", executeRequest{Code: "!touch " + marker, UserExpressions: map[string]any{}})
	frames, _ := signer{key: []byte("not the key")}.encode(forged)
	if err := p.shell.SendMulti(zmq4.NewMsgFrom(frames...)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * time.Second)
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("GoNB ran a cell whose request had a bad signature")
	}
	res, err := c.Execute(context.Background(), "%%\nfmt.Println(\"after\")", ExecOptions{Timeout: time.Minute})
	var died *KernelDiedError
	if err != nil && !(errors.As(err, &died) && died.Restarted) {
		t.Fatalf("after the forged request: %v", err)
	}
	if err != nil {
		t.Logf("GoNB stopped on the forged request: %v", died.Reason)
		res = gonbRun(t, c, "%%\nfmt.Println(\"after\")")
	}
	if stdout(res) != "after\n" {
		t.Errorf("stdout %q", stdout(res))
	}
}

func TestGoNBTimeoutInterrupts(t *testing.T) {
	c := startGoNB(t, Options{})
	gonbRun(t, c, "var kept = 7")
	pid := c.Pid()
	start := time.Now()
	res, err := c.Execute(context.Background(), "%%\nfmt.Println(\"sleeping\")\ntime.Sleep(time.Hour)", ExecOptions{Timeout: 4 * time.Second})
	var te *TimeoutError
	if !errors.As(err, &te) || te.Restarted {
		t.Fatalf("err %v, want a TimeoutError without a restart", err)
	}
	if d := time.Since(start); d > 15*time.Second {
		t.Errorf("the interrupted cell took %v", d)
	}
	if stdout(res) != "sleeping\n" {
		t.Errorf("output before the timeout: %q", stdout(res))
	}
	if got := stdout(gonbRun(t, c, "%%\nfmt.Println(kept)")); got != "7\n" || c.Pid() != pid {
		t.Errorf("after the interrupt: %q, pid %d -> %d; want 7 from the same kernel", got, pid, c.Pid())
	}
}

func TestGoNBCrashReportedAndRestarted(t *testing.T) {
	c := startGoNB(t, Options{})
	gonbRun(t, c, "var lost = 1")
	pid := c.Pid()
	// A shell cell's parent is the kernel itself.
	_, err := c.Execute(context.Background(), "!kill -9 $PPID", ExecOptions{Timeout: time.Minute})
	var died *KernelDiedError
	if !errors.As(err, &died) || !died.Restarted || !strings.Contains(died.Reason, "killed") {
		t.Fatalf("err %v, want a KernelDiedError (killed) and a restart", err)
	}
	if c.Pid() == pid || c.Pid() == 0 {
		t.Errorf("pid %d -> %d", pid, c.Pid())
	}
	if got := stdout(gonbRun(t, c, "%%\nfmt.Println(\"alive\")")); got != "alive\n" {
		t.Errorf("after the restart: %q", got)
	}
	// The state went with the old kernel.
	if _, err := c.Execute(context.Background(), "%%\nfmt.Println(lost)", ExecOptions{Timeout: time.Minute}); err == nil {
		t.Error("a variable survived the crash")
	}
}

func TestGoNBDisplayUpdates(t *testing.T) {
	c := startGoNB(t, Options{})
	// gonbui comes from the module cache (the kernel runs with GOPROXY=off).
	gonbRun(t, c, "import \"github.com/janpfeifer/gonb/gonbui\"\n\nvar id = \"gradbook-test-display\"")
	first := gonbRun(t, c, "%%\ngonbui.UpdateHTML(id, \"<b>one</b>\")\ngonbui.UpdateHTML(id, \"<b>two</b>\")\ngonbui.DisplayHTML(\"<i>plain</i>\")\ngonbui.Sync()")
	if len(first.Outputs) != 2 {
		for _, o := range first.Outputs {
			t.Logf("output %+v", *o)
		}
		t.Fatalf("%d outputs, want the display and the plain HTML", len(first.Outputs))
	}
	shown, plain := first.Outputs[0], first.Outputs[1]
	if shown.Type != "display_data" || shown.DisplayID != testDisplayID || shown.Data["text/html"] != "<b>two</b>" {
		t.Errorf("display %+v, want <b>two</b> with id %s", shown, testDisplayID)
	}
	if plain.Type != "display_data" || plain.Data["text/html"] != "<i>plain</i>" {
		t.Errorf("plain display %+v", plain)
	}
	// A later cell updates the earlier cell's output.
	second := gonbRun(t, c, "%%\ngonbui.UpdateHTML(id, \"<b>three</b>\")")
	if len(second.Outputs) != 0 {
		t.Errorf("the update made outputs in the second cell: %+v", second.Outputs)
	}
	if shown.Data["text/html"] != "<b>three</b>" {
		t.Errorf("the first cell's display shows %v, want <b>three</b>", shown.Data["text/html"])
	}
}

const testDisplayID = "gradbook-test-display"

// Benchmarks of the kernel set-up (go test -run ^$ -bench GoNB ./kernel):
// the time to start the kernel and the latency of small cells, with the
// kernelspec's GOPROXY=off and, for comparison, with GoNB's per-cell
// "go get" reaching the module proxy.

func BenchmarkGoNBStart(b *testing.B) {
	spec := gonbSpecB(b)
	for b.Loop() {
		c, err := Start(context.Background(), spec, Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		c.Shutdown()
		b.StartTimer()
	}
}

func BenchmarkGoNBCell(b *testing.B) {
	spec := gonbSpecB(b)
	proxy, _ := goEnv(context.Background(), "GOPROXY")
	for _, setup := range []struct {
		name string
		env  map[string]string
	}{{"proxyoff", nil}, {"autoget", map[string]string{"GOPROXY": proxy[0]}}} {
		for _, cell := range []struct{ name, setup, code string }{
			{"bare", "", "%%\nfmt.Println(1)"},
			{"dl", "import \"github.com/gradbook/gradbook/dl\"", "%%\nfmt.Println(dl.Scalar(2).Mul(dl.Scalar(3)))"},
		} {
			b.Run(setup.name+"/"+cell.name, func(b *testing.B) {
				c, err := Start(context.Background(), spec, Options{Env: setup.env})
				if err != nil {
					b.Fatal(err)
				}
				defer c.Shutdown()
				for _, code := range []string{cell.setup, cell.code} { // warm up
					if code != "" {
						if _, err := c.Execute(context.Background(), code, ExecOptions{}); err != nil {
							b.Fatal(err)
						}
					}
				}
				// Each cell differs from the last (a new constant), as cells
				// do: an unchanged program would not be linked again.
				n := 0
				for b.Loop() {
					n++
					code := strings.Replace(cell.code, "%%\n", fmt.Sprintf("%%%%\nconst n = %d\n_ = n\n", n), 1)
					if _, err := c.Execute(context.Background(), code, ExecOptions{}); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func gonbSpecB(b *testing.B) *Spec {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	gonbOnce.Do(func() { gonbInst, gonbErr = Prepare(ctx, InstallOptions{}) })
	if gonbErr != nil {
		b.Fatal(gonbErr)
	}
	return gonbInst.Spec
}
