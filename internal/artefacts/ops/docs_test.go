package ops

import (
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/bkgen/bkgen/internal/artefacts/artefactstest"
)

// markdownFiles lists the Markdown files under docs/, relative to dir.
func markdownFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(filepath.Join(dir, "docs"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".md") {
			rel, rerr := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
			return rerr
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"docs/architecture.md", "docs/security.md", "docs/api.md",
		"docs/runbooks/README.md", "docs/runbooks/deploy.md", "docs/runbooks/rollback.md",
		"docs/runbooks/migration.md", "docs/runbooks/scaling.md",
		"docs/runbooks/secret-rotation.md", "docs/runbooks/incident-response.md",
	} {
		if !slices.Contains(out, want) {
			t.Errorf("%s is missing", want)
		}
	}
	return out
}

var (
	fencedBlock = regexp.MustCompile("(?ms)^ {0,3}```.*?^ {0,3}```[ \t]*$")
	mdLink      = regexp.MustCompile(`\[[^\]]*\]\(([^)\s]+)\)`)
	heading     = regexp.MustCompile(`(?m)^#{1,6} +(.+?) *$`)
)

// prose is a Markdown text without its code blocks and code spans, where
// brackets and parentheses are not links.
func prose(md string) string {
	return stripCodeSpans(fencedBlock.ReplaceAllString(md, ""), false)
}

// stripCodeSpans drops each code span of md (a run of backticks, up to the
// next run as long: CommonMark), or only its backticks with keepText.
func stripCodeSpans(md string, keepText bool) string {
	var b strings.Builder
	for i := 0; i < len(md); {
		if md[i] != '`' {
			b.WriteByte(md[i])
			i++
			continue
		}
		n := 0
		for i+n < len(md) && md[i+n] == '`' {
			n++
		}
		fence := md[i : i+n]
		end := -1
		for j := i + n; j < len(md); {
			k := strings.Index(md[j:], fence)
			if k < 0 {
				break
			}
			k += j
			m := 0
			for k+m < len(md) && md[k+m] == '`' {
				m++
			}
			if m == n {
				end = k
				break
			}
			j = k + m
		}
		if end < 0 { // no closing run: the backticks are literal
			b.WriteString(fence)
			i += n
			continue
		}
		if keepText {
			b.WriteString(strings.TrimSpace(md[i+n : end]))
		}
		i = end + n
	}
	return b.String()
}

// anchor is the id GitHub gives a heading.
func anchor(h string) string {
	h = strings.ToLower(stripCodeSpans(h, true))
	var b strings.Builder
	for _, r := range h {
		switch {
		case r == ' ' || r == '-':
			b.WriteRune('-')
		case r == '_' || 'a' <= r && r <= 'z' || '0' <= r && r <= '9' || r > 127:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// TestDocsLinks: every relative link of docs/**/*.md names a file of the
// generated repository (and a heading of it, with a #fragment), and no
// template text or missing value leaked into the docs.
func TestDocsLinks(t *testing.T) {
	forEachCase(t, func(t *testing.T, c genCase, dir string) {
		for _, rel := range markdownFiles(t, dir) {
			md := string(artefactstest.ReadFile(t, dir, rel))
			for _, leak := range []string{"<no value>", "{{", "}}", "%!"} {
				if strings.Contains(prose(md), leak) {
					t.Errorf("%s holds %q", rel, leak)
				}
			}
			for _, m := range mdLink.FindAllStringSubmatch(prose(md), -1) {
				checkLink(t, dir, rel, m[1])
			}
		}
	})
}

func checkLink(t *testing.T, dir, from, link string) {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Errorf("%s: link %q: %v", from, link, err)
		return
	}
	if u.Scheme != "" {
		if u.Scheme != "https" {
			t.Errorf("%s: link %q: only https links leave the repository", from, link)
		}
		return
	}
	target := from
	if u.Path != "" {
		target = path.Join(path.Dir(from), u.Path)
	}
	if strings.HasPrefix(target, "../") {
		t.Errorf("%s: link %q leaves the repository", from, link)
		return
	}
	data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(target)))
	if err != nil {
		t.Errorf("%s: link %q: %s does not exist in the generated repo", from, link, target)
		return
	}
	if u.Fragment == "" {
		return
	}
	var anchors []string
	for _, h := range heading.FindAllStringSubmatch(fencedBlock.ReplaceAllString(string(data), ""), -1) {
		anchors = append(anchors, anchor(h[1]))
	}
	if !slices.Contains(anchors, u.Fragment) {
		t.Errorf("%s: link %q: %s has no heading #%s (it has %v)", from, link, target, u.Fragment, anchors)
	}
}

var (
	mermaidBlock = regexp.MustCompile("(?ms)^```mermaid\n(.*?)^```$")
	mermaidNode  = regexp.MustCompile(`^([A-Za-z_][\w-]*)\s*(\[\(|\(\(|\[|\(|\{|>)`)
	mermaidSub   = regexp.MustCompile(`^subgraph\s+([A-Za-z_][\w-]*)`)
	mermaidArrow = regexp.MustCompile(`\s*(?:-->|-\.->|==>|---)(?:\|[^|]*\|)?\s*`)
	mermaidID    = regexp.MustCompile(`^[A-Za-z_][\w-]*$`)
)

