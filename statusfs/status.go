package statusfs

import (
	"encoding/binary"
	"fmt"
	"time"
)

// Want is byte 13 of the status file: what the supervisor does when the child exits.
type Want byte

const (
	WantUp   Want = 'u' // restart the child whenever it exits
	WantDown Want = 'd' // keep the child down
	WantOnce Want = 0   // run once: start it if down, do not restart it (command `o`)
)

// String returns the legacy letter of w ("u", "d") or "o" for WantOnce.
func (w Want) String() string {
	switch w {
	case WantUp:
		return "u"
	case WantDown:
		return "d"
	case WantOnce:
		return "o"
	}
	return fmt.Sprintf("Want(%#x)", byte(w))
}

// StatusSize is the size of the status file in bytes.
const StatusSize = 20

// Status is the decoded 20-byte status file:
//
//	bytes 0..11   TAI64N time of the last pid change
//	byte  12      paused: 1 if the child was stopped with `p`, else 0
//	byte  13      want: 'u', 'd' or 0
//	byte  14      alarms: 'o' on, 'x' silenced
//	byte  15      0
//	bytes 16..19  pid of the child, little-endian uint32; 0 when it is down
type Status struct {
	Changed  time.Time // time of the last pid change (bytes 0..11)
	Paused   bool      // byte 12
	Want     Want      // byte 13
	AlarmsOn bool      // byte 14: 'o' on, 'x' silenced
	PID      int       // bytes 16..19; 0 when down. Must fit in a uint32.
}

// Encode returns the 20 bytes of the status file for s.
func (s Status) Encode() [StatusSize]byte {
	var b [StatusSize]byte
	tai := TAI64N(s.Changed)
	copy(b[0:12], tai[:])
	if s.Paused {
		b[12] = 1
	}
	b[13] = byte(s.Want)
	b[14] = 'x'
	if s.AlarmsOn {
		b[14] = 'o'
	}
	// Little-endian: `od -tu4` and `od -d` on the x86 machines the scripts run on read
	// it as a plain number.
	binary.LittleEndian.PutUint32(b[16:20], uint32(s.PID))
	return b
}

// Decode decodes a status file. It accepts exactly what Encode can produce, so
// Encode(Decode(b)) == b for every b it accepts, and says which byte is wrong otherwise.
func Decode(b []byte) (Status, error) {
	if len(b) != StatusSize {
		return Status{}, fmt.Errorf("status file is %d bytes, want %d", len(b), StatusSize)
	}
	changed, err := ParseTAI64N(b[0:12])
	if err != nil {
		return Status{}, fmt.Errorf("status bytes 0..11: %w", err)
	}
	var s Status
	s.Changed = changed
	switch b[12] {
	case 0:
	case 1:
		s.Paused = true
	default:
		return Status{}, fmt.Errorf("status byte 12 (paused) is %#x, want 0 or 1", b[12])
	}
	switch w := Want(b[13]); w {
	case WantUp, WantDown, WantOnce:
		s.Want = w
	default:
		return Status{}, fmt.Errorf("status byte 13 (want) is %#x, want 'u', 'd' or 0", b[13])
	}
	switch b[14] {
	case 'o':
		s.AlarmsOn = true
	case 'x':
	default:
		return Status{}, fmt.Errorf("status byte 14 (alarms) is %#x, want 'o' or 'x'", b[14])
	}
	if b[15] != 0 {
		return Status{}, fmt.Errorf("status byte 15 is %#x, want 0", b[15])
	}
	s.PID = int(binary.LittleEndian.Uint32(b[16:20]))
	return s, nil
}
