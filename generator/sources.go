package generator

import (
	"context"
	"path/filepath"

	"github.com/bkgen/bkgen/generator/render"
)

// Sources is what `bkgen blueprints list` shows of a generated repository.
type Sources struct {
	// Overlays are the overlays in use, in order.
	Overlays []OverlayInfo
	// Files maps each rendered file's path to the template it comes from:
	// "bkgen:<template>" or "<overlay>@<version>:<path>".
	Files map[string]string
}

// OverlayInfo describes one overlay in use.
type OverlayInfo struct {
	Name, Version, Dir, Hash string
	// Remove are its remove: globs; Hooks its hook files.
	Remove, Hooks []string
}

// BlueprintSources renders the repository in dir as regen would (writing
// nothing) and says where each of its files comes from.
func BlueprintSources(ctx context.Context, dir string) (*Sources, error) {
	cfg, _, err := readRepo(dir)
	if err != nil {
		return nil, err
	}
	m, diags, err := buildModel(filepath.Join(dir, filepath.FromSlash(cfg.Spec)), *cfg)
	if err != nil {
		return nil, err
	}
	if err := m.loadOverlays(ctx, dir, &diags); err != nil {
		return nil, err
	}
	p, err := m.plan(ctx, &diags)
	if err != nil {
		return nil, err
	}
	s := &Sources{Files: map[string]string{}}
	for _, o := range m.overlays {
		s.Overlays = append(s.Overlays, OverlayInfo{
			Name: o.Name, Version: o.Version, Dir: o.Dir, Hash: o.Hash, Remove: o.Remove, Hooks: o.HookFiles(),
		})
	}
	for _, f := range p.Files {
		if f.Source != "" {
			s.Files[f.Path] = f.Source
		}
	}
	return s, nil
}

// TemplateReference is the reference of the data and functions templates
// can use, generated from the Go types (`bkgen blueprints docs`).
func TemplateReference() string { return render.Reference() }
