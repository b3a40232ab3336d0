// Package kube checks the Kubernetes manifests bkgen generates, from the
// kustomize base and overlays (its tests) and from the Helm chart (package
// helm's tests, which share Decode and Check): every object decoded strictly
// into the Kubernetes and Prometheus Operator API types, then the properties
// a deployment relies on (probes, security, settings by reference, the
// migration, the alerts).
package kube

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"

	monv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"

	"github.com/bkgen/bkgen/generator"
	"github.com/bkgen/bkgen/generator/config"
	"github.com/bkgen/bkgen/generator/ir"
)

// Object is one decoded manifest.
type Object struct {
	// Source names where it came from: a file, an overlay, a chart template.
	Source string
	// APIVersion and Kind are the manifest's own.
	APIVersion, Kind string
	// Value is a pointer to the API type: *appsv1.Deployment, *monv1.PrometheusRule...
	Value any
}

// kinds maps apiVersion/kind to the API type a manifest must decode into.
// A Secret decodes too, so that Check can say that none may be generated.
var kinds = map[string]func() any{
	"v1/ConfigMap":                            func() any { return &corev1.ConfigMap{} },
	"v1/Namespace":                            func() any { return &corev1.Namespace{} },
	"v1/PersistentVolumeClaim":                func() any { return &corev1.PersistentVolumeClaim{} },
	"v1/Secret":                               func() any { return &corev1.Secret{} },
	"v1/Service":                              func() any { return &corev1.Service{} },
	"v1/ServiceAccount":                       func() any { return &corev1.ServiceAccount{} },
	"apps/v1/Deployment":                      func() any { return &appsv1.Deployment{} },
	"autoscaling/v2/HorizontalPodAutoscaler":  func() any { return &autoscalingv2.HorizontalPodAutoscaler{} },
	"batch/v1/Job":                            func() any { return &batchv1.Job{} },
	"networking.k8s.io/v1/NetworkPolicy":      func() any { return &networkingv1.NetworkPolicy{} },
	"policy/v1/PodDisruptionBudget":           func() any { return &policyv1.PodDisruptionBudget{} },
	"monitoring.coreos.com/v1/PrometheusRule": func() any { return &monv1.PrometheusRule{} },
	"monitoring.coreos.com/v1/ServiceMonitor": func() any { return &monv1.ServiceMonitor{} },
}

// Decode splits a YAML stream into its documents and decodes each strictly
// into its API type: an unknown or misspelt field, a duplicate key or a
// wrong type is an error, as is a kind this package does not know. Empty
// documents (only comments) are skipped.
func Decode(source string, data []byte) ([]Object, error) {
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var out []Object
	for i := 1; ; i++ {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: document %d: %w", source, i, err)
		}
		var head struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
		}
		var m map[string]any
		if err := yaml.Unmarshal(doc, &m); err != nil {
			return nil, fmt.Errorf("%s: document %d: %w", source, i, err)
		}
		if len(m) == 0 {
			continue
		}
		if err := yaml.Unmarshal(doc, &head); err != nil {
			return nil, fmt.Errorf("%s: document %d: %w", source, i, err)
		}
		newValue, ok := kinds[head.APIVersion+"/"+head.Kind]
		if !ok {
			return nil, fmt.Errorf("%s: document %d: unexpected apiVersion %q kind %q", source, i, head.APIVersion, head.Kind)
		}
		v := newValue()
		if err := UnmarshalStrict(doc, v); err != nil {
			return nil, fmt.Errorf("%s: document %d (%s): %w", source, i, head.Kind, err)
		}
		out = append(out, Object{Source: source, APIVersion: head.APIVersion, Kind: head.Kind, Value: v})
	}
}

// UnmarshalStrict decodes YAML into v as the API server's strict field
// validation does: a duplicate key, an unknown field or a field whose case
// differs (readOnlyRootFileSystem) is an error. (sigs.k8s.io/yaml's
// UnmarshalStrict goes through encoding/json, which matches names without
// regard to case.)
func UnmarshalStrict(data []byte, v any) error {
	j, err := yaml.YAMLToJSONStrict(data)
	if err != nil {
		return err
	}
	strict, err := kjson.UnmarshalStrict(j, v, kjson.DisallowDuplicateFields, kjson.DisallowUnknownFields)
	if err != nil {
		return err
	}
	return errors.Join(strict...)
}

// All returns the objects of type *T.
func All[T any](objs []Object) []*T {
	var out []*T
	for _, o := range objs {
		if v, ok := o.Value.(*T); ok {
			out = append(out, v)
		}
	}
	return out
}

// CheckRules parses a PrometheusRule's groups as Prometheus does (rulefmt,
// with its validation) and each alert's expression with the PromQL parser,
// and returns the alerts' names and expressions in order.
func CheckRules(groups []monv1.RuleGroup) (names, exprs []string, errs []error) {
	data, err := yaml.Marshal(map[string]any{"groups": groups})
	if err != nil {
		return nil, nil, []error{err}
	}
	p := parser.NewParser(parser.Options{})
	rgs, errs := rulefmt.Parse(data, false, model.UTF8Validation, p, slog.New(slog.DiscardHandler))
	if len(errs) > 0 {
		return nil, nil, errs
	}
	for _, g := range rgs.Groups {
		for _, r := range g.Rules {
			if _, err := p.ParseExpr(r.Expr); err != nil {
				errs = append(errs, fmt.Errorf("alert %s: %w", r.Alert, err))
			}
			names = append(names, r.Alert)
			exprs = append(exprs, strings.TrimSpace(r.Expr))
		}
	}
	return names, exprs, errs
}

// Service builds the service bkgen generates from spec with database db
// and the deploy targets deploy, as artefactstest.Generated does, and
// returns its model: the runtime table and the alerts the manifests must
// agree with.
func Service(t *testing.T, spec, db string, deploy []string) *ir.Service {
	t.Helper()
	cfg := config.Default()
	cfg.Database = db
	cfg.Deploy = deploy
	cfg.CI = "none"
	_, svc, _, err := generator.Generate(context.Background(), spec, cfg)
	if err != nil {
		t.Fatalf("generate %s (%s): %v", spec, db, err)
	}
	return svc
}
