package main

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
)

var routes = []string{"get", "list", "create"}

var routeNames = map[string]string{
	"get":    "get by id",
	"list":   "list (20)",
	"create": "create",
}

// summary is the medians of one implementation's runs of one route.
type summary struct {
	rps, p50, p99, cpu float64
	errors, runs       int
}

// report renders the markdown table: medians over the rounds, then every run.
func report(o options, runs []runResult) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Service benchmark: %d connections, %s warm-up + %s measured per route, %d seeded pets, GOMAXPROCS=%d for each service and the load generator (sharing %d CPUs with PostgreSQL), %d database connections per service, %d round(s), medians.\n\n",
		o.conns, o.warmup, o.duration, o.seed, o.gomaxprocs, runtime.NumCPU(), o.pool, o.rounds)
	b.WriteString("| implementation | route | req/s | p50 ms | p99 ms | errors | server CPU µs/req | req/s vs baseline | CPU/req vs baseline |\n")
	b.WriteString("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	base := map[string]summary{}
	for _, route := range routes {
		if s, ok := summarize(runs, "baseline", route); ok {
			base[route] = s
		}
	}
	for _, im := range o.impls {
		for _, route := range routes {
			s, ok := summarize(runs, im.name, route)
			if !ok {
				continue
			}
			rpsRatio, cpuRatio := "—", "—"
			if bs, ok := base[route]; ok && bs.rps > 0 && bs.cpu > 0 {
				rpsRatio = fmt.Sprintf("%.0f%%", 100*s.rps/bs.rps)
				cpuRatio = fmt.Sprintf("%.2f×", s.cpu/bs.cpu)
			}
			fmt.Fprintf(&b, "| %s | %s | %.0f | %.2f | %.2f | %d | %.0f | %s | %s |\n",
				im.name, routeNames[route], s.rps, s.p50, s.p99, s.errors, s.cpu, rpsRatio, cpuRatio)
		}
	}
	b.WriteString("\nEvery run (load average: `uptime`'s 1, 5 and 15 minutes at the end of the window):\n\n")
	b.WriteString("| implementation | round | route | req/s | p50 ms | p99 ms | errors | server CPU µs/req | load gen CPU µs/req | load average |\n")
	b.WriteString("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n")
	for _, rr := range runs {
		for _, r := range rr.results {
			fmt.Fprintf(&b, "| %s | %d | %s | %.0f | %.2f | %.2f | %d | %.0f | %.0f | %s |\n",
				rr.impl.name, rr.round+1, routeNames[r.Route], r.RPS, r.P50ms, r.P99ms, r.Errors,
				r.ServerCPUus, r.ClientCPUus, r.LoadAvg)
		}
	}
	for _, rr := range runs {
		for _, r := range rr.results {
			if r.FirstError != "" {
				fmt.Fprintf(&b, "\n%s, round %d, %s: first error: %s\n", rr.impl.name, rr.round+1, r.Route, r.FirstError)
			}
		}
	}
	return b.String()
}

func summarize(runs []runResult, name, route string) (summary, bool) {
	var rps, p50, p99, cpu []float64
	var s summary
	for _, rr := range runs {
		if rr.impl.name != name {
			continue
		}
		for _, r := range rr.results {
			if r.Route != route {
				continue
			}
			rps = append(rps, r.RPS)
			p50 = append(p50, r.P50ms)
			p99 = append(p99, r.P99ms)
			cpu = append(cpu, r.ServerCPUus)
			s.errors += r.Errors
			s.runs++
		}
	}
	if s.runs == 0 {
		return s, false
	}
	s.rps, s.p50, s.p99, s.cpu = median(rps), median(p50), median(p99), median(cpu)
	return s, true
}

func median(xs []float64) float64 {
	xs = slices.Clone(xs)
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}
