package atomicfile

import (
	"errors"
	"syscall"
)

// IsDiskFull tells whether err is a full file system or an exceeded disk
// quota (ENOSPC, EDQUOT), which no retry of another cell or file would
// avoid.
func IsDiskFull(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)
}
