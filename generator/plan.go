package generator

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/bkgen/bkgen/blueprints"
	"github.com/bkgen/bkgen/generator/blueprint"
	"github.com/bkgen/bkgen/generator/config"
	"github.com/bkgen/bkgen/generator/diag"
	"github.com/bkgen/bkgen/generator/ir"
	"github.com/bkgen/bkgen/generator/render"
	"github.com/bkgen/bkgen/generator/write"
	"github.com/bkgen/bkgen/internal/sqlc"
	"github.com/bkgen/bkgen/stacks"
)

// Version is bkgen's version, recorded in every lock; set by the CLI from
// the build information.
var Version = "(devel)"

// planJob is one file of the plan to render: its template, its path in the
// repository and the data the template sees.
type planJob struct {
	tmpl, out string
	data      *render.FileData
	owner     write.Owner
}

// layout is the service's files before rendering: the renderer and the jobs,
// one per rendered file. sqlc's output and the fixed files plan adds are not
// among them.
type layout struct {
	r        *render.Renderer
	composed *blueprint.Composed
	jobs     []planJob
}

// layoutOf lists the files the stack, the blueprint overlays and the service
// make, without rendering them: plan renders them, Explain counts them.
func layoutOf(svc *ir.Service, stack stacks.Stack, specBytes []byte, overlays []*blueprint.Overlay) (*layout, error) {
	var fsys fs.FS = blueprints.FS
	var composed *blueprint.Composed
	var hooks []string
	if len(overlays) > 0 {
		var err error
		if composed, err = blueprint.Compose(blueprints.FS, overlays); err != nil {
			return nil, err
		}
		fsys, hooks = composed.FS, composed.Hooks
	}
	r, err := render.New(fsys, svc, hooks...)
	if err != nil {
		return nil, templateError(err, composed)
	}
	base := &render.FileData{
		Service:  svc,
		Stack:    render.StackData{Name: stack.Name, Pattern: stack.Pattern},
		Patterns: r.Patterns(),
		Errors:   errorTypes(svc),
		Tests:    render.BuildTests(svc),
		Spec:     specBytes,
	}
	var jobs []planJob
	add := func(tmpl, out string, data *render.FileData) {
		owner := ownerOf(out)
		if o, ok := blueprint.Owner(overlays, out); ok {
			owner = write.Owner(o)
		}
		jobs = append(jobs, planJob{tmpl, out, data, owner})
	}
	outputs := make(map[string]string)
	// The shared templates, then the stack's hooks (which may add files or
	// replace shared ones at the same output path).
	dirs := []string{"service"}
	if svc.HasDatabase() {
		if svc.Database != "postgres" {
			dirs = append(dirs, "db/sql") // what the database/sql engines share
		}
		dirs = append(dirs, "db/"+svc.Database)
	}
	dirs = append(dirs, stack.Hooks, "ops")
	// Kubernetes and Helm run the image the Dockerfile builds.
	if svc.Deploys("docker") || svc.Deploys("kubernetes") || svc.Deploys("helm") {
		dirs = append(dirs, "deploy/docker")
	}
	for _, t := range svc.Deploy.Targets {
		if t != "docker" {
			dirs = append(dirs, "deploy/"+t)
		}
	}
	if svc.Deploy.CI != "" && svc.Deploy.CI != "none" {
		dirs = append(dirs, "ci/"+svc.Deploy.CI)
	}
	for _, dir := range dirs {
		for _, name := range r.Templates(dir) {
			rel := strings.TrimSuffix(strings.TrimPrefix(name, dir+"/"), ".tmpl")
			outputs[rel] = name
		}
	}
	for _, rel := range sortedKeys(outputs) {
		tmpl := outputs[rel]
		if !included(rel, svc) || !stressIncluded(rel, svc, base.Tests) || blueprint.Removed(overlays, strings.ReplaceAll(rel, "{{.Service.Name}}", svc.Name)) {
			continue
		}
		rel = strings.ReplaceAll(rel, "{{.Service.Name}}", svc.Name)
		if strings.Contains(rel, "{{.Alert.") {
			for _, a := range svc.Alerts {
				data := *base
				data.Alert = a
				add(tmpl, strings.ReplaceAll(rel, "{{.Alert.Slug}}", a.Slug), &data)
			}
			continue
		}
		if !strings.Contains(rel, "{{.Group.") {
			add(tmpl, strings.ReplaceAll(rel, "{{.Service.Cmd}}", svc.Cmd), base)
			continue
		}
		for _, g := range svc.Groups {
			data := *base
			data.Group = g
			add(tmpl, strings.ReplaceAll(rel, "{{.Group.File}}", g.File), &data)
		}
	}
	return &layout{r: r, composed: composed, jobs: jobs}, nil
}

