package entrasim

import (
	"encoding/json"
	"fmt"
	"os"
	"sync"

	"github.com/aos-dev/terraform-provider-aos/internal/directory"
)

// Source hands the simulator the current state of the directory. Every
// request takes a fresh snapshot, so a change made between two requests
// (MFA turned on, a password changed) shows in the next answer, as it would
// on the real platform.
type Source interface {
	Snapshot() directory.File
}

// Directory is a Source over a directory file held in memory, changed
// through Update. Tests use it to model what an administrator does in the
// tenant between two calls.
type Directory struct {
	mu sync.Mutex
	f  directory.File
}

// NewDirectory checks f the way the dev directory does (so a file the dev
// directory refuses is refused here too) and keeps a copy of it.
func NewDirectory(f directory.File) (*Directory, error) {
	if _, err := directory.New(clone(f)); err != nil {
		return nil, err
	}
	return &Directory{f: clone(f)}, nil
}

// LoadDirectory reads a directory file (the format of internal/directory).
func LoadDirectory(path string) (*Directory, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("entrasim: %w", err)
	}
	var f directory.File
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("entrasim: %s: %w", path, err)
	}
	return NewDirectory(f)
}

// Snapshot returns a deep copy of the current file.
func (d *Directory) Snapshot() directory.File {
	d.mu.Lock()
	defer d.mu.Unlock()
	return clone(d.f)
}

// Update changes the file under the lock.
func (d *Directory) Update(change func(f *directory.File)) {
	d.mu.Lock()
	defer d.mu.Unlock()
	change(&d.f)
}

// clone deep-copies a file through JSON, which is its defined form.
func clone(f directory.File) directory.File {
	b, err := json.Marshal(f)
	if err != nil {
		panic(err) // A File always marshals: it holds strings, bools and slices only.
	}
	var out directory.File
	if err := json.Unmarshal(b, &out); err != nil {
		panic(err)
	}
	return out
}
