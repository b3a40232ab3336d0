// Command load is the load generator of the service benchmark (bench/service).
//
// Against the petstore-expanded API at -base it seeds -seed pets through
// POST /pets, checks that the service answers the three benchmarked routes
// with the right JSON, and then, for each route of -routes in turn, keeps -c
// connections busy for -warmup (not counted) and -duration (measured):
//
//	get     GET  /pets/{id}, an id drawn at random from the seeded pets
//	list    GET  /pets?limit=20, a page of 20
//	create  POST /pets {"name":…,"tag":"bench"}
//
// It is a closed loop: each connection sends its next request when the last
// one is answered, so requests/s is what the service sustains at that
// concurrency. A request counts if it started inside the measured window;
// anything but a 200 with its body read is an error. With -pid, it also reads
// that process's CPU time (/proc/PID/stat) across the window, so the service's
// CPU cost per request is known even when other work shares the machine.
// With -profile-url (a net/http/pprof base URL), it saves a CPU profile of
// each measured window to -profile-dir/ROUTE.pprof.
//
// Each route prints one line, or with -json one JSON object (see [Result]).
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Result is the measurement of one route.
type Result struct {
	Route       string  `json:"route"`
	Concurrency int     `json:"concurrency"`
	Seconds     float64 `json:"seconds"`  // the measured window
	Requests    int     `json:"requests"` // started in the window and answered
	Errors      int     `json:"errors"`   // of Requests: not a 200, or a transport error
	FirstError  string  `json:"first_error,omitempty"`
	RPS         float64 `json:"rps"` // successful requests per second
	P50ms       float64 `json:"p50_ms"`
	P90ms       float64 `json:"p90_ms"`
	P99ms       float64 `json:"p99_ms"`
	MaxMs       float64 `json:"max_ms"`
	// ServerCPUus is the CPU time of -pid per successful request, in
	// microseconds (0 without -pid).
	ServerCPUus float64 `json:"server_cpu_us_per_req"`
	// ClientCPUus is this generator's own CPU time per successful request.
	ClientCPUus float64 `json:"client_cpu_us_per_req"`
	// LoadAvg is /proc/loadavg's 1-minute figure at the end of the window.
	LoadAvg string `json:"loadavg"`
}

type options struct {
	base        string
	routes      []string
	seed        int
	conns       int
	warmup      time.Duration
	duration    time.Duration
	pid         int
	profileURL  string
	profileDir  string
	jsonOut     bool
	listLimit   int
	httpTimeout time.Duration
}