// fixedFiles are the files every plan holds besides the rendered ones and
// sqlc's: the spec, its embedded copy, bkgen.yaml, go.mod and go.sum. Data is
// left out when withData is false (Explain only counts them).
func fixedFiles(svc *ir.Service, cfg *config.Config, stack stacks.Stack, specBytes []byte, withData bool) []write.File {
	files := []write.File{
		{Path: "api/" + svc.SpecFile, Owner: write.User},
		{Path: "internal/api/" + svc.EmbeddedSpec, Owner: write.Generated},
		{Path: "bkgen.yaml", Owner: write.Scaffold},
		{Path: "go.mod", Owner: write.Managed},
		{Path: "go.sum", Owner: write.Managed},
	}
	if withData {
		files[0].Data = specBytes
		files[1].Data = embeddedSpec(svc, specBytes)
		files[2].Data = config.Marshal(cfg)
		files[3].Data = goMod(svc, stack)
		files[4].Data = []byte(stack.GoSum)
	}
	return files
}

// plan renders every file of the service into memory. In a regen, repo is
// the repository: sqlc then reads its versions of the files bkgen does not
// rewrite (repoState.sqlcInputs); nil in new.
func plan(ctx context.Context, svc *ir.Service, cfg *config.Config, stack stacks.Stack, specBytes []byte, overlays []*blueprint.Overlay, repo *repoState) (*write.Plan, error) {
	l, err := layoutOf(svc, stack, specBytes, overlays)
	if err != nil {
		return nil, err
	}
	r, composed, jobs := l.r, l.composed, l.jobs
	files := make([]write.File, len(jobs))
	errs := make([]error, len(jobs))
	// sqlc's inputs are rendered first, and sqlc runs (in a child process)
	// while the rest renders: on a large spec it takes as long as a good
	// part of the rendering.
	var inputs []int
	order := make([]int, 0, len(jobs))
	for i, j := range jobs {
		if svc.HasDatabase() && sqlcInput(j.out) {
			inputs = append(inputs, i)
		} else {
			order = append(order, i)
		}
	}
	order = append(inputs, order...)
	var inputsDone sync.WaitGroup
	inputsDone.Add(len(inputs))
	sqlcCtx, cancelSqlc := context.WithCancel(ctx)
	defer cancelSqlc()
	var store []write.File
	var sqlcErr error
	sqlcDone := make(chan struct{})
	if svc.HasDatabase() {
		go func() {
			defer close(sqlcDone)
			inputsDone.Wait()
			in := make([]write.File, 0, len(inputs))
			for _, i := range inputs {
				if errs[i] != nil {
					return // plan reports it with the other render errors
				}
				in = append(in, files[i])
			}
			var fromRepo []string
			if repo != nil {
				if in, fromRepo, sqlcErr = repo.sqlcInputs(in); sqlcErr != nil {
					return
				}
			}
			store, sqlcErr = runSqlc(sqlcCtx, in)
			if sqlcErr != nil && len(fromRepo) > 0 {
				sqlcErr = repo.sqlcError(sqlcErr, fromRepo)
			}
		}()
	} else {
		close(sqlcDone)
	}
	var wg sync.WaitGroup
	next := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for k := range next {
				i := order[k]
				j := jobs[i]
				b, err := r.Render(j.tmpl, j.out, j.data)
				files[i], errs[i] = write.File{Path: j.out, Data: b, Owner: j.owner, Mode: modeOf(j.out), Source: sourceOf(composed, j.tmpl)}, err
				if k < len(inputs) {
					inputsDone.Done()
				}
			}
		})
	}
	for k := range order {
		next <- k
	}
	close(next)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		cancelSqlc()
		<-sqlcDone
		return nil, templateError(err, composed)
	}
	<-sqlcDone
	if sqlcErr != nil {
		return nil, sqlcErr
	}
	files = append(files, store...)
	files = append(files, fixedFiles(svc, cfg, stack, specBytes, true)...)
	slices.SortFunc(files, func(a, b write.File) int { return strings.Compare(a.Path, b.Path) })
	tables, err := tableModel(svc)
	if err != nil {
		return nil, err
	}
	return &write.Plan{
		Files: files,
		Lock: write.LockInfo{
			BkgenVersion: Version,
			Stack:        stack.Name,
			SpecHash:     specHash(specBytes),
			Tables:       tables,
			Blueprints:   lockBlueprints(overlays),
		},
	}, nil
}

