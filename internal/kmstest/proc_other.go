//go:build !linux

package kmstest

import "syscall"

func sysProcAttr() *syscall.SysProcAttr { return nil }