func main() {
	var o options
	var routes string
	flag.StringVar(&o.base, "base", "http://127.0.0.1:8080", "base URL of the API (where /pets is)")
	flag.StringVar(&routes, "routes", "get,list,create", "comma-separated routes to measure, in order: get, list, create")
	flag.IntVar(&o.seed, "seed", 1000, "pets to create before measuring (get draws from them; list needs at least 20)")
	flag.IntVar(&o.conns, "c", 32, "concurrent connections")
	flag.DurationVar(&o.warmup, "warmup", 10*time.Second, "time per route before measuring, not counted")
	flag.DurationVar(&o.duration, "duration", 20*time.Second, "measured time per route")
	flag.IntVar(&o.pid, "pid", 0, "process id of the service, to report its CPU time per request (Linux /proc)")
	flag.StringVar(&o.profileURL, "profile-url", "", "net/http/pprof base URL of the service (http://host:port/debug/pprof): save a CPU profile of each measured window")
	flag.StringVar(&o.profileDir, "profile-dir", ".", "where -profile-url's profiles go, as ROUTE.pprof")
	flag.BoolVar(&o.jsonOut, "json", false, "print one JSON object per route instead of a line of text")
	flag.IntVar(&o.listLimit, "list-limit", 20, "page size of the list route")
	flag.DurationVar(&o.httpTimeout, "timeout", 10*time.Second, "per-request timeout")
	flag.Parse()
	o.base = strings.TrimSuffix(o.base, "/")
	for r := range strings.SplitSeq(routes, ",") {
		if r = strings.TrimSpace(r); r != "" {
			o.routes = append(o.routes, r)
		}
	}
	if err := run(context.Background(), o, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options, out io.Writer) error {
	for _, r := range o.routes {
		if !slices.Contains([]string{"get", "list", "create"}, r) {
			return fmt.Errorf("unknown route %q (want get, list or create)", r)
		}
	}
	if o.conns < 1 || o.duration <= 0 || o.warmup < 0 {
		return errors.New("-c must be at least 1 and -duration positive")
	}
	client := &http.Client{
		Timeout: o.httpTimeout,
		Transport: &http.Transport{
			MaxIdleConns:        o.conns,
			MaxIdleConnsPerHost: o.conns,
			MaxConnsPerHost:     o.conns,
			DisableCompression:  true,
			IdleConnTimeout:     time.Minute,
		},
	}
	ids, err := seed(ctx, client, o)
	if err != nil {
		return err
	}
	if err := check(ctx, client, o, ids); err != nil {
		return err
	}
	for _, route := range o.routes {
		res, err := measure(ctx, client, o, route, ids)
		if err != nil {
			return err
		}
		if o.jsonOut {
			if err := json.NewEncoder(out).Encode(res); err != nil {
				return err
			}
			continue
		}
		fmt.Fprintf(out, "%-6s %8.0f req/s  p50 %6.2f ms  p90 %6.2f ms  p99 %6.2f ms  max %7.2f ms  errors %d/%d  server %5.0f µs/req  client %4.0f µs/req  load %s\n",
			res.Route, res.RPS, res.P50ms, res.P90ms, res.P99ms, res.MaxMs, res.Errors, res.Requests,
			res.ServerCPUus, res.ClientCPUus, res.LoadAvg)
	}
	return nil
}

// pet is the spec's Pet, as the services answer it.
type pet struct {
	ID   int64   `json:"id"`
	Name string  `json:"name"`
	Tag  *string `json:"tag"`
}

func newPetBody(name string) []byte {
	// The name is made of letters, digits and dashes: no escaping needed.
	return []byte(`{"name":"` + name + `","tag":"bench"}`)
}

// seed creates o.seed pets with o.conns workers and returns their ids.
func seed(ctx context.Context, client *http.Client, o options) ([]int64, error) {
	ids := make([]int64, o.seed)
	var wg sync.WaitGroup
	errc := make(chan error, o.conns)
	next := make(chan int)
	for range min(o.conns, max(o.seed, 1)) {
		wg.Go(func() {
			for i := range next {
				p, err := createPet(ctx, client, o.base, fmt.Sprintf("seed-%d", i))
				if err != nil {
					errc <- fmt.Errorf("seed pet %d: %w", i, err)
					return
				}
				ids[i] = p.ID
			}
		})
	}
feed:
	for i := range o.seed {
		select {
		case next <- i:
		case err := <-errc:
			close(next)
			wg.Wait()
			return nil, err
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	select {
	case err := <-errc:
		return nil, err
	default:
	}
	return ids, ctx.Err()
}

func createPet(ctx context.Context, client *http.Client, base, name string) (pet, error) {
	var p pet
	body, err := do(ctx, client, http.MethodPost, base+"/pets", newPetBody(name))
	if err != nil {
		return p, err
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return p, fmt.Errorf("POST /pets: decode %q: %w", body, err)
	}
	if p.ID == 0 || p.Name != name || p.Tag == nil || *p.Tag != "bench" {
		return p, fmt.Errorf("POST /pets: want the pet %q with tag bench and an id, got %s", name, body)
	}
	return p, nil
}

// do sends one request and returns the body of a 200.
func do(ctx context.Context, client *http.Client, method, url string, body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s %s: %s: %.200s", method, url, resp.Status, data)
	}
	return data, nil
}

// check makes sure that the service answers the benchmarked routes as the
// spec says, so that every implementation is measured doing the same work.
func check(ctx context.Context, client *http.Client, o options, ids []int64) error {
	if len(ids) > 0 {
		id := ids[len(ids)/2]
		body, err := do(ctx, client, http.MethodGet, o.base+"/pets/"+strconv.FormatInt(id, 10), nil)
		if err != nil {
			return fmt.Errorf("check get: %w", err)
		}
		var p pet
		if err := json.Unmarshal(body, &p); err != nil || p.ID != id || !strings.HasPrefix(p.Name, "seed-") {
			return fmt.Errorf("check get: want pet %d, got %s", id, body)
		}
	}
	if slices.Contains(o.routes, "list") {
		if len(ids) < o.listLimit {
			return fmt.Errorf("check list: -seed %d is fewer than a page (%d)", len(ids), o.listLimit)
		}
		body, err := do(ctx, client, http.MethodGet, fmt.Sprintf("%s/pets?limit=%d", o.base, o.listLimit), nil)
		if err != nil {
			return fmt.Errorf("check list: %w", err)
		}
		var page []pet
		if err := json.Unmarshal(body, &page); err != nil || len(page) != o.listLimit {
			return fmt.Errorf("check list: want %d pets, got %.200s", o.listLimit, body)
		}
	}
	if slices.Contains(o.routes, "get") && len(ids) == 0 {
		return errors.New("check get: -seed 0 leaves nothing to get")
	}
	return nil
}

// sample is what a worker records of one request of the measured window.
type sample struct {
	latency time.Duration
	ok      bool
}

func measure(ctx context.Context, client *http.Client, o options, route string, ids []int64) (Result, error) {
	res := Result{Route: route, Concurrency: o.conns}
	start := time.Now()
	windowStart := start.Add(o.warmup)
	windowEnd := windowStart.Add(o.duration)

	samples := make([][]sample, o.conns)
	errMsgs := make([]string, o.conns)
	var wg sync.WaitGroup
	for w := range o.conns {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), uint64(start.UnixNano()))) //nolint:gosec // picks ids, not secrets
			n := 0
			for {
				t0 := time.Now()
				if !t0.Before(windowEnd) || ctx.Err() != nil {
					return
				}
				var method, url string
				var body []byte
				switch route {
				case "get":
					method, url = http.MethodGet, o.base+"/pets/"+strconv.FormatInt(ids[rng.IntN(len(ids))], 10)
				case "list":
					method, url = http.MethodGet, o.base+"/pets?limit="+strconv.Itoa(o.listLimit)
				case "create":
					n++
					method, url = http.MethodPost, o.base+"/pets"
					body = newPetBody("bench-" + strconv.Itoa(w) + "-" + strconv.Itoa(n))
				}
				err := send(ctx, client, method, url, body)
				if t0.Before(windowStart) {
					continue
				}
				samples[w] = append(samples[w], sample{latency: time.Since(t0), ok: err == nil})
				if err != nil && errMsgs[w] == "" {
					errMsgs[w] = err.Error()
				}
			}
		})
	}

	// The window's CPU figures and profile, read by this goroutine while the
	// workers run.
	time.Sleep(time.Until(windowStart))
	serverCPU0, _ := processCPU(o.pid)
	clientCPU0 := selfCPU()
	var profErr error
	profDone := make(chan struct{})
	if o.profileURL != "" {
		go func() {
			defer close(profDone)
			profErr = saveProfile(ctx, o.profileURL, o.duration, filepath.Join(o.profileDir, route+".pprof"))
		}()
	} else {
		close(profDone)
	}
	time.Sleep(time.Until(windowEnd))
	serverCPU1, serverErr := processCPU(o.pid)
	clientCPU1 := selfCPU()
	res.LoadAvg = loadAvg()
	wg.Wait()
	<-profDone
	if profErr != nil {
		return res, profErr
	}

	var lat []time.Duration
	for w, ss := range samples {
		for _, s := range ss {
			res.Requests++
			if !s.ok {
				res.Errors++
				continue
			}
			lat = append(lat, s.latency)
		}
		if res.FirstError == "" {
			res.FirstError = errMsgs[w]
		}
	}
	res.Seconds = o.duration.Seconds()
	ok := len(lat)
	res.RPS = float64(ok) / res.Seconds
	if ok > 0 {
		slices.Sort(lat)
		res.P50ms = ms(percentile(lat, 0.50))
		res.P90ms = ms(percentile(lat, 0.90))
		res.P99ms = ms(percentile(lat, 0.99))
		res.MaxMs = ms(lat[ok-1])
		if o.pid != 0 && serverErr == nil {
			res.ServerCPUus = float64((serverCPU1 - serverCPU0).Microseconds()) / float64(ok)
		}
		res.ClientCPUus = float64((clientCPU1 - clientCPU0).Microseconds()) / float64(ok)
	}
	return res, nil
}