// sourceOf names where a template comes from, for write.File.Source.
func sourceOf(composed *blueprint.Composed, tmpl string) string {
	if composed != nil {
		if f, ok := composed.From[tmpl]; ok && f.Overlay != nil {
			return f.Overlay.Name + "@" + f.Overlay.Version + ":" + f.Path
		}
	}
	return "bkgen:" + tmpl
}

// specHash is the spec's hash the lock records: "sha256:<hex>".
func specHash(spec []byte) string {
	sum := sha256.Sum256(spec)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// lockBlueprints is what the lock records of the overlays.
func lockBlueprints(overlays []*blueprint.Overlay) []write.Blueprint {
	var out []write.Blueprint
	for _, o := range overlays {
		out = append(out, write.Blueprint{Name: o.Name, Version: o.Version, Hash: o.Hash})
	}
	return out
}

// templateRE finds the template and line a text/template error names.
var templateRE = regexp.MustCompile(`template: ([^:\n]+):(\d+):(?:(\d+):)? ?`)

// templateError turns an error of an overlay's template into a diagnostic
// naming the overlay's file and line (exit 3: bad input, not a bkgen bug);
// an error of a built-in template is returned as it is.
func templateError(err error, composed *blueprint.Composed) error {
	if composed == nil {
		return err
	}
	var l diag.List
	for _, m := range templateRE.FindAllStringSubmatchIndex(err.Error(), -1) {
		msg := err.Error()
		name := msg[m[2]:m[3]]
		from, ok := composed.From[name]
		if !ok || from.Overlay == nil {
			continue
		}
		line, _ := strconv.Atoi(msg[m[4]:m[5]])
		col := 0
		if m[6] >= 0 {
			col, _ = strconv.Atoi(msg[m[6]:m[7]])
		}
		rest := msg[m[1]:]
		if i := strings.IndexByte(rest, '\n'); i >= 0 {
			rest = rest[:i]
		}
		l.Add(diag.Diagnostic{
			Severity: diag.Error, Pos: diag.Pos{File: from.Source(), Line: line, Col: col},
			Summary: "blueprint " + from.Overlay.Name + ": " + rest,
		})
	}
	if len(l) == 0 {
		return err
	}
	return l.Err()
}

// included reports whether the service has what a template renders: the
// webhook senders and their tests exist only when the spec sends webhooks,
// and the auth package and its wiring only when an operation is protected.
func included(rel string, svc *ir.Service) bool {
	if strings.HasPrefix(path.Base(rel), "webhooks_gen") {
		return svc.HasWebhooks()
	}
	if strings.HasPrefix(path.Base(rel), "idempotency_gen") {
		return svc.HasIdempotency()
	}
	if strings.HasPrefix(path.Base(rel), "keystore_db_gen") {
		return svc.KeysInDatabase()
	}
	if strings.HasPrefix(path.Base(rel), "sessionstore_db_gen") {
		return svc.SessionsInDatabase()
	}
	if strings.HasPrefix(rel, "internal/service/crud_gen") || strings.HasPrefix(rel, "internal/store/") || rel == "migrations/embed_gen.go" {
		return svc.HasDatabase() // the engine-neutral part of the data layer
	}
	if strings.HasPrefix(path.Base(rel), "migrate_goose_gen") || rel == "migrations/embed_gen_test.go" {
		return svc.HasDatabase() // the goose code and migration tests every engine shares
	}
	if rel == "internal/service/session_gen_test.go" {
		return svc.Login() != nil
	}
	if strings.HasPrefix(path.Base(rel), "storedb_gen") || strings.HasPrefix(path.Base(rel), "scopes_db_gen") {
		return svc.KeysInDatabase() || svc.SessionsInDatabase()
	}
	if strings.HasPrefix(rel, "internal/auth/") || strings.HasPrefix(path.Base(rel), "auth_gen") {
		return svc.HasAuth()
	}
	return true
}

// sqlcInput reports whether sqlc reads a rendered file: sqlc.yaml, the
// schema (the migrations) and the queries.
func sqlcInput(p string) bool {
	return p == "sqlc.yaml" || strings.HasPrefix(p, "migrations/") && strings.HasSuffix(p, ".sql") ||
		strings.HasPrefix(p, "internal/store/") && strings.HasSuffix(p, ".sql")
}

// runSqlc runs sqlc on the rendered schema, queries and sqlc.yaml, and
// returns the data access code it writes (internal/store), owned by bkgen.
func runSqlc(ctx context.Context, files []write.File) ([]write.File, error) {
	in := make(map[string][]byte)
	for _, f := range files {
		if sqlcInput(f.Path) {
			in[f.Path] = f.Data
		}
	}
	out, err := sqlc.Generate(ctx, in)
	if err != nil {
		return nil, fmt.Errorf("sqlc: %w", err)
	}
	var gen []write.File
	for _, p := range sortedKeys(out) {
		gen = append(gen, write.File{Path: p, Data: out[p], Owner: write.Generated})
	}
	return gen, nil
}

// tableModel is the data model recorded in the lock, for regen to diff.
func tableModel(svc *ir.Service) (json.RawMessage, error) {
	return encodeModel(render.ModelOf(svc))
}

// encodeModel is a data model as the lock records it; nil for none.
func encodeModel(m *render.Model) (json.RawMessage, error) {
	if m == nil {
		return nil, nil
	}
	data, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("record the table model: %w", err)
	}
	return data, nil
}

