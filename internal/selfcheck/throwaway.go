package selfcheck

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Timeouts of a throwaway server's life.
const (
	// initTimeout bounds creating a server's data folder (initdb,
	// mariadb-install-db).
	initTimeout = 2 * time.Minute
	// startTimeout bounds the wait for a started server to accept
	// connections.
	startTimeout = 30 * time.Second
	// startAttempts is how often a server is started, on a new port each
	// time, when the port was taken meanwhile.
	startAttempts = 3
)

// defaultBinDirs are the folders, besides PATH, where a throwaway server's
// binaries are looked for: where Debian, Red Hat, Homebrew and the
// projects' own installers put them.
var defaultBinDirs = map[string][]string{
	EnginePostgres: {
		"/usr/lib/postgresql/*/bin", // Debian, Ubuntu: not on PATH
		"/usr/pgsql-*/bin",          // PGDG packages for Red Hat
		"/usr/local/pgsql/bin",      // built from source
		"/opt/homebrew/opt/postgresql*/bin",
		"/usr/local/opt/postgresql*/bin",
	},
	EngineMySQL: {
		"/usr/sbin", "/usr/bin", "/usr/libexec", "/usr/local/sbin",
		"/usr/local/mysql/bin", "/usr/local/mysql/scripts",
		"/opt/homebrew/bin", "/usr/local/bin",
	},
}

// proc is a database server the provider started.
type proc struct {
	url  string // the server's URL, for the provider itself
	dir  string // the server's folder; removed by stop
	log  string // the file of its output
	cmd  *exec.Cmd
	sig  os.Signal     // asks it to stop
	done chan struct{} // closed when it has exited
}

// stop stops the server and removes its folder.
func (pr *proc) stop() error {
	pr.halt()
	if err := os.RemoveAll(pr.dir); err != nil {
		return fmt.Errorf("remove the throwaway server's folder: %w", err)
	}
	return nil
}

// halt stops the server, killing it when it does not stop within
// [connectTimeout].
func (pr *proc) halt() {
	_ = pr.cmd.Process.Signal(pr.sig) // fails only when it has exited
	select {
	case <-pr.done:
	case <-time.After(connectTimeout):
		_ = pr.cmd.Process.Kill()
		<-pr.done
	}
}

// exited reports whether the server has exited.
func (pr *proc) exited() bool {
	select {
	case <-pr.done:
		return true
	default:
		return false
	}
}

// binary finds the first of names in PATH, then in the provider's folders
// for engine. Within a glob, newer versions come first.
func (p *provider) binary(engine string, names ...string) (string, error) {
	dirs := filepath.SplitList(p.getenv("PATH"))
	for _, pattern := range p.binDirs[engine] {
		matches, _ := filepath.Glob(pattern)
		slices.SortStableFunc(matches, func(a, b string) int { return -compareVersions(a, b) })
		dirs = append(dirs, matches...)
	}
	for _, dir := range dirs {
		if dir == "" {
			continue
		}
		for _, name := range names {
			path := filepath.Join(dir, name)
			if info, err := os.Stat(path); err == nil && info.Mode().IsRegular() && info.Mode()&0o111 != 0 {
				return path, nil
			}
		}
	}
	where := "on PATH"
	if dirs := p.binDirs[engine]; len(dirs) > 0 {
		where += " or in " + strings.Join(dirs, ", ")
	}
	return "", fmt.Errorf("%s not found %s", strings.Join(names, " or "), where)
}

var versionNumber = regexp.MustCompile(`\d+(\.\d+)?`)

// compareVersions compares two paths by the first number in each, so
// that .../postgresql/16/bin comes after .../postgresql/9.6/bin.
func compareVersions(a, b string) int {
	va, _ := strconv.ParseFloat(versionNumber.FindString(a), 64)
	vb, _ := strconv.ParseFloat(versionNumber.FindString(b), 64)
	switch {
	case va < vb:
		return -1
	case va > vb:
		return 1
	}
	return strings.Compare(a, b)
}

// newServerDir makes a folder for a throwaway server, owned by acct. It is
// not the self-check's tmp: that one is private to bkgen's user.
func newServerDir(prefix string, acct *account) (string, error) {
	dir, err := os.MkdirTemp("", prefix)
	if err != nil {
		return "", fmt.Errorf("create the throwaway server's folder: %w", err)
	}
	if err := acct.chown(dir); err != nil {
		_ = os.RemoveAll(dir)
		return "", fmt.Errorf("give the throwaway server's folder to %s: %w", acct.name, err)
	}
	return dir, nil
}

