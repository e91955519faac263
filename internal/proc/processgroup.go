package proc

// ProcessGroup is the process group of process pid, as /proc/PID/stat says:
// how svman tells whether a process that speaks to it (a notify datagram's
// sender) is one of a module's, whose processes share the group its child
// leads. A process that is gone is an error.
func ProcessGroup(pid int) (int, error) {
	st, err := ReadStat(pid)
	if err != nil {
		return 0, err
	}
	return st.Pgrp, nil
}
