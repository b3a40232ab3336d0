package render

import (
	"mime/multipart"
	"strings"
	"testing"

	"github.com/bkgen/bkgen/generator/ir"
)

func TestFuzzCase(t *testing.T) {
	t.Parallel()
	str := &ir.Schema{Kind: ir.KindString}
	op := &ir.Operation{
		GoName: "GetFile", Method: "GET", Path: "/owners/{owner}/files/{fileId}",
		// Declared in another order than the path's.
		Params: []*ir.Param{
			{Name: "fileId", In: "path", Required: true, Schema: &ir.Schema{Kind: ir.KindInt64}},
			{Name: "owner", In: "path", Required: true, Schema: str},
		},
	}
	fc := fuzzCase(&OpCase{Op: op, Valid: &RequestCase{
		Target: "/v1/owners/string/files/1?limit=1", Headers: [][2]string{{"X-Trace", "a"}, {"Cookie", "s=1"}},
	}})
	if got := strings.Join(fc.PathParams, ","); got != "owner,fileId" {
		t.Errorf("PathParams = %s, want owner,fileId (the path's order)", got)
	}
	if fc.PathValues != "string\n1" || fc.Query != "limit=1" || fc.Headers != "X-Trace: a\nCookie: s=1\n" {
		t.Errorf("seed = %q %q %q", fc.PathValues, fc.Query, fc.Headers)
	}
	if fc.ContentType != "" || fc.Body != "" {
		t.Errorf("a GET has content type %q and body %q", fc.ContentType, fc.Body)
	}
}

func TestFuzzCaseBodies(t *testing.T) {
	t.Parallel()
	upload := &ir.Type{Name: "Upload", Kind: ir.TypeStruct, Fields: []*ir.Field{
		{Name: "file", Schema: &ir.Schema{Kind: ir.KindString, Format: "binary"}},
		{Name: "note", Schema: &ir.Schema{Kind: ir.KindString}},
	}}
	for _, c := range []struct {
		name string
		body *ir.Body
		want string
	}{
		{"json wildcard", &ir.Body{Kind: ir.BodyJSON, MediaTypes: []string{"application/*"}}, "application/json"},
		{"binary wildcard", &ir.Body{Kind: ir.BodyBinary, MediaTypes: []string{"*/*"}}, "application/octet-stream"},
		{"text", &ir.Body{Kind: ir.BodyText, MediaTypes: []string{"text/csv"}}, "text/csv"},
		{
			"multipart",
			&ir.Body{Kind: ir.BodyMultipart, MediaTypes: []string{"multipart/form-data"}, Schema: &ir.Schema{Kind: ir.KindNamed, Named: upload}},
			"multipart/form-data; boundary=" + fuzzBoundary,
		},
	} {
		op := &ir.Operation{GoName: "Put", Method: "PUT", Path: "/x", Body: c.body}
		fc := fuzzCase(&OpCase{Op: op})
		if fc.ContentType != c.want {
			t.Errorf("%s: content type %q, want %q", c.name, fc.ContentType, c.want)
		}
		if c.body.Kind != ir.BodyMultipart {
			continue
		}
		// The seed is a multipart body: a file part, a text part.
		form, err := multipart.NewReader(strings.NewReader(fc.Body), fuzzBoundary).ReadForm(1 << 20)
		if err != nil {
			t.Fatalf("%s: %v\n%s", c.name, err, fc.Body)
		}
		if len(form.File["file"]) != 1 || form.File["file"][0].Filename != "seed.bin" || len(form.Value["note"]) != 1 {
			t.Errorf("%s: the seed has files %v and values %v", c.name, form.File, form.Value)
		}
	}
}
