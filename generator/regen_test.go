package generator_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bkgen/bkgen/generator"
)

var regenSeed = flag.Uint64("regen.seed", 0, "seed of TestRegenNeverLosesUserLines (0: from the clock)")

// TestRegenNeverLosesUserLines changes a spec at random (properties and
// operations added and removed, an operation renamed, summaries edited)
// while a user edits the repository at random (their service file and
// middleware, scaffold files at any line, generated files), running regen
// after each round. However the two meet, every line the user wrote is
// found afterwards: in its file, in a rescue under .bkgen/rescued/, or
// between conflict markers (which the test then resolves by keeping both
// sides, as a person might).
func TestRegenNeverLosesUserLines(t *testing.T) {
	t.Parallel()
	seed := *regenSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (run again with -regen.seed=%d)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	rounds := 24
	if testing.Short() {
		rounds = 8
	}

	dir := t.TempDir()
	repo := filepath.Join(dir, "svc")
	sp := newMutableSpec()
	specPath := filepath.Join(dir, "api.json")
	sp.write(t, specPath)
	cfg := testConfig()
	cfg.Database = "postgres"
	ctx := context.Background()
	if _, err := generator.New(ctx, generator.Options{SpecPath: specPath, OutDir: repo, Config: cfg, NoCheck: true, NoGit: true}); err != nil {
		t.Fatal(err)
	}

	type userLine struct{ file, text string }
	var lines []userLine
	for round := range rounds {
		for range 1 + rng.IntN(2) {
			sp.mutate(rng, round)
		}
		sp.write(t, specPath)
		for n := range 1 + rng.IntN(3) {
			text := fmt.Sprintf("USER-%d-%d", round, n)
			file := editTargets[rng.IntN(len(editTargets))]
			if insertLine(t, repo, file, text, rng) {
				lines = append(lines, userLine{file, text})
			}
		}
		res, err := generator.Regen(ctx, generator.RegenOptions{Dir: repo, SpecPath: specPath, NoCheck: true})
		if err != nil {
			t.Fatalf("round %d: regen: %v", round, err)
		}
		for _, p := range res.Files.Conflicts {
			resolveKeepingBoth(t, filepath.Join(repo, p))
		}
		for _, l := range lines {
			if !foundUserLine(t, repo, l.file, l.text) {
				t.Fatalf("round %d: the user's line %q of %s is lost (seed %d)", round, l.text, l.file, seed)
			}
		}
	}
	if len(lines) == 0 {
		t.Fatal("no user line was written: the test tested nothing")
	}
	// A regen records the conflicts resolved in the last round; the one
	// after it has nothing to do.
	for i := range 2 {
		res, err := generator.Regen(ctx, generator.RegenOptions{Dir: repo, NoCheck: true})
		if err != nil {
			t.Fatal(err)
		}
		if r := res.Files; i == 1 && r.Changed() {
			t.Fatalf("a regen with nothing changed changed: created %v, updated %v, deleted %v, rescued %v, lock %v",
				r.Created, r.Updated, r.Deleted, r.Rescued, r.LockChanged)
		}
	}
}

// editTargets are the files the user edits: theirs, scaffold and generated.
var editTargets = []string{
	"internal/service/items.go",
	"internal/middleware.go",
	"README.md",
	"docs/api.md",
	"Taskfile.yml",
	"internal/api/types_gen.go",
	"internal/service/items_gen.go",
}

// insertLine inserts text as a line of file at a random place (a comment
// line in Go, after the package clause); false when the file is absent.
func insertLine(t *testing.T, repo, file, text string, rng *rand.Rand) bool {
	t.Helper()
	name := filepath.Join(repo, filepath.FromSlash(file))
	data, err := os.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) {
		return false
	}
	if err != nil {
		t.Fatal(err)
	}
	ls := strings.SplitAfter(string(data), "\n")
	line := text + "\n"
	at := rng.IntN(len(ls) + 1)
	if strings.HasSuffix(file, ".go") {
		line = "// " + line
		at = len(ls) // after everything: a comment anywhere else could split a declaration
	}
	if strings.HasSuffix(file, ".yml") {
		line = "# " + line
	}
	ls = slices.Insert(ls, at, line)
	if err := os.WriteFile(name, []byte(strings.Join(ls, "")), 0o644); err != nil {
		t.Fatal(err)
	}
	return true
}

