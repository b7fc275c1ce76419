package kernel

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-zeromq/zmq4"
)

// The fake kernel is this test binary started again with
// GRADBOOK_FAKE_KERNEL=1: a small Jupyter kernel whose cells are a script
// of one command a line, for fast tests of the client without GoNB:
//
//	print TEXT          stdout stream
//	stderr TEXT         stderr stream
//	display ID TEXT     display_data text/plain TEXT with display id ID
//	update ID TEXT      update_display_data
//	result TEXT         execute_result
//	clear / clearwait   clear_output
//	error NAME VALUE    an error; the reply's status is "error"
//	sleep D             sleeps D; an interrupt ends the sleep and the cell
//	hang                sleeps and ignores interrupts
//	crash               the kernel exits with status 3
//	forge TEXT          sends a stream TEXT and an execute_reply signed with a wrong key
//	badsig              (first line) the kernel signs everything with a wrong key from now on
//	late TEXT           a stdout stream published after the cell's reply and idle status
//
// Like GoNB, it does not answer shutdown_request: it just exits.

func TestMain(m *testing.M) {
	if os.Getenv("GRADBOOK_FAKE_KERNEL") == "1" {
		os.Exit(fakeKernel(os.Args[len(os.Args)-1]))
	}
	os.Exit(m.Run())
}

type fake struct {
	sig      signer
	wrong    signer
	session  string
	mu       sync.Mutex // guards sends on sockets
	iopub    zmq4.Socket
	shell    zmq4.Socket
	control  zmq4.Socket
	count    int
	intr     chan struct{}
	badSigns bool
	late     []string // streams to publish after the idle status
}

