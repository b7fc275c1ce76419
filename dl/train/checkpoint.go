package train

import (
	"bytes"
	"encoding/gob"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/gradbook/gradbook/dl/nn"
)

// runState is what Checkpoint + ".state" holds besides the weights. It is
// gob-encoded: unlike JSON, gob keeps the NaN and ±Inf of a diverged run.
type runState struct {
	EpochsDone int
	Steps      int
	Best       float64
	BadEpochs  int
	History    *History
}

// statePath is where the run's state lives beside the weights.
func statePath(path string) string { return path + ".state" }

// saveCheckpoint writes the model, then the run's state, each atomically.
func saveCheckpoint(path string, model nn.Module, st runState) error {
	if err := nn.Save(model, path); err != nil {
		return err
	}
	h := *st.History
	h.Err = nil // an error is not state to resume, and gob cannot encode it
	st.History = &h
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(st); err != nil {
		return fmt.Errorf("train: checkpoint %s: %w", path, err)
	}
	return writeFileAtomic(statePath(path), b.Bytes())
}

// loadCheckpoint restores the model and returns the run's state; ok is
// false when there is no checkpoint to resume from.
func loadCheckpoint(path string, model nn.Module) (st runState, ok bool, err error) {
	b, err := os.ReadFile(statePath(path))
	if errors.Is(err, fs.ErrNotExist) {
		return st, false, nil
	}
	if err != nil {
		return st, false, fmt.Errorf("train: resume: %w", err)
	}
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(&st); err != nil {
		return st, false, fmt.Errorf("train: resume: %s: %w", statePath(path), err)
	}
	if st.History == nil {
		return st, false, fmt.Errorf("train: resume: %s holds no history", statePath(path))
	}
	if err := nn.Load(model, path); err != nil {
		return st, false, fmt.Errorf("train: resume: %w", err)
	}
	return st, true, nil
}

// writeFileAtomic writes b to a temporary file beside path and renames it
// over path, so path always holds either the old or the new contents.
func writeFileAtomic(path string, b []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("train: checkpoint: %w", err)
	}
	tmp := f.Name()
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("train: checkpoint: %w", err)
	}
	return nil
}
