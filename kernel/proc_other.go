//go:build !unix

package kernel

import (
	"os"
	"os/exec"
)

func setProcessGroup(cmd *exec.Cmd) {}

// interruptProcess interrupts the kernel (interrupt_mode "signal"); where
// there are no signals it kills it.
func interruptProcess(cmd *exec.Cmd) error {
	if cmd.Process == nil {
		return nil
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		return cmd.Process.Kill()
	}
	return nil
}

func terminateProcess(cmd *exec.Cmd) {
	if cmd.Process != nil {
		cmd.Process.Kill()
	}
}

func killProcess(cmd *exec.Cmd) { terminateProcess(cmd) }
