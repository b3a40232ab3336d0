package ci

import (
	"bytes"
	"encoding/json"
	"slices"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/bkgen/bkgen/internal/artefacts/artefactstest"
)

// dependabotConfig is the part of dependabot.yml's schema (version 2) the
// generated file may use; decoding rejects any other key.
type dependabotConfig struct {
	Version int `json:"version"`
	Updates []struct {
		PackageEcosystem string `json:"package-ecosystem"`
		Directory        string `json:"directory"`
		Schedule         struct {
			Interval string `json:"interval"`
		} `json:"schedule"`
		Groups map[string]struct {
			Patterns []string `json:"patterns"`
		} `json:"groups,omitempty"`
	} `json:"updates"`
}

// decodeDependabot decodes dependabot.yml strictly.
func decodeDependabot(raw []byte) (*dependabotConfig, error) {
	js, err := yaml.YAMLToJSON(raw)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	var c dependabotConfig
	if err := dec.Decode(&c); err != nil {
		return nil, err
	}
	return &c, nil
}

// TestDependabot: version 2, weekly updates of the Go modules and the
// workflow's actions, and of the Dockerfile's base images when there is one.
func TestDependabot(t *testing.T) {
	t.Parallel()
	for _, s := range services(t, "github", false) {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			c, err := decodeDependabot(artefactstest.ReadFile(t, s.dir, ".github/dependabot.yml"))
			if err != nil {
				t.Fatalf("dependabot.yml: %v", err)
			}
			if c.Version != 2 {
				t.Errorf("version %d, want 2", c.Version)
			}
			want := []string{"github-actions", "gomod"}
			if exists(s.dir, "Dockerfile") {
				want = append(want, "docker")
			}
			slices.Sort(want)
			var got []string
			for _, u := range c.Updates {
				got = append(got, u.PackageEcosystem)
				if u.Directory != "/" {
					t.Errorf("%s: directory %q, want /", u.PackageEcosystem, u.Directory)
				}
				if !slices.Contains([]string{"daily", "weekly", "monthly"}, u.Schedule.Interval) {
					t.Errorf("%s: schedule.interval %q", u.PackageEcosystem, u.Schedule.Interval)
				}
				for name, g := range u.Groups {
					if len(g.Patterns) == 0 {
						t.Errorf("%s: group %s has no patterns", u.PackageEcosystem, name)
					}
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("ecosystems %v, want %v", got, want)
			}
		})
	}
}

// TestDependabotDecodeIsStrict: a misspelt key fails the decode.
func TestDependabotDecodeIsStrict(t *testing.T) {
	t.Parallel()
	_, err := decodeDependabot([]byte("version: 2\nupdates:\n  - package-ecosystem: gomod\n    directory: /\n    schedul:\n      interval: weekly\n"))
	if err == nil {
		t.Error("a misspelt key (schedul) was accepted")
	}
}
