package nn

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
)

// Save writes m's state dict (its parameters and buffers under PyTorch's
// names, see Module.StateDict) to path in the safetensors format, with the
// metadata {"format": "pt"} that PyTorch tools expect. PyTorch reads the
// file with safetensors.torch.load_file and nn.Module.load_state_dict.
//
// The write is atomic: Save writes a temporary file in path's directory,
// flushes it to disk and renames it over path, so path holds either the old
// file or the complete new one, never a part of either; on an error the old
// file is left as it was and the temporary file is removed.
func Save(m Module, path string) error {
	return save(m, path, nil)
}

// save is Save with a hook that wraps the temporary file's writer (tests
// use it to make the write fail half-way).
func save(m Module, path string, wrap func(io.Writer) io.Writer) (err error) {
	sd := m.StateDict()
	// Check the tensors before touching the disk.
	if _, err := safetensorsHeader(sd, nil); err != nil {
		return fmt.Errorf("nn.Save: %s: %w", path, err)
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("nn.Save: %w", err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	// Keep the mode of the file being replaced; a new file gets 0644
	// (CreateTemp makes 0600).
	mode := os.FileMode(0o644)
	if fi, err := os.Stat(path); err == nil {
		mode = fi.Mode().Perm()
	}
	if err := f.Chmod(mode); err != nil {
		return fmt.Errorf("nn.Save: %w", err)
	}
	var w io.Writer = f
	if wrap != nil {
		w = wrap(f)
	}
	if err := WriteSafetensors(w, sd, map[string]string{"format": "pt"}); err != nil {
		return fmt.Errorf("nn.Save: %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("nn.Save: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("nn.Save: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("nn.Save: %w", err)
	}
	// Make the rename itself durable; not every system can sync a
	// directory, and the file is complete either way.
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// Load reads a safetensors file written by Save or by PyTorch (a
// state_dict saved with safetensors.torch.save_file) into m. The file must
// hold exactly m's state dict: every name of m.StateDict(), no other, each
// with the model's shape and dtype (F32 for a Float32 tensor, F64 for a
// Float64 one, I64 for BatchNorm's num_batches_tracked). Otherwise Load
// returns an error naming the tensors and the shapes, for example
//
//	nn.Load: lenet.safetensors: tensor "0.weight" has shape [6 1 5 5], the model expects [6 1 3 3]
//
// (one line per problem), and m is left unchanged: Load assigns the
// values only after the whole file has checked out.
func Load(m Module, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("nn.Load: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("nn.Load: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("nn.Load: %s is not a regular file", path)
	}
	st, err := ReadSafetensors(f, fi.Size())
	if err != nil {
		return fmt.Errorf("nn.Load: %s: %w", path, err)
	}
	return loadState(m, st, path)
}

// loadState checks st against m's state dict and assigns it; src names the
// source in errors.
func loadState(m Module, st *Safetensors, src string) error {
	sd := m.StateDict()
	var problems []error
	bad := func(format string, args ...any) {
		problems = append(problems, fmt.Errorf("nn.Load: %s: "+format, append([]any{src}, args...)...))
	}
	expected := make(map[string]bool, len(sd))
	for _, nt := range sd {
		expected[nt.Name] = true
		t, ok := st.Tensors[nt.Name]
		if !ok {
			bad("the file has no tensor %q (shape %v), which the model expects", nt.Name, nt.Tensor.Shape())
			continue
		}
		if got, want := t.Shape(), nt.Tensor.Shape(); !slices.Equal(got, want) {
			bad("tensor %q has shape %v, the model expects %v", nt.Name, got, want)
			continue
		}
		if got, want := st.DTypes[nt.Name], fileDType(nt.Name, nt.Tensor); got != want {
			bad("tensor %q has dtype %s, the model expects %s", nt.Name, got, want)
		}
		if !nt.Tensor.IsLeaf() {
			// A module's state is made of leaves; this one is broken.
			bad("the model's tensor %q was computed by %s, so it cannot be assigned", nt.Name, nt.Tensor.Op())
		}
	}
	for _, name := range st.Names {
		if !expected[name] {
			bad("the file has a tensor %q (shape %v) that the model does not have", name, st.Tensors[name].Shape())
		}
	}
	if len(problems) > 0 {
		return errors.Join(problems...)
	}
	for _, nt := range sd {
		// Every check Assign makes has passed above.
		nt.Tensor.Assign(st.Tensors[nt.Name])
	}
	return nil
}
