//go:build pprof

package main

// Built with -tags pprof (bench/service -profile does), the service serves
// net/http/pprof on PPROF_ADDR, a listener of its own: the API router never
// sees it. bench/service copies this file into the service bkgen generates
// for the same purpose.

import (
	"net/http"
	_ "net/http/pprof" //nolint:gosec // on its own loopback listener, for benchmarks only
	"os"
	"time"
)

func init() {
	addr := os.Getenv("PPROF_ADDR")
	if addr == "" {
		return
	}
	srv := &http.Server{Addr: addr, Handler: http.DefaultServeMux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.ListenAndServe() }()
}
