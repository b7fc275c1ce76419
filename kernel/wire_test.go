package kernel

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestSignKnownValue(t *testing.T) {
	// HMAC-SHA256("key", "abcd") computed independently:
	// printf abcd | openssl dgst -sha256 -hmac key
	s := signer{key: []byte("key")}
	got := string(s.sign([]byte("a"), []byte("b"), []byte("c"), []byte("d")))
	const want = "2a31ec0ee8d878c9eece9fb0df79b3b90b2256240163aa5ee50d176d3d1121f8"
	if got != want {
		t.Fatalf("signature %s, want %s", got, want)
	}
	if !s.verify([]byte(got), []byte("a"), []byte("b"), []byte("c"), []byte("d")) {
		t.Error("a signature does not verify")
	}
	if !s.verify([]byte(strings.ToUpper(got)), []byte("a"), []byte("b"), []byte("c"), []byte("d")) {
		t.Error("an upper-case signature does not verify")
	}
	// The frames are concatenated: moving a byte between frames changes
	// nothing, as in Jupyter's own signing.
	if !s.verify([]byte(got), []byte("ab"), []byte(""), []byte("c"), []byte("d")) {
		t.Error("signature depends on frame boundaries")
	}
}

func TestEncodeDecode(t *testing.T) {
	s := signer{key: []byte("secret")}
	m, err := newMessage("sess", "execute_request", map[string]any{"code": "1+1"})
	if err != nil {
		t.Fatal(err)
	}
	m.Identities = [][]byte{[]byte("id1"), []byte("id2")}
	m.Buffers = [][]byte{[]byte("buf")}
	frames, err := s.encode(m)
	if err != nil {
		t.Fatal(err)
	}
	if len(frames) != 2+6+1 || string(frames[2]) != "<IDS|MSG>" {
		t.Fatalf("frames %q", frames)
	}
	if string(frames[4+1]) != "{}" || string(frames[4+2]) != "{}" {
		t.Errorf("parent header %q and metadata %q, want {} and {}", frames[5], frames[6])
	}
	got, err := s.decode(frames)
	if err != nil {
		t.Fatal(err)
	}
	if got.Header != m.Header || got.ParentHeader != (Header{}) || string(got.Content) != string(m.Content) ||
		!reflect.DeepEqual(got.Identities, m.Identities) || !reflect.DeepEqual(got.Buffers, m.Buffers) {
		t.Errorf("decoded %+v, want %+v", got, m)
	}
	if m.Header.Version != ProtocolVersion || m.Header.MsgType != "execute_request" || len(m.Header.MsgID) != 36 {
		t.Errorf("header %+v", m.Header)
	}
}

func TestDecodeRejectsBadSignatures(t *testing.T) {
	s := signer{key: []byte("secret")}
	m, _ := newMessage("sess", "stream", map[string]any{"name": "stdout", "text": "hi"})
	good, _ := s.encode(m)
	clone := func() [][]byte {
		c := make([][]byte, len(good))
		for i, f := range good {
			c[i] = bytes.Clone(f)
		}
		return c
	}
	cases := map[string][][]byte{}
	tampered := clone()
	tampered[5] = []byte(`{"name":"stdout","text":"evil"}`)
	cases["altered content"] = tampered
	hdr := clone()
	hdr[2] = bytes.Replace(hdr[2], []byte("stream"), []byte("status"), 1)
	cases["altered header"] = hdr
	other, _ := signer{key: []byte("other")}.encode(m)
	cases["other key"] = other
	unsigned, _ := signer{}.encode(m)
	cases["unsigned"] = unsigned
	notHex := clone()
	notHex[1] = []byte("zz")
	cases["not hex"] = notHex
	for name, frames := range cases {
		if _, err := s.decode(frames); !errors.Is(err, ErrBadSignature) {
			t.Errorf("%s: decode = %v, want ErrBadSignature", name, err)
		}
	}
	if _, err := s.decode(good); err != nil {
		t.Errorf("the good message: %v", err)
	}
	// With no key (a connection without signing) anything goes.
	if _, err := (signer{}).decode(tampered); err != nil {
		t.Errorf("unsigned connection: %v", err)
	}
	// Malformed messages are errors, not panics.
	for _, frames := range [][][]byte{nil, {[]byte("<IDS|MSG>")}, {[]byte("x"), []byte("y")}} {
		if _, err := s.decode(frames); err == nil {
			t.Errorf("decode(%q) succeeded", frames)
		}
	}
}

