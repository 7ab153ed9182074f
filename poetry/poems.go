package poetry

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// The poems are original verse written for gyre. They are stored byte for
// byte (UTF-8, LF line ends; poems/.gitattributes stops Git from rewriting
// them) because the clients report exact byte counts.
//
//go:embed poems/*.txt
var poemFiles embed.FS

// ErrUnknownPoem is returned (wrapped) by Poem for a name that Poems does not
// list.
var ErrUnknownPoem = errors.New("poetry: unknown poem")

// Poems returns the names of the embedded poems in alphabetical order. A
// name is the file name under poetry/poems without ".txt", e.g. "library".
func Poems() []string {
	entries, err := fs.ReadDir(poemFiles, "poems")
	if err != nil {
		// The directory is embedded at build time; failing to read it
		// means the binary itself is broken.
		panic(fmt.Sprintf("poetry: embedded poems unreadable: %v", err))
	}
	var names []string
	for _, e := range entries {
		if name, ok := strings.CutSuffix(e.Name(), ".txt"); ok && !e.IsDir() {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// Poem returns the bytes of the named poem. The slice is a fresh copy: the
// caller may keep or modify it. An unknown name gives an error wrapping
// ErrUnknownPoem.
func Poem(name string) ([]byte, error) {
	// Refuse anything that is not a plain name, so that "../x" or
	// "poems/library" cannot reach other embedded paths.
	if name == "" || strings.ContainsAny(name, `/\`) || name == "." || name == ".." {
		return nil, fmt.Errorf("%w: %q", ErrUnknownPoem, name)
	}
	data, err := poemFiles.ReadFile(path.Join("poems", name+".txt"))
	if err != nil {
		return nil, fmt.Errorf("%w: %q", ErrUnknownPoem, name)
	}
	return data, nil
}
