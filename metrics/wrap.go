package metrics

import (
	"time"

	"svman/alarm"
	"svman/engine"
	"svman/logmux"
)

// Alarms returns a, counting each alarm it is handed once per channel it goes
// to, with result "sent"; AlarmFailed counts those whose delivery failed. With a
// nil Observer, it returns a.
func (o *Observer) Alarms(a engine.Alarmer) engine.Alarmer {
	if o == nil || a == nil {
		return a
	}
	return countedAlarms{o, a}
}

type countedAlarms struct {
	o *Observer
	a engine.Alarmer
}

func (c countedAlarms) Send(ch alarm.Channels, f alarm.Facts) {
	if len(ch.Mail) > 0 {
		c.o.alarm(f.Module, "mail", "sent")
	}
	if ch.Webhook != "" {
		c.o.alarm(f.Module, "webhook", "sent")
	}
	if len(ch.Exec) > 0 {
		c.o.alarm(f.Module, "exec", "sent")
	}
	c.a.Send(ch, f)
}

// Output returns out, counting the lines of each module's stdout and stderr
// that pass through it (a line longer than logmux.MaxLine counts once per
// piece, as the console shows it): an atomic add per read of a pipe, not a
// call per line. With a nil Observer, it returns out.
func (o *Observer) Output(out engine.Output) engine.Output {
	if o == nil || out == nil {
		return out
	}
	return countedOutput{o, out}
}

type countedOutput struct {
	o *Observer
	engine.Output
}

func (c countedOutput) WriteLines(name string, s logmux.Stream, t time.Time, lines *logmux.Batch) {
	if n := lines.Len(); n > 0 && (s == logmux.Stdout || s == logmux.Stderr) {
		if l, ok := c.o.lines.Load(name); ok {
			l.(*lineCounts)[s].Add(uint64(n))
			c.o.touch()
		}
	}
	c.Output.WriteLines(name, s, t, lines)
}
