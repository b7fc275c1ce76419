package kernel

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// ProtocolVersion is the version of the Jupyter messaging protocol the client
// speaks.
const ProtocolVersion = "5.3"

// delimiter separates the routing identities from the message proper.
const delimiter = "<IDS|MSG>"

// Header is the header of a Jupyter message.
type Header struct {
	MsgID    string `json:"msg_id"`
	Session  string `json:"session"`
	Username string `json:"username"`
	Date     string `json:"date"`
	MsgType  string `json:"msg_type"`
	Version  string `json:"version"`
}

// Message is a Jupyter message as it travels on a socket.
type Message struct {
	Identities   [][]byte
	Header       Header
	ParentHeader Header // the zero Header when the message has no parent
	Metadata     map[string]any
	Content      json.RawMessage
	Buffers      [][]byte
}

// ErrBadSignature is the error for a message whose HMAC does not verify: it
// was not sent by someone who holds the connection's key, or was altered.
var ErrBadSignature = errors.New("kernel: message signature does not verify")

// signer computes HMAC-SHA256 signatures with the connection's key. An empty
// key means unsigned messages, as the protocol allows.
type signer struct{ key []byte }

// sign returns the hex signature of the four signed frames.
func (s signer) sign(header, parent, metadata, content []byte) []byte {
	if len(s.key) == 0 {
		return []byte{}
	}
	mac := hmac.New(sha256.New, s.key)
	mac.Write(header)
	mac.Write(parent)
	mac.Write(metadata)
	mac.Write(content)
	sum := mac.Sum(nil)
	out := make([]byte, hex.EncodedLen(len(sum)))
	hex.Encode(out, sum)
	return out
}

// verify reports whether sig is the signature of the frames, comparing in
// constant time.
func (s signer) verify(sig, header, parent, metadata, content []byte) bool {
	if len(s.key) == 0 {
		return true
	}
	want := s.sign(header, parent, metadata, content)
	return hmac.Equal(bytes.ToLower(sig), want)
}

// encode returns the frames of m, signed.
func (s signer) encode(m *Message) ([][]byte, error) {
	header, err := json.Marshal(m.Header)
	if err != nil {
		return nil, err
	}
	parent := []byte("{}")
	if m.ParentHeader != (Header{}) {
		if parent, err = json.Marshal(m.ParentHeader); err != nil {
			return nil, err
		}
	}
	meta := []byte("{}")
	if len(m.Metadata) > 0 {
		if meta, err = json.Marshal(m.Metadata); err != nil {
			return nil, err
		}
	}
	content := []byte(m.Content)
	if len(content) == 0 {
		content = []byte("{}")
	}
	frames := make([][]byte, 0, len(m.Identities)+6+len(m.Buffers))
	frames = append(frames, m.Identities...)
	frames = append(frames, []byte(delimiter), s.sign(header, parent, meta, content), header, parent, meta, content)
	frames = append(frames, m.Buffers...)
	return frames, nil
}

// decode parses and verifies the frames of a message. A message whose
// signature does not verify yields ErrBadSignature and is not parsed.
func (s signer) decode(frames [][]byte) (*Message, error) {
	i := 0
	for i < len(frames) && string(frames[i]) != delimiter {
		i++
	}
	if len(frames)-i < 6 {
		return nil, fmt.Errorf("kernel: malformed message: %d frames, no delimiter and five parts", len(frames))
	}
	m := &Message{Identities: frames[:i]}
	sig, header, parent, meta, content := frames[i+1], frames[i+2], frames[i+3], frames[i+4], frames[i+5]
	if !s.verify(sig, header, parent, meta, content) {
		return nil, ErrBadSignature
	}
	if err := json.Unmarshal(header, &m.Header); err != nil {
		return nil, fmt.Errorf("kernel: malformed message header: %w", err)
	}
	if len(parent) > 0 {
		if err := json.Unmarshal(parent, &m.ParentHeader); err != nil {
			return nil, fmt.Errorf("kernel: malformed parent header: %w", err)
		}
	}
	if len(meta) > 0 {
		if err := json.Unmarshal(meta, &m.Metadata); err != nil {
			return nil, fmt.Errorf("kernel: malformed metadata: %w", err)
		}
	}
	m.Content = json.RawMessage(content)
	m.Buffers = frames[i+6:]
	return m, nil
}

// newID returns a random UUID (version 4) as a string.
func newID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// newMessage returns a message of the given type with a fresh header.
func newMessage(session, msgType string, content any) (*Message, error) {
	c, err := json.Marshal(content)
	if err != nil {
		return nil, err
	}
	return &Message{
		Header: Header{
			MsgID:    newID(),
			Session:  session,
			Username: "gradbook",
			Date:     time.Now().UTC().Format("2006-01-02T15:04:05.000000Z"),
			MsgType:  msgType,
			Version:  ProtocolVersion,
		},
		Content: c,
	}, nil
}
