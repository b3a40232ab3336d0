//go:build unix

package selfcheck

import (
	"fmt"
	"os"
	"os/user"
	"strconv"
	"strings"
	"syscall"
)

// account is the user a throwaway server runs as.
type account struct {
	name     string // "" for bkgen's own user
	uid, gid int
}

// serverAccount is the user to run a throwaway server as: bkgen's own,
// unless that is root, which initdb, postgres and mysqld refuse; then the
// first of names that exists and is not root.
func serverAccount(program string, names ...string) (*account, error) {
	if os.Geteuid() != 0 {
		return &account{}, nil
	}
	for _, name := range names {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, uerr := strconv.Atoi(u.Uid)
		gid, gerr := strconv.Atoi(u.Gid)
		if uerr != nil || gerr != nil || uid == 0 {
			continue
		}
		return &account{name: name, uid: uid, gid: gid}, nil
	}
	return nil, fmt.Errorf("bkgen runs as root, which %s refuses, and there is no user %s to run it as",
		program, strings.Join(names, " or "))
}

// sysProcAttr runs a child as the account, without root's groups.
func (a *account) sysProcAttr() *syscall.SysProcAttr {
	if a.name == "" {
		return nil
	}
	return &syscall.SysProcAttr{Credential: &syscall.Credential{
		Uid: uint32(a.uid), Gid: uint32(a.gid), Groups: []uint32{}, //nolint:gosec // ids from the user database
	}}
}

// chown gives path to the account.
func (a *account) chown(path string) error {
	if a.name == "" {
		return nil
	}
	return os.Chown(path, a.uid, a.gid) //nolint:wrapcheck // callers say what they give
}

// as is " (as user NAME)" when the account is not bkgen's own user.
func (a *account) as() string {
	if a.name == "" {
		return ""
	}
	return " (as user " + a.name + ")"
}

// Signals that stop a throwaway server. PostgreSQL's immediate shutdown
// (SIGQUIT) ends its backends too; a throwaway MariaDB is killed outright,
// its data being thrown away anyway.
var (
	pgStopSignal os.Signal = syscall.SIGQUIT
	myStopSignal os.Signal = syscall.SIGKILL
)
