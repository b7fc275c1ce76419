package kernel

import (
	"encoding/json"
	"fmt"

	"github.com/gradbook/gradbook/kernel/ipynb"
)

// outputs collects the outputs of one cell from its IOPub messages, as a
// notebook front end shows them: consecutive stream text of one stream in
// one output, clear_output honoured, and update_display_data applied to every
// output, of this cell or an earlier one, that carries the display id.
type outputs struct {
	list         []*ipynb.Output
	clearPending bool // clear_output with wait: clear at the next output
	displays     *displays
	count        *int // the execution count from execute_input or execute_reply
}

// displays maps display ids to the outputs that show them, across the cells
// a client runs.
type displays struct {
	byID map[string][]*ipynb.Output
}

func newDisplays() *displays { return &displays{byID: map[string][]*ipynb.Output{}} }

// register records that o shows display id.
func (d *displays) register(o *ipynb.Output) {
	if o.DisplayID != "" {
		d.byID[o.DisplayID] = append(d.byID[o.DisplayID], o)
	}
}

// update replaces the data and metadata of every output that shows the
// display id; it reports whether there was one.
func (d *displays) update(id string, data, metadata map[string]any) bool {
	outs := d.byID[id]
	for _, o := range outs {
		o.Data = data
		o.Metadata = metadata
	}
	return len(outs) > 0
}

// mimeContent is the content of display_data, update_display_data and
// execute_result.
type mimeContent struct {
	Data           map[string]any `json:"data"`
	Metadata       map[string]any `json:"metadata"`
	ExecutionCount *int           `json:"execution_count"`
	Transient      struct {
		DisplayID string `json:"display_id"`
	} `json:"transient"`
}

// errorContent is the content of an error message and of an execute_reply
// whose status is "error".
type errorContent struct {
	Status    string   `json:"status"`
	EName     string   `json:"ename"`
	EValue    string   `json:"evalue"`
	Traceback []string `json:"traceback"`
}

func (o *outputs) add(out *ipynb.Output) {
	if o.clearPending {
		o.list = nil
		o.clearPending = false
	}
	if out.Type == ipynb.Stream && len(o.list) > 0 {
		if last := o.list[len(o.list)-1]; last.Type == ipynb.Stream && last.Name == out.Name {
			last.Text += out.Text
			return
		}
	}
	o.list = append(o.list, out)
	o.displays.register(out)
}

// handle applies one IOPub message that belongs to the cell. It returns an
// error only for a message it cannot parse.
func (o *outputs) handle(m *Message) error {
	switch m.Header.MsgType {
	case "stream":
		var c struct {
			Name string `json:"name"`
			Text string `json:"text"`
		}
		if err := json.Unmarshal(m.Content, &c); err != nil {
			return fmt.Errorf("kernel: bad stream message: %w", err)
		}
		o.add(&ipynb.Output{Type: ipynb.Stream, Name: c.Name, Text: c.Text})
	case "display_data", "execute_result":
		var c mimeContent
		if err := json.Unmarshal(m.Content, &c); err != nil {
			return fmt.Errorf("kernel: bad %s message: %w", m.Header.MsgType, err)
		}
		out := &ipynb.Output{Type: m.Header.MsgType, Data: c.Data, Metadata: c.Metadata, DisplayID: c.Transient.DisplayID}
		if out.Type == ipynb.ExecuteResult {
			out.ExecutionCount = c.ExecutionCount
			if c.ExecutionCount != nil {
				o.count = c.ExecutionCount
			}
		}
		o.add(out)
	case "update_display_data":
		var c mimeContent
		if err := json.Unmarshal(m.Content, &c); err != nil {
			return fmt.Errorf("kernel: bad update_display_data message: %w", err)
		}
		o.displays.update(c.Transient.DisplayID, c.Data, c.Metadata)
	case "error":
		var c errorContent
		if err := json.Unmarshal(m.Content, &c); err != nil {
			return fmt.Errorf("kernel: bad error message: %w", err)
		}
		o.add(&ipynb.Output{Type: ipynb.Error, EName: c.EName, EValue: c.EValue, Traceback: c.Traceback})
	case "clear_output":
		var c struct {
			Wait bool `json:"wait"`
		}
		json.Unmarshal(m.Content, &c)
		if c.Wait {
			o.clearPending = true
		} else {
			o.list = nil
			o.clearPending = false
		}
	case "execute_input":
		var c struct {
			ExecutionCount *int `json:"execution_count"`
		}
		if json.Unmarshal(m.Content, &c) == nil && c.ExecutionCount != nil {
			o.count = c.ExecutionCount
		}
	}
	return nil
}
