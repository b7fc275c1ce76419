//go:build !linux

package gpu

// threadID does not know the calling thread here: every call binds the
// context anew.
func threadID() (id int, known bool) { return 0, false }
