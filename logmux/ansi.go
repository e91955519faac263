package logmux

// stripANSI appends line to dst without its ANSI escape sequences: CSI sequences
// (ESC [ ... final byte), OSC sequences (ESC ] ... BEL or ESC \) and two-byte
// escapes. A child's colors are for a terminal; in a file or a pipe they are noise.
// Every other byte, invalid UTF-8 included, passes through.
func stripANSI(dst, line []byte) []byte {
	for i := 0; i < len(line); i++ {
		c := line[i]
		if c != 0x1b || i+1 >= len(line) {
			dst = append(dst, c)
			continue
		}
		switch line[i+1] {
		case '[': // CSI: parameters and intermediates, then a final byte in 0x40..0x7e
			j := i + 2
			for j < len(line) && (line[j] < 0x40 || line[j] > 0x7e) {
				j++
			}
			i = j
		case ']': // OSC: up to BEL or ST (ESC \)
			j := i + 2
			for j < len(line) && line[j] != 0x07 && !(line[j] == 0x1b && j+1 < len(line) && line[j+1] == '\\') {
				j++
			}
			if j < len(line) && line[j] == 0x1b {
				j++
			}
			i = j
		default:
			i++ // a two-byte escape
		}
	}
	return dst
}
