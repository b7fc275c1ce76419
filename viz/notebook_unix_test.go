//go:build unix

package viz_test

import (
	"bytes"
	"context"
	"encoding/gob"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/janpfeifer/gonb/gonbui/protocol"
)

// fakeKernel is GoNB's side of the named pipes: it decodes the display
// messages the cell sends and acknowledges gonbui.Sync requests, as GoNB
// v0.11.4's internal/jpyexec does.
type fakeKernel struct {
	mu   sync.Mutex
	msgs []protocol.DisplayData
	errs []error
}

func (k *fakeKernel) serve(pipe, back string, done chan<- struct{}) {
	defer close(done)
	r, err := os.Open(pipe) // waits for the cell to open it for writing
	if err != nil {
		k.fail(err)
		return
	}
	defer r.Close()
	w, err := os.OpenFile(back, os.O_WRONLY, 0) // waits for the cell to open it for reading
	if err != nil {
		k.fail(err)
		return
	}
	defer w.Close()
	dec, enc := gob.NewDecoder(r), gob.NewEncoder(w)
	for {
		var d protocol.DisplayData
		if err := dec.Decode(&d); err != nil {
			return // EOF: the cell ended
		}
		if v, ok := d.Data[protocol.MIMECommValue]; ok {
			cv, ok := v.(protocol.CommValue)
			if ok && cv.Address == protocol.GonbuiSyncAddress {
				if err := enc.Encode(&protocol.CommValue{Address: protocol.GonbuiSyncAckAddress, Value: cv.Value}); err != nil {
					k.fail(err)
				}
			}
			continue
		}
		k.mu.Lock()
		k.msgs = append(k.msgs, d)
		k.mu.Unlock()
	}
}

func (k *fakeKernel) fail(err error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.errs = append(k.errs, err)
}

func TestNotebookDisplay(t *testing.T) {
	dir := t.TempDir()
	pipe, back := filepath.Join(dir, "gonb_pipe"), filepath.Join(dir, "gonb_pipe_back")
	for _, p := range []string{pipe, back} {
		if err := syscall.Mkfifo(p, 0o600); err != nil {
			t.Skipf("no named pipes here: %v", err)
		}
	}
	k := &fakeKernel{}
	done := make(chan struct{})
	go k.serve(pipe, back, done)

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "VIZ_TEST_CELL=1", "GONB_PIPE="+pipe, "GONB_PIPE_BACK="+back)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	// If the cell never opened the pipes, the kernel still waits in its
	// opens: open the other ends (without blocking) until it is through.
	for waiting := true; waiting; {
		select {
		case <-done:
			waiting = false
		case <-time.After(20 * time.Millisecond):
			if f, err := os.OpenFile(pipe, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
				f.Close()
			}
			if f, err := os.OpenFile(back, os.O_RDONLY|syscall.O_NONBLOCK, 0); err == nil {
				f.Close()
			}
		case <-ctx.Done():
			t.Fatal("the fake kernel did not finish")
		}
	}
	if err != nil {
		t.Fatalf("cell failed: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	if !strings.Contains(stdout.String(), "cell done") {
		t.Errorf("cell's stdout = %q, want it to end with \"cell done\"", stdout.String())
	}
	if strings.Contains(stderr.String(), "samples/s") {
		t.Errorf("the terminal progress bar drew in a notebook:\n%s", stderr.String())
	}
	if len(k.errs) > 0 {
		t.Fatalf("fake kernel: %v", k.errs)
	}

	var shown, live []protocol.DisplayData
	for _, m := range k.msgs {
		if m.DisplayID == "" {
			shown = append(shown, m)
		} else {
			live = append(live, m)
		}
	}
	t.Logf("%d display messages, %d live updates of display %q", len(shown), len(live), firstID(live))
	if len(shown) != 3 {
		t.Fatalf("got %d display messages, want 3 (figure, table, image): %v", len(shown), mimeTypes(shown))
	}
	str := func(m protocol.DisplayData, mime protocol.MIMEType) string {
		s, _ := m.Data[mime].(string)
		return s
	}
	// The figure: inline SVG in HTML, with a text alternative.
	if h := str(shown[0], protocol.MIMETextHTML); !strings.Contains(h, "<svg") || strings.Contains(h, "<?xml") || strings.Contains(h, "<script") {
		t.Errorf("figure's text/html is not inline SVG: %.200q", h)
	}
	if !strings.Contains(str(shown[0], protocol.MIMETextPlain), "StepLR") {
		t.Errorf("figure's text/plain = %q", str(shown[0], protocol.MIMETextPlain))
	}
	// The table: styled HTML and the text table.
	if h := str(shown[1], protocol.MIMETextHTML); !strings.Contains(h, `class="gradbook-vt"`) || !strings.Contains(h, "Linear(2, 8)") {
		t.Errorf("summary's text/html = %.300q", h)
	}
	if !strings.Contains(str(shown[1], protocol.MIMETextPlain), "Linear(2, 8)") {
		t.Errorf("summary's text/plain = %q", str(shown[1], protocol.MIMETextPlain))
	}
	// The image: PNG bytes.
	if b, ok := shown[2].Data[protocol.MIMEImagePNG].([]byte); !ok || !bytes.HasPrefix(b, []byte("\x89PNG")) {
		t.Errorf("image's image/png = %T %.20q", shown[2].Data[protocol.MIMEImagePNG], shown[2].Data[protocol.MIMEImagePNG])
	}
	// Training: one display id, updated in place: the first step, at least
	// one update after the pause, and the end.
	if len(live) < 3 {
		t.Fatalf("got %d live updates, want at least 3", len(live))
	}
	for i, m := range live {
		if m.DisplayID != live[0].DisplayID {
			t.Errorf("live update %d has display id %q, want %q", i, m.DisplayID, live[0].DisplayID)
		}
		if h := str(m, protocol.MIMETextHTML); !strings.Contains(h, "<svg") || !strings.Contains(h, "xor") {
			t.Errorf("live update %d's text/html has no loss curve: %.200q", i, h)
		}
	}
	if first := str(live[0], protocol.MIMETextPlain); !strings.HasPrefix(first, "epoch 1/2 · step 1/15") {
		t.Errorf("first live update says %q", first)
	}
	last := str(live[len(live)-1], protocol.MIMETextPlain)
	if !strings.HasPrefix(last, "done: 2 epochs, 30 steps") || !strings.Contains(last, "val accuracy") {
		t.Errorf("last live update says %q", last)
	}
}

func mimeTypes(ms []protocol.DisplayData) [][]protocol.MIMEType {
	var out [][]protocol.MIMEType
	for _, m := range ms {
		var ts []protocol.MIMEType
		for k := range m.Data {
			ts = append(ts, k)
		}
		out = append(out, ts)
	}
	return out
}

func firstID(ms []protocol.DisplayData) string {
	if len(ms) == 0 {
		return ""
	}
	return ms[0].DisplayID
}
