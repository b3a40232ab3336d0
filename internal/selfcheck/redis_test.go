package selfcheck_test

import (
	"bufio"
	"net"
	"testing"

	"github.com/bkgen/bkgen/internal/selfcheck"
)

// fakeRedis answers every line it reads with reply, until the test ends.
func fakeRedis(t *testing.T, reply string) string {
	t.Helper()
	ln, err := (&net.ListenConfig{}).Listen(t.Context(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer func() { _ = conn.Close() }()
				if _, err := bufio.NewReader(conn).ReadString('\n'); err == nil {
					_, _ = conn.Write([]byte(reply))
				}
			}()
		}
	}()
	return ln.Addr().String()
}

func TestPingRedis(t *testing.T) {
	t.Parallel()
	if !selfcheck.PingRedis(t.Context(), fakeRedis(t, "+PONG\r\n")) {
		t.Error("a server answering +PONG is not taken for Redis")
	}
	if selfcheck.PingRedis(t.Context(), fakeRedis(t, "HTTP/1.1 400 Bad Request\r\n")) {
		t.Error("a server answering something else is taken for Redis")
	}
	ln, err := (&net.ListenConfig{}).Listen(t.Context(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	if selfcheck.PingRedis(t.Context(), addr) {
		t.Error("a closed port is taken for Redis")
	}
}

func TestRedisURLPrefersTheEnvironment(t *testing.T) {
	t.Parallel()
	env := func(vars map[string]string) func(string) string { return func(k string) string { return vars[k] } }
	if got := selfcheck.RedisURL(t.Context(), env(map[string]string{"BKGEN_REDIS_URL": "redis://a:1/2", "REDIS_URL": "redis://b:1/0"})); got != "redis://a:1/2" {
		t.Errorf("with both set: %q, want BKGEN_REDIS_URL's", got)
	}
	if got := selfcheck.RedisURL(t.Context(), env(map[string]string{"REDIS_URL": " redis://b:1/0 "})); got != "redis://b:1/0" {
		t.Errorf("with REDIS_URL set: %q, want it", got)
	}
}
