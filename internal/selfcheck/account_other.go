//go:build !unix

package selfcheck

import (
	"os"
	"syscall"
)

// account is the user a throwaway server runs as: here always bkgen's own.
type account struct {
	name string
}

func serverAccount(string, ...string) (*account, error) { return &account{}, nil }

func (*account) sysProcAttr() *syscall.SysProcAttr { return nil }

func (*account) chown(string) error { return nil }

func (*account) as() string { return "" }

var (
	pgStopSignal = os.Kill
	myStopSignal = os.Kill
)
