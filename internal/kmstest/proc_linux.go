package kmstest

import "syscall"

// sysProcAttr makes local-kms die with the process that started it, so a
// test binary that crashes leaves no server behind.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
