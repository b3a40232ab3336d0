package spec

import (
	"os"
	"testing"
	"time"
	"slices"
	"fmt"
	"syscall"
)

func cpu() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func TestPhases(t *testing.T) {
	path := corpusDir + "/large/stripe-spec3.yaml"
	data, _ := os.ReadFile(path)
	t0, c0 := time.Now(), cpu()
	lap := func(s string) { t.Logf("%s wall %v cpu %v", s, time.Since(t0), cpu()-c0); t0, c0 = time.Now(), cpu() }
	src, _ := parseSource(path, data)
	lap("parse")
	readVersion(src)
	r := newResolver(src, false)
	r.check()
	lap("check")
	d := &Document{Path: path, src: src}
	doc, _ := d.loadKin(data)
	lap("kin")
	validateDoc(doc, false)
	lap("validate nostub")
	validateDoc(doc, true)
	lap("validate stub")
}

func TestStubSame(t *testing.T) {
	for _, p := range corpusSpecs(t) {
		doc, _ := Load(p)
		a := validateDoc(doc.OpenAPI, false)
		b := validateDoc(doc.OpenAPI, true)
		c := validateDoc(doc.OpenAPI, false)
		f := func(x []finding) []string { var o []string; for _, y := range x { o = append(o, fmt.Sprint(y)) }; slices.Sort(o); return o }
		if !slices.Equal(f(a), f(b)) || !slices.Equal(f(a), f(c)) {
			t.Errorf("%s:\nno stub %v\nstub    %v\nafter %v", p, f(a), f(b), f(c))
		}
	}
}