// TestArchitectureMermaid: docs/architecture.md has one Mermaid flowchart
// whose edges join declared nodes, with every node on the request path
// connected, and the service's database drawn when it has one.
func TestArchitectureMermaid(t *testing.T) {
	forEachCase(t, func(t *testing.T, c genCase, dir string) {
		md := string(artefactstest.ReadFile(t, dir, "docs/architecture.md"))
		blocks := mermaidBlock.FindAllStringSubmatch(md, -1)
		if len(blocks) != 1 {
			t.Fatalf("docs/architecture.md has %d mermaid blocks, want 1", len(blocks))
		}
		lines := strings.Split(strings.TrimSpace(blocks[0][1]), "\n")
		if !strings.HasPrefix(lines[0], "flowchart ") {
			t.Fatalf("the diagram starts with %q, want a flowchart", lines[0])
		}
		declared := map[string]bool{}
		subgraphs := map[string]bool{}
		var edges [][]string
		depth := 0
		for _, line := range lines[1:] {
			line = strings.TrimSpace(line)
			switch {
			case line == "":
			case line == "end":
				depth--
			case mermaidSub.MatchString(line):
				id := mermaidSub.FindStringSubmatch(line)[1]
				subgraphs[id] = true
				depth++
			case mermaidArrow.MatchString(line):
				ends := mermaidArrow.Split(line, -1)
				for _, e := range ends {
					if !mermaidID.MatchString(e) {
						t.Errorf("edge %q: %q is not a bare node id", line, e)
					}
				}
				edges = append(edges, ends)
			case mermaidNode.MatchString(line):
				id := mermaidNode.FindStringSubmatch(line)[1]
				if declared[id] {
					t.Errorf("node %s declared twice", id)
				}
				declared[id] = true
				if strings.Count(line, `"`)%2 != 0 {
					t.Errorf("node %s: unbalanced quotes in %q", id, line)
				}
			default:
				t.Errorf("a line of the diagram is neither a node, an edge nor a subgraph: %q", line)
			}
			if depth < 0 {
				t.Fatal("an end without its subgraph")
			}
		}
		if depth != 0 {
			t.Errorf("%d subgraphs are not closed", depth)
		}
		connected := map[string]bool{}
		for _, e := range edges {
			for _, id := range e {
				if !declared[id] && !subgraphs[id] {
					t.Errorf("edge %v: node %s is not declared", e, id)
				}
				connected[id] = true
			}
		}
		for id := range declared {
			if !connected[id] && !strings.HasPrefix(id, "t_") {
				t.Errorf("node %s is joined to nothing", id)
			}
		}
		for _, id := range []string{"clients", "api", "router", "admin", "prometheus"} {
			if !declared[id] {
				t.Errorf("the diagram has no node %s", id)
			}
		}
		if got, want := declared["database"], c.db != "none"; got != want {
			t.Errorf("database node drawn: %v, want %v (database %s)", got, want, c.db)
		}
		for _, target := range c.targets {
			if !declared["t_"+target] {
				t.Errorf("the deploy target %s is not drawn", target)
			}
		}
	})
}

// TestSecurityCoversOWASP: docs/security.md has a section per risk of the
// OWASP API Security Top 10 2023, in order, none empty.
func TestSecurityCoversOWASP(t *testing.T) {
	forEachCase(t, func(t *testing.T, c genCase, dir string) {
		md := string(artefactstest.ReadFile(t, dir, "docs/security.md"))
		sections := regexp.MustCompile(`(?m)^## (API\d+):2023 `).FindAllStringSubmatchIndex(md, -1)
		var ids []string
		for i, s := range sections {
			ids = append(ids, md[s[2]:s[3]])
			end := len(md)
			if i+1 < len(sections) {
				end = sections[i+1][0]
			}
			body := md[s[1]:end]
			if _, rest, _ := strings.Cut(body, "\n"); len(strings.Fields(rest)) < 10 {
				t.Errorf("section %s says almost nothing: %q", ids[i], rest)
			}
		}
		var want []string
		for i := 1; i <= 10; i++ {
			want = append(want, fmt.Sprintf("API%d", i))
		}
		if !slices.Equal(ids, want) {
			t.Errorf("security.md sections %v, want %v", ids, want)
		}
	})
}

// TestAPIListsEveryOperation: docs/api.md has a section per operation of
// the spec, titled with its method and its path under the base path.
func TestAPIListsEveryOperation(t *testing.T) {
	forEachCase(t, func(t *testing.T, c genCase, dir string) {
		md := string(artefactstest.ReadFile(t, dir, "docs/api.md"))
		base := basePath(t, dir)
		ops := specOperations(t, dir)
		for _, op := range ops {
			h := "\n### " + op.method + " " + base + op.path + "\n"
			if !strings.Contains(md, h) {
				t.Errorf("docs/api.md has no section %q", strings.TrimSpace(h))
			}
		}
		n := len(ops)
		if got := strings.Count(md, "\n### "); got != n {
			t.Errorf("docs/api.md has %d operation sections, the spec %d operations", got, n)
		}
	})
}

