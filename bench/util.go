package bench

import "errors"

func asPos(err error, pe **PosError) bool { return errors.As(err, pe) }
