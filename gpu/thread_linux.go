package gpu

import "syscall"

// threadID returns the id of the calling OS thread.
func threadID() (id int, known bool) { return syscall.Gettid(), true }
