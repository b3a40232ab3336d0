package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// result is one route's measurement, as bench/load prints it with -json.
type result struct {
	Route       string  `json:"route"`
	Requests    int     `json:"requests"`
	Errors      int     `json:"errors"`
	FirstError  string  `json:"first_error"`
	RPS         float64 `json:"rps"`
	P50ms       float64 `json:"p50_ms"`
	P90ms       float64 `json:"p90_ms"`
	P99ms       float64 `json:"p99_ms"`
	MaxMs       float64 `json:"max_ms"`
	ServerCPUus float64 `json:"server_cpu_us_per_req"`
	ClientCPUus float64 `json:"client_cpu_us_per_req"`
	LoadAvg     string  `json:"loadavg"`
}

// runResult is one implementation's run: a fresh database, one start.
type runResult struct {
	impl    impl
	round   int
	results []result
}

// runOne measures one implementation once, on a database of its own that
// it drops afterwards.
func runOne(ctx context.Context, o options, bins binaries, im impl, round int) (runResult, error) {
	rr := runResult{impl: im, round: round}
	db := fmt.Sprintf("bench_%s_%d_%d", im.kind, os.Getpid(), round)
	dbURL, err := createDB(ctx, o.pgURL, db)
	if err != nil {
		return rr, err
	}
	defer func() {
		if err := dropDB(context.WithoutCancel(ctx), o.pgURL, db); err != nil {
			fmt.Fprintf(os.Stderr, "  drop database %s: %v\n", db, err)
		}
	}()
	ports, err := freePorts(3)
	if err != nil {
		return rr, err
	}
	api, admin, pprof := ports[0], ports[1], ports[2]
	env := append(os.Environ(), "GOMAXPROCS="+strconv.Itoa(o.gomaxprocs))
	base := "http://127.0.0.1:" + strconv.Itoa(api)
	switch im.kind {
	case "bkgen":
		base += bins.bkgenBase
		env = append(env,
			"DATABASE_URL="+dbURL,
			"DB_MAX_CONNS="+strconv.Itoa(o.pool),
			"HOST=127.0.0.1",
			"PORT="+strconv.Itoa(api),
			"ADMIN_PORT="+strconv.Itoa(admin),
			"RATE_LIMIT=0",
			"LOG_LEVEL=info",
			"LOG_FORMAT=json",
			"OTEL_EXPORTER_OTLP_ENDPOINT=",
			"REDIS_URL=",
			// Only the drain at the end: a shorter readiness delay.
			"SHUTDOWN_TIMEOUT=2s",
		)
	default:
		// The pool size of bkgen's DB_MAX_CONNS, in pgxpool's URL setting.
		dbURL += "?pool_max_conns=" + strconv.Itoa(o.pool)
		env = append(env, "DATABASE_URL="+dbURL, "ADDR=127.0.0.1:"+strconv.Itoa(api))
	}
	if o.profile != "" {
		env = append(env, "PPROF_ADDR=127.0.0.1:"+strconv.Itoa(pprof))
	}
	env = append(env, im.env...)

	logOut, closeLog, err := logFile(o, im, round)
	if err != nil {
		return rr, err
	}
	defer closeLog()
	if im.kind == "bkgen" {
		migrate := exec.CommandContext(ctx, bins.server[im.kind], "migrate", "up")
		migrate.Env, migrate.Stdout, migrate.Stderr = env, logOut, logOut
		if err := migrate.Run(); err != nil {
			return rr, fmt.Errorf("migrate up: %w%s", err, logHint(o))
		}
	}
	srv, err := startServer(bins.server[im.kind], env, logOut)
	if err != nil {
		return rr, err
	}
	defer srv.stop()

	if err := waitReady(ctx, base, srv); err != nil {
		return rr, fmt.Errorf("%w%s", err, logHint(o))
	}
	loadArgs := []string{
		"-base", base, "-json",
		"-c", strconv.Itoa(o.conns),
		"-warmup", o.warmup.String(),
		"-duration", o.duration.String(),
		"-seed", strconv.Itoa(o.seed),
		"-pid", strconv.Itoa(srv.cmd.Process.Pid),
		"-routes", "get,list,create",
	}
	if o.profile != "" {
		dir := filepath.Join(o.profile, fmt.Sprintf("%s-%d", fileName(im.name), round+1))
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return rr, err
		}
		loadArgs = append(loadArgs, "-profile-url", "http://127.0.0.1:"+strconv.Itoa(pprof)+"/debug/pprof", "-profile-dir", dir)
	}
	load := exec.CommandContext(ctx, bins.load, loadArgs...)
	load.Env = append(os.Environ(), "GOMAXPROCS="+strconv.Itoa(o.gomaxprocs))
	var stderr bytes.Buffer
	load.Stderr = &stderr
	out, err := load.Output()
	if err != nil {
		return rr, fmt.Errorf("load: %w: %s", err, bytes.TrimSpace(stderr.Bytes()))
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var r result
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return rr, fmt.Errorf("load's output %q: %w", sc.Text(), err)
		}
		rr.results = append(rr.results, r)
	}
	select {
	case <-srv.done:
		return rr, fmt.Errorf("the service stopped during the load: %w%s", srv.err, logHint(o))
	default:
	}
	return rr, nil
}

