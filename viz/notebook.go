package viz

import (
	"encoding/base64"
	"time"

	"github.com/janpfeifer/gonb/gonbui"
	"github.com/janpfeifer/gonb/gonbui/protocol"

	"github.com/gradbook/gradbook/dl/train"
)

// This file is the only one that talks to GoNB: through gonbui, which
// writes gob-encoded protocol.DisplayData messages to the named pipe
// $GONB_PIPE and reads replies (sync acknowledgements) from $GONB_PIPE_BACK.

// In a notebook, training shows the live view instead of the progress bar.
func init() {
	if inNotebook() {
		train.RegisterDisplay(LiveTraining)
	}
}

// inNotebook reports whether the program runs as a GoNB cell.
func inNotebook() bool { return gonbui.IsNotebook }

// bundle is the MIME bundle of a display message: the richest form for
// the notebook and plain text for consoles and text exports.
func (r rep) bundle() map[protocol.MIMEType]any {
	m := map[protocol.MIMEType]any{}
	switch {
	case r.svg != "" || r.html != "":
		m[protocol.MIMETextHTML] = r.htmlBody()
	case r.png != nil:
		m[protocol.MIMEImagePNG] = r.png
	}
	if r.markdown != "" && r.html == "" {
		m[protocol.MIMETextMarkdown] = r.markdown
	}
	if r.text != "" {
		m[protocol.MIMETextPlain] = r.text
	}
	return m
}

// publish sends a display message; with a display id it creates that
// output the first time and replaces it in place afterwards.
func publish(data map[protocol.MIMEType]any, displayID string) {
	gonbui.SendData(&protocol.DisplayData{Data: data, DisplayID: displayID})
}

// syncTimeout bounds how long Show waits for GoNB to acknowledge.
const syncTimeout = 2 * time.Second

// syncNotebook waits until GoNB has received everything sent so far, so
// output is not lost when the cell's program exits right after Show. It
// gives up after syncTimeout rather than hang a cell.
func syncNotebook() {
	done := make(chan struct{})
	go func() {
		gonbui.Sync()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(syncTimeout):
	}
}

// newDisplayID returns a fresh display id for a live output.
func newDisplayID() string { return "gradbook-" + gonbui.UniqueId() }

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// MIME types of display messages.
type mimeType = protocol.MIMEType

const (
	mimeHTML  = protocol.MIMETextHTML
	mimePlain = protocol.MIMETextPlain
	mimePNG   = protocol.MIMEImagePNG
)