// childEnv is the environment of a server's programs: nothing of bkgen's
// own (PGDATA, say) but PATH.
func (p *provider) childEnv(dir string) []string {
	path := p.getenv("PATH")
	if path == "" {
		path = "/usr/local/bin:/usr/bin:/bin"
	}
	return []string{"PATH=" + path, "HOME=" + dir, "LC_ALL=C", "LANG=C"}
}

// initialize runs a program that creates a server's data folder.
func (p *provider) initialize(ctx context.Context, acct *account, dir, bin string, args ...string) error {
	ctx, cancel := context.WithTimeout(ctx, initTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...) //nolint:gosec // bin was found by name in known folders
	cmd.Dir = dir
	cmd.Env = p.childEnv(dir)
	cmd.SysProcAttr = acct.sysProcAttr()
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s%s: %w%s", filepath.Base(bin), acct.as(), err, lastLines(out, 5))
	}
	return nil
}

// start starts a server: args(port) are its arguments for a free port on
// 127.0.0.1; ready says whether it accepts connections yet. A server that
// exits because its port was taken meanwhile is started again on another.
func (p *provider) start(ctx context.Context, acct *account, dir, bin string, sig os.Signal,
	args func(port int) []string, ready func(ctx context.Context, port int) error,
) (*proc, int, error) {
	var err error
	for range startAttempts {
		var (
			pr   *proc
			port int
		)
		pr, port, err = p.startOnce(ctx, acct, dir, bin, sig, args)
		if err != nil {
			return nil, 0, err
		}
		if err = waitReady(ctx, pr, port, ready); err == nil {
			return pr, port, nil
		}
		pr.halt()
		out, _ := os.ReadFile(pr.log)
		err = fmt.Errorf("%s%s: %w%s", filepath.Base(bin), acct.as(), err, lastLines(out, 5))
		if !bytes.Contains(out, []byte("in use")) {
			break
		}
	}
	return nil, 0, err
}

func (p *provider) startOnce(ctx context.Context, acct *account, dir, bin string, sig os.Signal, args func(port int) []string) (*proc, int, error) {
	port, err := freePort(ctx)
	if err != nil {
		return nil, 0, err
	}
	logPath := filepath.Join(dir, "server.log")
	log, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600) //nolint:gosec // in the server's new folder
	if err != nil {
		return nil, 0, fmt.Errorf("throwaway server log: %w", err)
	}
	defer log.Close() //nolint:errcheck // the child holds its own descriptor
	// Not CommandContext: the server outlives this call, until stop.
	cmd := exec.Command(bin, args(port)...) //nolint:gosec // bin was found by name in known folders
	cmd.Dir = dir
	cmd.Env = p.childEnv(dir)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = acct.sysProcAttr()
	if err := cmd.Start(); err != nil {
		return nil, 0, fmt.Errorf("start %s: %w", filepath.Base(bin), err)
	}
	pr := &proc{dir: dir, log: logPath, cmd: cmd, sig: sig, done: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		close(pr.done)
	}()
	return pr, port, nil
}

// waitReady waits until ready succeeds, the server exits, or
// [startTimeout] passes.
func waitReady(ctx context.Context, pr *proc, port int, ready func(context.Context, int) error) error {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	var last error
	for {
		if pr.exited() {
			return errors.New("exited before accepting connections")
		}
		actx, acancel := context.WithTimeout(ctx, time.Second)
		last = ready(actx, port)
		acancel()
		if last == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("not accepting connections after %s: %w", startTimeout, last)
		case <-pr.done:
		case <-tick.C:
		}
	}
}

// freePort is a TCP port free on 127.0.0.1 at the time of asking.
func freePort(ctx context.Context) (int, error) {
	var lc net.ListenConfig
	l, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	return port, l.Close() //nolint:wrapcheck // closing a listener that was never used
}

// lastLines is the last n lines of out, as ": line; line", or "".
func lastLines(out []byte, n int) string {
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	lines = slices.DeleteFunc(lines, func(s string) bool { return strings.TrimSpace(s) == "" })
	if len(lines) == 0 {
		return ""
	}
	return ": " + strings.Join(lastN(lines, n), "; ")
}
