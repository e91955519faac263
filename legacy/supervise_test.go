package legacy

import (
	"reflect"
	"syscall"
	"testing"
	"time"

	"svman/manifest"
)

// A supervised module restarts always, at most once a second and never slower,
// and takes the rest of manifest's defaults.
func TestModuleKeepsTheLegacyPace(t *testing.T) {
	al := manifest.Alarm{Interval: time.Minute, MaxTries: 3}
	m := Module("app", []string{"./app", "-c", "conf"}, "/srv/app", al, RestartHook("./restart.sh"))
	want := manifest.Restart{Policy: manifest.RestartAlways, Delay: time.Second, MaxDelay: time.Second, MinUptime: time.Second, ExitCodes: []int{0}}
	if !reflect.DeepEqual(m.Restart, want) {
		t.Errorf("restart %+v, want %+v", m.Restart, want)
	}
	if m.Name != "app" || m.Dir != "/srv/app" || !reflect.DeepEqual(m.Command, []string{"./app", "-c", "conf"}) || !m.Autostart {
		t.Errorf("module %+v", m)
	}
	if m.StopSignal != syscall.SIGTERM || m.StopTimeout != 10*time.Second || !m.Log.Timestamps || m.Log.MaxSize != 50_000_000 || m.Log.Keep != 10 {
		t.Errorf("module %+v lacks manifest's defaults", m)
	}
	if !reflect.DeepEqual(m.Alarm, al) {
		t.Errorf("alarm %+v, want %+v", m.Alarm, al)
	}
	if want := []string{"/bin/sh", "-c", `./restart.sh "$1"`, "sh"}; !reflect.DeepEqual(m.OnExit, want) {
		t.Errorf("on_exit %q, want %q", m.OnExit, want)
	}
	mf := Manifest(m, "/srv/status/app", "/srv/supervise.conf")
	if mf.StatusDir != "/srv/status" || mf.Path != "/srv/supervise.conf" || len(mf.Modules) != 1 || !reflect.DeepEqual(mf.SMTP, manifest.DefaultSMTP()) {
		t.Errorf("manifest %+v", mf)
	}
}

// The alarm policy keeps the addresses svman can mail and hands back the others.
func TestPolicyAlarm(t *testing.T) {
	p := Policy{AlarmInterval: 2 * time.Minute, MaxTries: 20, MaxTriesIfCoredumped: 5, Mail: []string{"ops@example.com", "not an address", "dev@example.com"}, GSM: []string{"138"}}
	al, dropped := p.Alarm()
	want := manifest.Alarm{Interval: 2 * time.Minute, MaxTries: 20, MaxTriesIfCoredumped: 5, Mail: []string{"ops@example.com", "dev@example.com"}}
	if !reflect.DeepEqual(al, want) || !reflect.DeepEqual(dropped, []string{"not an address"}) {
		t.Errorf("Alarm() = %+v, %q; want %+v, [\"not an address\"]", al, dropped, want)
	}
	if al, dropped := (Policy{}).Alarm(); al.Mail != nil || dropped != nil {
		t.Errorf("no mail gave %q, %q; want nil, nil", al.Mail, dropped)
	}
}

// -r's window: -t seconds, or a new window at every exit without -t.
func TestHookAlarm(t *testing.T) {
	if got := HookAlarm(30); got.Interval != 30*time.Second || got.MaxTries != 0 || got.Mail != nil {
		t.Errorf("HookAlarm(30) = %+v", got)
	}
	if got := HookAlarm(0); got.Interval != time.Nanosecond {
		t.Errorf("HookAlarm(0) = %+v", got)
	}
}
