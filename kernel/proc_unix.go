//go:build unix

package kernel

import (
	"os/exec"
	"syscall"
)

// setProcessGroup puts the kernel in a process group of its own, so that
// the processes it starts for cells can be signalled with it and a Ctrl-C
// at the terminal reaches only gradbook, which then stops the kernel.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

func signalGroup(cmd *exec.Cmd, sig syscall.Signal) error {
	if cmd.Process == nil {
		return nil
	}
	return syscall.Kill(-cmd.Process.Pid, sig)
}

// interruptProcess sends SIGINT to the kernel (interrupt_mode "signal").
func interruptProcess(cmd *exec.Cmd) error {
	if cmd.Process == nil {
		return nil
	}
	return cmd.Process.Signal(syscall.SIGINT)
}

func terminateProcess(cmd *exec.Cmd) { signalGroup(cmd, syscall.SIGTERM) }

func killProcess(cmd *exec.Cmd) { signalGroup(cmd, syscall.SIGKILL) }
