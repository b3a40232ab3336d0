package spec

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestScratch(t *testing.T) {
	cases := map[string]string{
		"float.yaml":  "openapi: 3.0\ninfo: {title: t, version: v}\npaths: {}\n",
		"v33.yaml":    "openapi: 3.3.0\ninfo: {title: t, version: v}\npaths: {}\n",
		"sw2.yaml":    "swagger: 2.0\ninfo: {title: t, version: v}\npaths: {}\n",
		"bom.json":    "\xef\xbb\xbf{\"openapi\": \"3.0.0\", \"info\": {\"title\": \"t\", \"version\": \"v\"}, \"paths\": {}}",
		"hooks.yaml":  "openapi: 3.1.0\ninfo: {title: t, version: v}\nwebhooks:\n  a:\n    post:\n      responses: {'200': {description: ok}}\n",
		"empty31.yaml": "openapi: 3.1.0\ninfo: {title: t, version: v}\n",
		"hash.yaml":   "openapi: 3.0.0\ninfo: {title: t, version: v}\npaths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: '#'}\n",
		"cycle.yaml":  "openapi: 3.0.0\ninfo: {title: t, version: v}\npaths: {}\ncomponents:\n  schemas:\n    A: {$ref: '#/components/schemas/B'}\n    B: {$ref: '#/components/schemas/A'}\n",
		"selfpath.yaml": "openapi: 3.0.0\ninfo: {title: t, version: v}\npaths:\n  /a: {$ref: '#/paths/~1a'}\n",
		"anchors.yaml": "openapi: 3.0.0\ninfo: {title: t, version: v}\npaths:\n  /a:\n    get: &op\n      responses:\n        '200': {description: ok}\n  /b:\n    get: *op\ncomponents:\n  schemas:\n    Base: &base {type: object, properties: {id: {type: integer}}}\n    Ext:\n      <<: *base\n      required: [id]\n",
		"multidoc.yaml": "openapi: 3.0.0\ninfo: {title: t, version: v}\npaths: {}\n---\nfoo: bar\n",
		"empty.yaml": "",
		"comment.yaml": "# nothing\n",
		"list.yaml": "- a\n- b\n",
		"pct.yaml":  "openapi: 3.0.0\ninfo: {title: t, version: v}\npaths:\n  /a:\n    get:\n      responses:\n        '200': {$ref: '#/components/responses/A%20B'}\ncomponents:\n  responses:\n    A B: {description: ok}\n",
		"respref.yaml": "openapi: 3.0.0\ninfo: {title: t, version: v}\npaths:\n  /a:\n    get:\n      responses:\n        '200': {description: ok}\n  /b:\n    get:\n      responses:\n        '200': {$ref: '#/paths/~1a/get/responses/200'}\n",
		"disc.yaml": "openapi: 3.0.0\ninfo: {title: t, version: v}\npaths: {}\ncomponents:\n  schemas:\n    P:\n      oneOf: [{$ref: '#/components/schemas/C'}]\n      discriminator:\n        propertyName: k\n        mapping: {c: '#/components/schemas/Nope'}\n    C: {type: object, properties: {k: {type: string}}}\n",
		"nullpaths.yaml": "openapi: 3.0.0\ninfo: {title: t, version: v}\npaths:\n",
		"info5.yaml": "openapi: 3.0.0\ninfo: 5\npaths: {}\n",
		"noinfo.yaml": "openapi: 3.0.0\npaths: {}\n",
		"badpathkey.yaml": "openapi: 3.0.0\ninfo: {title: t, version: v}\npaths:\n  pets: {}\n",
	}
	dir := t.TempDir()
	for name, content := range cases {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(content), 0o600)
		start := time.Now()
		doc, diags := Load(p)
		t.Logf("== %s ok=%v %v", name, doc != nil, time.Since(start))
		for _, d := range diags {
			t.Logf("   %s [%s]", d, d.Hint)
		}
	}
}