// operation is a method and path of the spec.
type operation struct{ method, path string }

// specOperations lists the operations of the generated repo's copy of the
// spec.
func specOperations(t *testing.T, dir string) []operation {
	t.Helper()
	specFile := "api/openapi.yaml"
	if _, err := os.Stat(filepath.Join(dir, specFile)); err != nil {
		specFile = "api/openapi.json"
	}
	var spec struct {
		Paths map[string]map[string]any `json:"paths"`
	}
	if err := yaml.Unmarshal(artefactstest.ReadFile(t, dir, specFile), &spec); err != nil {
		t.Fatalf("%s: %v", specFile, err)
	}
	var out []operation
	for p, item := range spec.Paths {
		for method := range item {
			switch method {
			case "get", "put", "post", "delete", "options", "head", "patch", "trace":
				out = append(out, operation{strings.ToUpper(method), p})
			}
		}
	}
	if len(out) == 0 {
		t.Fatalf("%s has no operation: the test reads it wrong", specFile)
	}
	return out
}

// targetCommands are the commands the runbooks give for each deploy target,
// and only for it.
var targetCommands = map[string]string{
	"kubernetes": "kubectl apply -k",
	"helm":       "helm upgrade --install",
	"serverless": "sam deploy",
	"vm":         "deploy/vm/install.sh",
	"docker":     "docker compose up --build -d",
}

// secretVars are the secret settings and secret files bkgen's services
// read; secret-rotation.md has a section for each one a service reads.
var secretVars = []string{
	"DATABASE_URL", "JWT_SECRET", "JWT_PUBLIC_KEY_FILE", "OAUTH2_CLIENT_SECRET",
	"SESSION_SECRET", "WEBHOOK_SECRET", "API_KEYS_FILE", "BASIC_AUTH_FILE",
}

// TestRunbooksFollowTheService: the runbooks give the commands of the
// service's deploy targets and no others, with its names; migrations only
// with a database; a rotation section per secret it reads.
func TestRunbooksFollowTheService(t *testing.T) {
	forEachCase(t, func(t *testing.T, c genCase, dir string) {
		name := serviceName(t, dir)
		read := func(rel string) string { return string(artefactstest.ReadFile(t, dir, rel)) }
		deploy, rollback := read("docs/runbooks/deploy.md"), read("docs/runbooks/rollback.md")
		for target, cmd := range targetCommands {
			if got, want := strings.Contains(deploy, cmd), slices.Contains(c.targets, target); got != want {
				t.Errorf("deploy.md gives %q: %v, but deploys to %s: %v", cmd, got, target, want)
			}
		}
		if slices.Contains(c.targets, "kubernetes") && !strings.Contains(rollback, "kubectl -n $NAMESPACE rollout undo deployment/"+name+" ") {
			t.Errorf("rollback.md does not undo the Deployment %s", name)
		}
		if slices.Contains(c.targets, "helm") && !strings.Contains(rollback, "helm rollback "+name+" ") {
			t.Errorf("rollback.md does not roll the Helm release %s back", name)
		}
		if slices.Contains(c.targets, "vm") && !strings.Contains(deploy, "/etc/"+name+"/"+name+".env") {
			t.Errorf("deploy.md does not name the VM's env file /etc/%s/%s.env", name, name)
		}

		_, err := os.Stat(filepath.Join(dir, "migrations", "0001_init.sql"))
		hasDB := err == nil
		migration, scaling := read("docs/runbooks/migration.md"), read("docs/runbooks/scaling.md")
		if got := strings.Contains(migration, name+" migrate down"); got != hasDB {
			t.Errorf("migration.md explains `migrate down`: %v, the service has a database: %v", got, hasDB)
		}
		if got, want := strings.Contains(scaling, "## Database connections: DB_MAX_CONNS × replicas"), hasDB && c.db != "sqlite"; got != want {
			t.Errorf("scaling.md weighs DB_MAX_CONNS against the database: %v, want %v", got, want)
		}
		if got, want := strings.Contains(scaling, "SQLite: one instance only"), hasDB && c.db == "sqlite"; got != want {
			t.Errorf("scaling.md keeps SQLite to one instance: %v, want %v", got, want)
		}

		readme, rotation := read("README.md"), read("docs/runbooks/secret-rotation.md")
		for _, v := range secretVars {
			reads := strings.Contains(readme, "| `"+v+"` |")
			if v == "DATABASE_URL" && c.db == "sqlite" {
				reads = false // a file name, not a secret
			}
			if got := strings.Contains(rotation, "### `"+v+"`"); got != reads {
				t.Errorf("secret-rotation.md has a section on %s: %v, the service reads it: %v", v, got, reads)
			}
		}
	})
}
