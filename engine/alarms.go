package engine

import (
	"time"

	"svman/alarm"
	"svman/internal/proc"
	"svman/manifest"
)

// Alarmer delivers alarms without blocking; *alarm.Sender is one.
type Alarmer interface {
	Send(ch alarm.Channels, f alarm.Facts)
}

// facts describes an alarm or hook event of this module.
func (s *supervisor) facts(event string, exit *proc.ExitStatus) alarm.Facts {
	f := alarm.Facts{
		Module:   s.name,
		Event:    event,
		ExitCode: -1,
		Tries:    s.history.Exits,
		Hostname: s.cfg.Hostname,
		Time:     time.Now(),
	}
	if exit != nil {
		f.ExitCode = exit.Code
		f.CoreDumped = exit.CoreDumped
		if exit.Signal != 0 {
			f.Signal = manifest.SignalName(exit.Signal)
		}
	}
	f.Message = alarm.Message(f)
	return f
}

// AlarmChannels is where module m's alarms go: the mail, webhook and exec
// hook of its alarm block, the hook run in m's dir. Every alarm of m goes
// there, whether svman up raises it or svman alarm sends it.
func AlarmChannels(m *manifest.Module) alarm.Channels {
	a := m.Alarm
	return alarm.Channels{Mail: a.Mail, Webhook: a.Webhook, Exec: a.Exec, Dir: m.Dir}
}

// raise records an alarm in the module's logs and, unless the operator silenced
// the module's alarms with `s`, hands it to the alarmer, which delivers it in the
// background: an alarm never delays supervision.
func (s *supervisor) raise(event string, exit *proc.ExitStatus) {
	f := s.facts(event, exit)
	ch := AlarmChannels(s.mod)
	var to []string
	for _, name := range ch.Names() {
		to = append(to, ch.Describe(name))
	}
	if !s.alarms {
		s.record(Event{Kind: AlarmSilenced, Text: f.Message})
		return
	}
	s.record(Event{Kind: Alarm, Text: f.Message, Channels: to})
	if s.cfg.Alarms != nil && len(to) > 0 {
		s.afterStep(func() { s.cfg.Alarms.Send(ch, f) })
	}
}