func fakeKernel(connFile string) int {
	conn, err := ReadConnectionFile(connFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	ctx := context.Background()
	quiet := zmq4.WithLogger(log.New(io.Discard, "", 0))
	f := &fake{
		sig:     signer{key: []byte(conn.Key)},
		wrong:   signer{key: []byte("not the key")},
		session: newID(),
		shell:   zmq4.NewRouter(ctx, quiet),
		control: zmq4.NewRouter(ctx, quiet),
		iopub:   zmq4.NewPub(ctx, quiet),
		intr:    make(chan struct{}, 1),
	}
	stdin := zmq4.NewRouter(ctx, quiet)
	hb := zmq4.NewRep(ctx, quiet)
	for _, l := range []struct {
		s    zmq4.Socket
		port int
	}{{f.shell, conn.ShellPort}, {f.control, conn.ControlPort}, {stdin, conn.StdinPort}, {f.iopub, conn.IOPubPort}, {hb, conn.HBPort}} {
		if err := l.s.Listen(conn.addr(l.port)); err != nil {
			fmt.Fprintln(os.Stderr, "listen:", err)
			return 2
		}
	}
	go func() {
		for {
			m, err := hb.Recv()
			if err != nil {
				return
			}
			hb.Send(m)
		}
	}()
	go func() {
		for {
			zm, err := f.control.Recv()
			if err != nil {
				return
			}
			m, err := f.sig.decode(zm.Frames)
			if err != nil {
				continue
			}
			switch m.Header.MsgType {
			case "interrupt_request":
				select {
				case f.intr <- struct{}{}:
				default:
				}
				f.reply(f.control, m, "interrupt_reply", map[string]any{"status": "ok"})
			case "shutdown_request":
				os.Exit(0) // as GoNB: no reply
			}
		}
	}()
	for {
		zm, err := f.shell.Recv()
		if err != nil {
			return 1
		}
		m, err := f.sig.decode(zm.Frames)
		if err != nil {
			fmt.Fprintln(os.Stderr, "fake kernel: rejected:", err)
			continue
		}
		f.publish(m, "status", map[string]any{"execution_state": "busy"})
		switch m.Header.MsgType {
		case "kernel_info_request":
			f.reply(f.shell, m, "kernel_info_reply", map[string]any{
				"status": "ok", "protocol_version": "5.3", "implementation": "fake", "implementation_version": "1",
				"language_info": map[string]any{"name": "fake", "version": "0", "file_extension": ".txt"},
			})
		case "execute_request":
			f.execute(m)
		}
		f.publish(m, "status", map[string]any{"execution_state": "idle"})
		for _, text := range f.late {
			time.Sleep(10 * time.Millisecond)
			f.publish(m, "stream", map[string]any{"name": "stdout", "text": text + "\n"})
		}
		f.late = nil
	}
}

func (f *fake) send(s zmq4.Socket, m *Message, sig signer) {
	frames, err := sig.encode(m)
	if err != nil {
		panic(err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	s.SendMulti(zmq4.NewMsgFrom(frames...))
}

func (f *fake) signer() signer {
	if f.badSigns {
		return f.wrong
	}
	return f.sig
}

func (f *fake) msg(parent *Message, msgType string, content any) *Message {
	m, err := newMessage(f.session, msgType, content)
	if err != nil {
		panic(err)
	}
	m.ParentHeader = parent.Header
	return m
}

func (f *fake) publish(parent *Message, msgType string, content any) {
	f.send(f.iopub, f.msg(parent, msgType, content), f.signer())
}

func (f *fake) reply(s zmq4.Socket, parent *Message, msgType string, content any) {
	m := f.msg(parent, msgType, content)
	m.Identities = parent.Identities
	f.send(s, m, f.signer())
}

func (f *fake) execute(req *Message) {
	var c executeRequest
	json.Unmarshal(req.Content, &c)
	f.count++
	f.publish(req, "execute_input", map[string]any{"code": c.Code, "execution_count": f.count})
	select { // an interrupt that came between cells does not count
	case <-f.intr:
	default:
	}
	status := map[string]any{"status": "ok", "execution_count": f.count}
	for _, line := range strings.Split(c.Code, "\n") {
		cmd, arg, _ := strings.Cut(line, " ")
		switch cmd {
		case "print", "stderr":
			name := "stdout"
			if cmd == "stderr" {
				name = "stderr"
			}
			f.publish(req, "stream", map[string]any{"name": name, "text": arg + "\n"})
		case "display", "update":
			id, text, _ := strings.Cut(arg, " ")
			typ := "display_data"
			if cmd == "update" {
				typ = "update_display_data"
			}
			f.publish(req, typ, map[string]any{"data": map[string]any{"text/plain": text}, "metadata": map[string]any{}, "transient": map[string]any{"display_id": id}})
		case "result":
			f.publish(req, "execute_result", map[string]any{"data": map[string]any{"text/plain": arg}, "metadata": map[string]any{}, "execution_count": f.count})
		case "clear", "clearwait":
			f.publish(req, "clear_output", map[string]any{"wait": cmd == "clearwait"})
		case "error":
			name, value, _ := strings.Cut(arg, " ")
			e := map[string]any{"status": "error", "ename": name, "evalue": value, "traceback": []string{name + ": " + value, "at line 1"}}
			f.publish(req, "error", e)
			e["execution_count"] = f.count
			status = e
		case "sleep":
			d, _ := time.ParseDuration(arg)
			select {
			case <-time.After(d):
			case <-f.intr:
				e := map[string]any{"status": "error", "ename": "Interrupted", "evalue": "interrupted", "traceback": []string{}, "execution_count": f.count}
				f.publish(req, "error", e)
				f.reply(f.shell, req, "execute_reply", e)
				return
			}
		case "hang":
			time.Sleep(time.Hour)
		case "crash":
			fmt.Fprintln(os.Stderr, "fake kernel: crashing as asked")
			time.Sleep(50 * time.Millisecond) // let the output before leave
			os.Exit(3)
		case "forge":
			f.send(f.iopub, f.msg(req, "stream", map[string]any{"name": "stdout", "text": arg + "\n"}), f.wrong)
			forged := f.msg(req, "execute_reply", map[string]any{"status": "ok", "execution_count": 99})
			forged.Identities = req.Identities
			f.send(f.shell, forged, f.wrong)
		case "late":
			f.late = append(f.late, arg)
		case "badsig":
			f.badSigns = true
		}
	}
	f.reply(f.shell, req, "execute_reply", status)
}