// send sends one request and reads the whole answer, so that the connection
// is reused; anything but a 200 is an error.
func send(ctx context.Context, client *http.Client, method, url string, body []byte) error {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: %s", method, url, resp.Status)
	}
	return nil
}

// percentile is the nearest-rank percentile of sorted latencies.
func percentile(sorted []time.Duration, p float64) time.Duration {
	i := int(p*float64(len(sorted))+0.5) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// clockTick is the unit of /proc/PID/stat's CPU times (USER_HZ, 100 on
// every Linux architecture Go supports).
const clockTick = 10 * time.Millisecond

// processCPU returns the user+system CPU time of process pid.
func processCPU(pid int) (time.Duration, error) {
	if pid == 0 {
		return 0, errors.New("no pid")
	}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces; the fields after its
	// closing parenthesis are fixed: utime and stime are the 12th and 13th.
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: no command name", pid)
	}
	f := strings.Fields(string(data[i+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(f))
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, fmt.Errorf("/proc/%d/stat: %w", pid, err)
	}
	return time.Duration(utime+stime) * clockTick, nil
}

// selfCPU returns this process's user+system CPU time.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loadAvg returns the three load averages of /proc/loadavg, as uptime shows them.
func loadAvg() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// saveProfile fetches a CPU profile of d from a net/http/pprof endpoint.
func saveProfile(ctx context.Context, baseURL string, d time.Duration, path string) error {
	url := fmt.Sprintf("%s/profile?seconds=%d", strings.TrimSuffix(baseURL, "/"), int(d.Seconds()))
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := (&http.Client{Timeout: d + 30*time.Second}).Do(req)
	if err != nil {
		return fmt.Errorf("profile: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("profile: %s", resp.Status)
	}
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("profile: %w", err)
	}
	return os.WriteFile(path, data, 0o600)
}
