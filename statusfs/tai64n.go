package statusfs

import (
	"encoding/binary"
	"fmt"
	"time"
)

// tai64Base is the TAI64 label of the Unix epoch: 2^62 plus the 10 seconds TAI was
// ahead of UTC in 1970. Like daemontools, leap seconds after 1970 are ignored, so the
// label is simply tai64Base + Unix seconds.
const tai64Base = 1<<62 + 10

// TAI64N returns the 12-byte TAI64N label of t: 8 bytes of TAI64 seconds
// (2^62 + 10 + Unix seconds) then 4 bytes of nanoseconds, both big-endian.
func TAI64N(t time.Time) [12]byte {
	var b [12]byte
	binary.BigEndian.PutUint64(b[0:8], uint64(t.Unix()+tai64Base))
	binary.BigEndian.PutUint32(b[8:12], uint32(t.Nanosecond()))
	return b
}

// ParseTAI64N decodes a 12-byte TAI64N label. It rejects labels of 2^63 and above
// (reserved by the TAI64 specification) and nanoseconds of 10^9 and above, so that
// TAI64N(ParseTAI64N(b)) == b for every b it accepts.
func ParseTAI64N(b []byte) (time.Time, error) {
	if len(b) != 12 {
		return time.Time{}, fmt.Errorf("TAI64N label is %d bytes, want 12", len(b))
	}
	secs := binary.BigEndian.Uint64(b[0:8])
	nano := binary.BigEndian.Uint32(b[8:12])
	if secs >= 1<<63 {
		return time.Time{}, fmt.Errorf("TAI64N seconds %#x are in the reserved range (>= 2^63)", secs)
	}
	if nano >= 1e9 {
		return time.Time{}, fmt.Errorf("TAI64N nanoseconds %d out of range (>= 10^9)", nano)
	}
	// secs < 2^63, so the subtraction cannot overflow int64.
	return time.Unix(int64(secs)-tai64Base, int64(nano)), nil
}
