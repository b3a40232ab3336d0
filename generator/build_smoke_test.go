package generator

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/bkgen/bkgen/generator/config"
	"github.com/bkgen/bkgen/generator/diag"
	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"
)

func TestSmokeBuild(t *testing.T) {
	files, _ := filepath.Glob("../../shared/specs/*.*")
	more, _ := filepath.Glob("../../shared/specs/*/*.*")
	files = append(files, more...)
	for _, f := range files {
		if filepath.Ext(f) == ".md" {
			continue
		}
		l := openapi3.NewLoader()
		l.IsExternalRefsAllowed = true
		var doc *openapi3.T
		var err error
		if filepath.Base(filepath.Dir(f)) == "swagger2" {
			data, _ := os.ReadFile(f)
			var d2 openapi2.T
			if err = d2.UnmarshalJSON(data); err == nil {
				doc, err = openapi2conv.ToV3(&d2)
			}
		} else {
			doc, err = l.LoadFromFile(f)
		}
		if err != nil {
			t.Logf("%s: load: %v", f, err)
			continue
		}
		cfg := config.Config{Coverage: 80, Database: "none"}
		svc, d := buildService(doc, &cfg, "openapi.yaml", func(string) diag.Pos { return diag.Pos{} })
		t.Logf("%s: %d types %d ops %d groups base=%q diags=%d", filepath.Base(f), len(svc.Types), len(svc.Operations), len(svc.Groups), svc.BasePath, len(d))
	}
}