// ownerOf decides a file's owner by its name (DESIGN.md, "Blueprints and stacks").
func ownerOf(p string) write.Owner {
	base := path.Base(p)
	switch {
	case strings.HasSuffix(base, "_gen_test.go"), strings.Contains(base, "_gen."), base == "queries_gen.sql":
		return write.Generated
	case strings.HasPrefix(p, "cmd/") && base == "main.go":
		return write.Marked
	case strings.HasPrefix(p, "migrations/") && strings.HasSuffix(base, ".sql"):
		return write.Migration
	case base == "queries.sql":
		return write.User
	case strings.HasSuffix(base, ".go"):
		return write.User
	}
	return write.Scaffold
}

// modeOf is the permission of a generated file: scripts are executable.
func modeOf(p string) fs.FileMode {
	if strings.HasSuffix(p, ".sh") {
		return 0o755
	}
	return 0
}

// embeddedSpec is the copy of the spec package api embeds (go:embed cannot
// reach api/ from internal/api).
func embeddedSpec(svc *ir.Service, spec []byte) []byte {
	if strings.HasSuffix(svc.EmbeddedSpec, ".json") {
		return spec
	}
	return append([]byte("# Code generated by bkgen. DO NOT EDIT. The source is api/"+svc.SpecFile+".\n"), spec...)
}

func goMod(svc *ir.Service, stack stacks.Stack) []byte {
	return fmt.Appendf(nil, "module %s\n\ngo %s\n\n%s", svc.Module, stack.GoVersion, stack.Require)
}

// errorTypes lists the declared error schemas bkgen fills, once per type.
func errorTypes(svc *ir.Service) []*ir.ErrorResponse {
	seen := make(map[*ir.Type]bool)
	var out []*ir.ErrorResponse
	for _, op := range svc.Operations {
		for _, e := range []*ir.ErrorResponse{op.Error, op.Unauthorized, op.Forbidden} {
			if e != nil && !seen[e.Type] {
				seen[e.Type] = true
				out = append(out, e)
			}
		}
	}
	slices.SortFunc(out, func(a, b *ir.ErrorResponse) int { return strings.Compare(a.Type.Name, b.Type.Name) })
	return out
}
