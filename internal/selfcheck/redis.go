package selfcheck

import (
	"bufio"
	"context"
	"net"
	"net/url"
	"strings"
	"time"
)

// localRedis is the address of the Redis server the self-check looks for
// when no URL names one.
const localRedis = "127.0.0.1:6379"

// redisURL is the REDIS_URL the tasks get, so that the generated tests of
// shared rate limits and idempotency records run against a real server:
// BKGEN_REDIS_URL, else REDIS_URL, else the local server if it answers PING.
// "" when there is none; those tests then say they were skipped and why.
// The tests keep to keys of their own and remove them.
func redisURL(ctx context.Context, getenv func(string) string) string {
	for _, name := range []string{"BKGEN_REDIS_URL", "REDIS_URL"} {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
	}
	if pingRedis(ctx, localRedis) {
		return (&url.URL{Scheme: "redis", Host: localRedis, Path: "/0"}).String()
	}
	return ""
}

// pingRedis reports whether a Redis server answers PING at addr within a
// moment.
func pingRedis(ctx context.Context, addr string) bool {
	ctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel()
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	if err != nil {
		return false
	}
	defer func() { _ = conn.Close() }()
	if d, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(d)
	}
	if _, err := conn.Write([]byte("PING\r\n")); err != nil {
		return false
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	return err == nil && strings.TrimSpace(line) == "+PONG"
}
