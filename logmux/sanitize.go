package logmux

import "bytes"

// display is how a Console shows the text of a module's lines; Options decide it
// (displayFor). The log files always get the bytes as written.
type display uint8

const (
	// displayAsIs passes every byte: Raw, or a Console told neither to strip nor
	// to escape.
	displayAsIs display = iota
	// displayStripped removes escape sequences (stripANSI) and passes every other
	// byte: a file or a pipe, where a child's colors are noise.
	displayStripped
	// displayEscaped passes a child's colors (SGR) and shows every other escape
	// sequence and control character as visible text (sanitize): a terminal.
	displayEscaped
	// displayEscapedPlain is displayEscaped with the colors removed too: a
	// terminal with colors off.
	displayEscapedPlain
)

// displayFor is the display Options ask for: Escape wins over StripANSI, which
// then only says whether colors go too.
func displayFor(o Options) display {
	switch {
	case o.Escape && o.StripANSI:
		return displayEscapedPlain
	case o.Escape:
		return displayEscaped
	case o.StripANSI:
		return displayStripped
	}
	return displayAsIs
}

// append appends line to dst as d shows it.
func (d display) append(dst, line []byte) []byte {
	switch d {
	case displayStripped:
		if bytes.IndexByte(line, 0x1b) >= 0 {
			return stripANSI(dst, line)
		}
	case displayEscaped:
		return sanitize(dst, line, true)
	case displayEscapedPlain:
		return sanitize(dst, line, false)
	}
	return append(dst, line...)
}

// special marks the bytes sanitize must look at: C0 controls but tab, DEL, and
// 0xC2, the first byte of the UTF-8 form of a C1 control (U+0080 to U+009F). A
// line without any is copied after one pass over this table.
var special = func() (t [256]bool) {
	for c := 0; c < 0x20; c++ {
		t[c] = c != '\t'
	}
	t[0x7f], t[0xc2] = true, true
	return t
}()

// sanitize appends line to dst so that a terminal shows it and does nothing else:
//
//   - an SGR sequence (ESC [ digits, ';' and ':' m: colors and text attributes)
//     is kept when keepSGR, and removed otherwise;
//   - every other ESC, and so every other escape sequence (CSI, OSC such as a
//     title or a clipboard write, DCS, APC, PM, SOS, two-byte escapes), is shown
//     in caret notation as "^[", its other bytes as the text they are;
//   - every other C0 control but tab, and DEL, is shown in caret notation, as
//     cat -v and less do: "^@" for NUL, "^G" for BEL, "^M" for CR, "^?" for DEL;
//   - a C1 control written as UTF-8 (U+0080 to U+009F, such as U+009B, the
//     one-character CSI) is shown as "\u009b";
//   - every other byte passes, bytes that are not UTF-8 included (a lone 0x9B
//     is not UTF-8, and a UTF-8 terminal does not act on it).
//
// The result holds no ESC but in the SGR sequences kept, no C0 control but tab,
// and no C1 control, so sanitize(sanitize(x)) = sanitize(x).
func sanitize(dst, line []byte, keepSGR bool) []byte {
	i := 0
	for i < len(line) && !special[line[i]] {
		i++
	}
	dst = append(dst, line[:i]...)
	for i < len(line) {
		c := line[i]
		switch {
		case !special[c]:
			j := i + 1
			for j < len(line) && !special[line[j]] {
				j++
			}
			dst = append(dst, line[i:j]...)
			i = j
			continue
		case c == 0x1b:
			if n := sgrLen(line[i:]); n > 0 {
				if keepSGR {
					dst = append(dst, line[i:i+n]...)
				}
				i += n
				continue
			}
			dst = append(dst, '^', '[')
		case c == 0xc2:
			if i+1 < len(line) && line[i+1] >= 0x80 && line[i+1] <= 0x9f {
				const hex = "0123456789abcdef"
				c1 := line[i+1]
				dst = append(dst, '\\', 'u', '0', '0', hex[c1>>4], hex[c1&0xf])
				i += 2
				continue
			}
			dst = append(dst, c)
		case c == 0x7f:
			dst = append(dst, '^', '?')
		default: // a C0 control
			dst = append(dst, '^', c+0x40)
		}
		i++
	}
	return dst
}

// sgrLen is the length of the SGR sequence b starts with, or 0 if it starts
// with none: ESC '[', parameters of digits, ';' and ':' only (no private
// marker such as '?' or '>', no intermediate byte), and the final 'm'.
func sgrLen(b []byte) int {
	if len(b) < 3 || b[0] != 0x1b || b[1] != '[' {
		return 0
	}
	for j := 2; j < len(b); j++ {
		switch c := b[j]; {
		case c == 'm':
			return j + 1
		case c >= '0' && c <= '9', c == ';', c == ':':
		default:
			return 0
		}
	}
	return 0
}
