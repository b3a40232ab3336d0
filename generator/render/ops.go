package render

import (
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/bkgen/bkgen/generator/ir"
)

// alertRules writes the service's alerting rules as the YAML list of
// Prometheus rule groups (the value of `groups:`), at no indentation: the
// plain rules file, the PrometheusRule of Kubernetes and the Helm chart all
// embed it ({{alertRules .Service | indent N}}), so they cannot differ.
func alertRules(svc *ir.Service) string {
	var b strings.Builder
	b.WriteString("- name: " + svc.Name + "\n  rules:\n")
	for _, a := range svc.Alerts {
		b.WriteString("    - alert: " + a.Name + "\n")
		b.WriteString("      expr: |-\n")
		for line := range strings.SplitSeq(a.Expr, "\n") {
			b.WriteString("        " + line + "\n")
		}
		b.WriteString("      for: " + a.For + "\n")
		b.WriteString("      labels:\n")
		b.WriteString("        severity: " + a.Severity + "\n")
		b.WriteString("        service: " + strconv.Quote(svc.Name) + "\n")
		if a.SLO != nil {
			b.WriteString("        route_group: " + strconv.Quote(a.SLO.Slug) + "\n")
		}
		b.WriteString("      annotations:\n")
		b.WriteString("        summary: " + strconv.Quote(a.Summary) + "\n")
		b.WriteString("        description: " + strconv.Quote(a.Meaning) + "\n")
		b.WriteString("        runbook_url: " + strconv.Quote(a.RunbookURL) + "\n")
	}
	return b.String()
}

// The funcs below write the operations docs (docs/api.md, docs/security.md,
// docs/architecture.md and the runbooks): Markdown and Mermaid text that
// stays well-formed whatever the spec's names and summaries hold.

// mdCell writes s as the text of one Markdown table cell: on one line, with
// the pipes that would end the cell escaped.
func mdCell(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return strings.ReplaceAll(s, "|", `\|`)
}

// mdCode writes s as one Markdown code span, with a fence longer than any
// run of backticks in s (CommonMark), and pipes escaped so that the span
// can stand in a table cell.
func mdCode(s string) string {
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return strings.ReplaceAll(fence+s+fence, "|", `\|`)
}

// repoDoc matches the path of a Markdown file of the generated repo's docs
// as the IR's texts write it: "docs/runbooks/rollback.md".
var repoDoc = regexp.MustCompile(`\bdocs/[A-Za-z0-9_./-]*[A-Za-z0-9_-]\.md\b`)

// mdLinks turns each path of a docs/ Markdown file in text, outside code
// spans, into a link relative to the folder from (a path of the repo, such
// as "docs/runbooks/alerts"), so that it works in the repository's web view
// and in an editor alike.
func mdLinks(from, text string) string {
	parts := strings.Split(text, "`")
	for i := 0; i < len(parts); i += 2 { // even parts are outside code spans
		if i == len(parts)-1 && len(parts)%2 == 0 {
			break // an unclosed backtick: the rest is literal
		}
		parts[i] = repoDoc.ReplaceAllStringFunc(parts[i], func(p string) string {
			return "[" + p + "](" + relPath(from, p) + ")"
		})
	}
	return strings.Join(parts, "`")
}

// relPath is the slash path of target relative to the folder from, both
// relative to the repository's root.
func relPath(from, target string) string {
	f := strings.Split(path.Clean(from), "/")
	t := strings.Split(path.Clean(target), "/")
	if path.Clean(from) == "." {
		f = nil
	}
	i := 0
	for i < len(f) && i < len(t)-1 && f[i] == t[i] {
		i++
	}
	return strings.Repeat("../", len(f)-i) + strings.Join(t[i:], "/")
}

// schemaDoc names the type of a schema use for a reader of the API docs:
// "Pet", "array of Pet", "string (date-time)", "map of integer (int64)".
func schemaDoc(s *ir.Schema) string {
	if s == nil {
		return "any"
	}
	var out string
	switch s.Kind {
	case ir.KindString, ir.KindTime, ir.KindBytes:
		out = "string"
	case ir.KindInt32, ir.KindInt64:
		out = "integer"
	case ir.KindFloat32, ir.KindFloat64:
		out = "number"
	case ir.KindBool:
		out = "boolean"
	case ir.KindNamed:
		out = s.Named.Name
	case ir.KindSlice:
		out = "array of " + schemaDoc(s.Elem)
	case ir.KindMap:
		out = "map of " + schemaDoc(s.Elem)
	default:
		out = "any"
	}
	format := s.Format
	switch {
	case format == "" && s.Kind == ir.KindTime:
		format = "date-time"
	case format == "" && s.Kind == ir.KindBytes:
		format = "byte"
	case format == "" && s.Kind == ir.KindInt64:
		format = "int64"
	}
	if format != "" && s.Kind != ir.KindNamed && s.Kind != ir.KindSlice && s.Kind != ir.KindMap {
		out += " (" + format + ")"
	}
	if s.Nullable {
		out += ", nullable"
	}
	return out
}

// securityDoc says in words what credentials an operation accepts: its
// requirements joined by "or", the schemes of one requirement by "and",
// each with the scopes it needs.
func securityDoc(op *ir.Operation) string {
	if len(op.Security) == 0 {
		return "none: public"
	}
	reqs := make([]string, 0, len(op.Security))
	for _, req := range op.Security {
		if len(req) == 0 {
			reqs = append(reqs, "anonymous")
			continue
		}
		uses := make([]string, 0, len(req))
		for _, u := range req {
			use := mdCode(u.Scheme.Name) + " (" + string(u.Scheme.Kind) + ")"
			if len(u.Scopes) > 0 {
				scopes := make([]string, len(u.Scopes))
				for i, sc := range u.Scopes {
					scopes[i] = mdCode(sc)
				}
				use += " with scope " + strings.Join(scopes, ", ")
			}
			uses = append(uses, use)
		}
		reqs = append(reqs, strings.Join(uses, " and "))
	}
	return strings.Join(reqs, " or ")
}

// mermaidText writes s as the text of a Mermaid node or edge label between
// double quotes: quotes and the characters Mermaid reads as markup become
// entity codes.
func mermaidText(s string) string {
	r := strings.NewReplacer(`"`, "#quot;", "<", "#lt;", ">", "#gt;", "#", "#35;", "\n", " ")
	return r.Replace(s)
}

// mdLink matches a Markdown link or image: its text and its target.
var mdLink = regexp.MustCompile(`!?\[([^\]]*)\]\(([^()\s]*)(?:\s+"[^"]*")?\)`)

// hasScheme matches a URL that names its scheme (https:, mailto:).
var hasScheme = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*:`)

// mdPlainLinks keeps the links of a spec's text that name a scheme and
// turns the others into their text: a relative link or an anchor points
// into the API vendor's own site, and would be broken in the generated
// repository.
func mdPlainLinks(s string) string {
	return mdLink.ReplaceAllStringFunc(s, func(m string) string {
		sub := mdLink.FindStringSubmatch(m)
		if hasScheme.MatchString(sub[2]) {
			return m
		}
		return sub[1]
	})
}

// mdQuote writes a spec's description as a Markdown block quote, so that
// its own headings and lists stay inside it, with its relative links made
// plain ([mdPlainLinks]).
func mdQuote(s string) string {
	lines := strings.Split(strings.TrimSpace(mdPlainLinks(s)), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight("> "+l, " ")
	}
	return strings.Join(lines, "\n")
}