func TestConnectionInfo(t *testing.T) {
	c, err := NewConnectionInfo("k")
	if err != nil {
		t.Fatal(err)
	}
	ports := map[int]bool{c.ShellPort: true, c.IOPubPort: true, c.StdinPort: true, c.ControlPort: true, c.HBPort: true}
	if len(ports) != 5 || ports[0] {
		t.Errorf("ports not 5 distinct non-zero ones: %+v", c)
	}
	if c.IP != "127.0.0.1" || c.Transport != "tcp" || c.SignatureScheme != "hmac-sha256" || len(c.Key) != 64 {
		t.Errorf("connection %+v", c)
	}
	d, _ := NewConnectionInfo("k")
	if d.Key == c.Key {
		t.Error("two connections share a key")
	}
	path := filepath.Join(t.TempDir(), "kernel-x.json")
	if err := c.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("connection file mode %v, want 0600 (it holds the key)", fi.Mode().Perm())
	}
	back, err := ReadConnectionFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if *back != *c {
		t.Errorf("read back %+v, want %+v", back, c)
	}
	var raw map[string]any
	b, _ := os.ReadFile(path)
	json.Unmarshal(b, &raw)
	for _, k := range []string{"control_port", "hb_port", "iopub_port", "shell_port", "stdin_port", "ip", "key", "signature_scheme", "transport", "kernel_name"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("connection file lacks %q", k)
		}
	}
	os.WriteFile(path, []byte(`{"signature_scheme": "hmac-md5"}`), 0o600)
	if _, err := ReadConnectionFile(path); err == nil {
		t.Error("hmac-md5 accepted")
	}
}

func TestSubstitute(t *testing.T) {
	env := map[string]string{"PATH": "/bin", "A_1": "x"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	for in, want := range map[string]string{
		"/tools:${PATH}":   "/tools:/bin",
		"$PATH:/x":         "/bin:/x",
		"$A_1$A_1":         "xx",
		"${NOPE}/$NOPE":    "${NOPE}/$NOPE",
		"$$PATH":           "$PATH",
		"cost $5 ${ and $": "cost $5 ${ and $",
		"${PATH":           "${PATH",
	} {
		if got := substitute(in, lookup); got != want {
			t.Errorf("substitute(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSpecCommandAndFind(t *testing.T) {
	data := t.TempDir()
	t.Setenv("JUPYTER_DATA_DIR", data)
	t.Setenv("JUPYTER_PATH", "")
	t.Setenv("GRADBOOK_TEST_VAR", "outer")
	spec := &Spec{
		Argv:        []string{"/bin/k", "-f", "{connection_file}", "{resource_dir}/x"},
		DisplayName: "K", Language: "go", InterruptMode: "message",
		Env: map[string]string{"GRADBOOK_TEST_VAR": "/tools:${GRADBOOK_TEST_VAR}", "NEW_VAR": "1"},
	}
	dir := filepath.Join(data, "kernels", "k1")
	if err := WriteSpec(dir, spec); err != nil {
		t.Fatal(err)
	}
	got, err := FindSpec("k1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "k1" || got.Dir != dir || got.InterruptMode != "message" || got.Env["NEW_VAR"] != "1" {
		t.Errorf("found %+v", got)
	}
	argv, env := got.command("/tmp/conn.json")
	if !reflect.DeepEqual(argv, []string{"/bin/k", "-f", "/tmp/conn.json", dir + "/x"}) {
		t.Errorf("argv %q", argv)
	}
	found := map[string]int{}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		found[k]++
		if k == "GRADBOOK_TEST_VAR" && v != "/tools:outer" {
			t.Errorf("GRADBOOK_TEST_VAR=%q, want /tools:outer", v)
		}
	}
	if found["GRADBOOK_TEST_VAR"] != 1 || found["NEW_VAR"] != 1 || found["PATH"] != 1 {
		t.Errorf("environment counts %v", found)
	}
	if _, err := FindSpec("nope"); !errors.Is(err, ErrNoSpec) {
		t.Errorf("FindSpec(nope) = %v", err)
	}
}
