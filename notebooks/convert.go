package notebooks

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"

	"github.com/gradbook/gradbook/kernel/ipynb"
)

// KernelName is the kernelspec the lessons run on, the one `gradbook
// install` writes.
const KernelName = "gradbook"

// FromMarkdown turns a lesson's Markdown source into a notebook: the text
// between code blocks becomes Markdown cells (split further at lines
// holding only "---"), and each ```go block becomes a code cell. Cell ids
// derive from the lesson's name and the cell's position, so regenerating
// an unchanged lesson gives the same file.
func FromMarkdown(name, src string) *ipynb.Notebook {
	nb := ipynb.New()
	nb.Metadata["kernelspec"] = map[string]any{"name": KernelName, "display_name": "Go (gradbook)", "language": "go"}
	var text []string
	var code []string
	inCode := false
	add := func(typ, source string) {
		source = strings.Trim(source, "\n")
		if strings.TrimSpace(source) == "" {
			return
		}
		sum := sha256.Sum256([]byte(name + "\x00" + itoa(len(nb.Cells))))
		c := &ipynb.Cell{Type: typ, ID: hex.EncodeToString(sum[:6]), Source: source, Metadata: map[string]any{}}
		nb.Cells = append(nb.Cells, c)
	}
	flushText := func() {
		add(ipynb.Markdown, strings.Join(text, "\n"))
		text = text[:0]
	}
	for _, line := range strings.Split(src, "\n") {
		switch {
		case !inCode && strings.TrimSpace(line) == "```go":
			flushText()
			inCode = true
		case inCode && strings.TrimSpace(line) == "```":
			add(ipynb.Code, strings.Join(code, "\n"))
			code = code[:0]
			inCode = false
		case inCode:
			code = append(code, line)
		case strings.TrimSpace(line) == "---":
			flushText()
		default:
			text = append(text, line)
		}
	}
	flushText()
	return nb
}

func itoa(i int) string { return strconv.Itoa(i) }