// resolveKeepingBoth removes the conflict markers of a file.
func resolveKeepingBoth(t *testing.T, name string) {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range strings.SplitAfter(string(data), "\n") {
		switch strings.TrimRight(l, "\n") {
		case "<<<<<<< yours", "=======", ">>>>>>> bkgen":
			continue
		}
		out = append(out, l)
	}
	if err := os.WriteFile(name, []byte(strings.Join(out, "")), 0o644); err != nil {
		t.Fatal(err)
	}
}

// foundUserLine looks for text in the file and in its rescues.
func foundUserLine(t *testing.T, repo, file, text string) bool {
	t.Helper()
	if data, err := os.ReadFile(filepath.Join(repo, filepath.FromSlash(file))); err == nil && bytes.Contains(data, []byte(text)) {
		return true
	}
	rescued := filepath.Join(repo, ".bkgen", "rescued", filepath.FromSlash(file))
	matches, _ := filepath.Glob(rescued + "*")
	for _, m := range matches {
		if data, err := os.ReadFile(m); err == nil && bytes.Contains(data, []byte(text)) {
			return true
		}
	}
	return false
}

// mutableSpec is a small spec of one resource and some extra operations,
// changed at random.
type mutableSpec struct {
	props  []string          // optional string properties of Item beyond id and label
	extras map[string]string // path → operationId of GET operations returning a string
	notes  string            // the list operation's summary
}

func newMutableSpec() *mutableSpec {
	return &mutableSpec{extras: map[string]string{"/status": "getStatus"}, notes: "List the items"}
}

// mutate makes one random change.
func (s *mutableSpec) mutate(rng *rand.Rand, round int) {
	switch rng.IntN(6) {
	case 0:
		s.props = append(s.props, fmt.Sprintf("note%d", round))
	case 1:
		if len(s.props) > 0 {
			s.props = slices.Delete(s.props, 0, 1)
		}
	case 2:
		s.extras[fmt.Sprintf("/extra%d", round)] = fmt.Sprintf("getExtra%d", round)
	case 3:
		for p := range s.extras {
			delete(s.extras, p)
			break
		}
	case 4:
		for p := range s.extras {
			s.extras[p] = fmt.Sprintf("renamed%d", round)
			break
		}
	default:
		s.notes = fmt.Sprintf("List the items (round %d)", round)
	}
}

func (s *mutableSpec) write(t *testing.T, name string) {
	t.Helper()
	item := map[string]any{"type": "string"}
	props := map[string]any{
		"id":    map[string]any{"type": "integer", "format": "int64", "readOnly": true},
		"label": item,
	}
	for _, p := range s.props {
		props[p] = item
	}
	itemRef := map[string]any{"$ref": "#/components/schemas/Item"}
	jsonOf := func(schema any) map[string]any {
		return map[string]any{"application/json": map[string]any{"schema": schema}}
	}
	paths := map[string]any{
		"/items": map[string]any{
			"get": map[string]any{"operationId": "listItems", "summary": s.notes, "responses": map[string]any{
				"200": map[string]any{"description": "items", "content": jsonOf(map[string]any{"type": "array", "items": itemRef})},
			}},
			"post": map[string]any{
				"operationId": "createItem",
				"requestBody": map[string]any{"required": true, "content": jsonOf(itemRef)},
				"responses":   map[string]any{"201": map[string]any{"description": "created", "content": jsonOf(itemRef)}},
			},
		},
		"/items/{itemId}": map[string]any{
			"parameters": []any{map[string]any{"name": "itemId", "in": "path", "required": true, "schema": map[string]any{"type": "integer", "format": "int64"}}},
			"get": map[string]any{"operationId": "getItem", "responses": map[string]any{
				"200": map[string]any{"description": "the item", "content": jsonOf(itemRef)},
			}},
		},
	}
	for p, id := range s.extras {
		paths[p] = map[string]any{"get": map[string]any{"operationId": id, "tags": []any{"extras"}, "responses": map[string]any{
			"200": map[string]any{"description": "ok", "content": jsonOf(item)},
		}}}
	}
	doc := map[string]any{
		"openapi": "3.0.3",
		"info":    map[string]any{"title": "Shelf", "version": "1"},
		"paths":   paths,
		"components": map[string]any{"schemas": map[string]any{"Item": map[string]any{
			"type": "object", "required": []any{"label"}, "properties": props,
		}}},
	}
	data, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