// server is a running service process.
type server struct {
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited; err is then set
	err  error         // what Wait returned
}

func startServer(bin string, env []string, logOut *os.File) (*server, error) {
	cmd := exec.Command(bin)
	cmd.Env, cmd.Stdout, cmd.Stderr = env, logOut, logOut
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	s := &server{cmd: cmd, done: make(chan struct{})}
	go func() {
		s.err = cmd.Wait()
		close(s.done)
	}()
	return s, nil
}

// stop sends SIGTERM, and SIGKILL if the service has not stopped within
// 20 s; it returns once the process has exited.
func (s *server) stop() {
	select {
	case <-s.done:
		return
	default:
	}
	// It may exit between the check and the signal: then there is nothing to stop.
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(20 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}

// waitReady polls the list route until it answers 200.
func waitReady(ctx context.Context, base string, srv *server) error {
	deadline := time.Now().Add(30 * time.Second)
	client := &http.Client{Timeout: time.Second}
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/pets?limit=1", nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = errors.New(resp.Status)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the service did not answer GET %s/pets within 30s: %w", base, err)
		}
		select {
		case <-srv.done:
			return fmt.Errorf("the service exited at start-up: %w", srv.err)
		case <-ctx.Done():
			return fmt.Errorf("wait for the service: %w", ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func logFile(o options, im impl, round int) (*os.File, func(), error) {
	if o.logs == "" {
		f, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
		return f, func() { _ = f.Close() }, err
	}
	path := filepath.Join(o.logs, fmt.Sprintf("%s-%d.log", fileName(im.name), round+1))
	f, err := os.Create(path)
	return f, func() { _ = f.Close() }, err
}

func logHint(o options) string {
	if o.logs == "" {
		return " (run with -logs DIR to keep the service's log)"
	}
	return " (the service's log is in " + o.logs + ")"
}

// fileName makes an implementation's name (bkgen[LOG_LEVEL=warn]) safe as a
// file name.
func fileName(s string) string {
	b := []byte(s)
	for i, c := range b {
		if (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') && c != '-' && c != '_' {
			b[i] = '_'
		}
	}
	return string(b)
}

// freePorts returns n loopback ports that were free a moment ago.
func freePorts(n int) ([]int, error) {
	var lns []net.Listener
	defer func() {
		for _, ln := range lns {
			_ = ln.Close()
		}
	}()
	var ports []int
	for range n {
		var lc net.ListenConfig
		ln, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		lns = append(lns, ln)
		addr, ok := ln.Addr().(*net.TCPAddr)
		if !ok {
			return nil, fmt.Errorf("unexpected listener address %v", ln.Addr())
		}
		ports = append(ports, addr.Port)
	}
	return ports, nil
}

// createDB creates database name on the server of adminURL and returns its URL.
func createDB(ctx context.Context, adminURL, name string) (string, error) {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return "", fmt.Errorf("connect to %s: %w", adminURL, err)
	}
	defer func() { _ = conn.Close(context.WithoutCancel(ctx)) }()
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return "", fmt.Errorf("create database %s: %w", name, err)
	}
	u, err := url.Parse(adminURL)
	if err != nil {
		return "", err
	}
	u.Path = "/" + name
	u.RawQuery = ""
	return u.String(), nil
}

func dropDB(ctx context.Context, adminURL, name string) error {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close(ctx) }()
	_, err = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
	return err
}
