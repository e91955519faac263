package systemd

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"svman/export"
	"svman/manifest"
)

// directive is what one key of one unit should hold: want lists its
// values in order; nil means the key is not written.
type directive struct {
	field, unit, key string
	want             []string
}

// check compares each directive with the units, parsed back as go-systemd
// reads unit files.
func check(t *testing.T, files map[string]export.File, table []directive) {
	t.Helper()
	parsed := map[string]map[string][]string{}
	for _, d := range table {
		f, ok := files[d.unit]
		if !ok {
			t.Errorf("%s: no unit %s", d.field, d.unit)
			continue
		}
		if parsed[d.unit] == nil {
			parsed[d.unit] = options(t, f)
		}
		if got := parsed[d.unit][d.key]; !slices.Equal(got, d.want) {
			t.Errorf("%s: %s %s = %q, want %q", d.field, d.unit, d.key, got, d.want)
		}
	}
}

// Each field of the manifest that sets every field becomes the directives
// README.md's table says.
func TestDirectives(t *testing.T) {
	p := newProject(t, everyField)
	files, _ := p.export(t, Options{})
	svman := svmanBinary(t)
	m := p.dir + "/supervise.hcl"
	const (
		db, migrate, web0, web1 = "svman-db.service", "svman-migrate.service", "svman-web.0.service", "svman-web.1.service"
		notifier, logwatch      = "svman-notifier.service", "svman-logwatch.service"
		s6, checked, target     = "svman-s6.service", "svman-checked.service", "svman-app.target"
	)
	check(t, files, []directive{
		{"command (list)", db, "Service.ExecStart", []string{"/bin/sleep 1000"}},
		{"command (relative program)", web0, "Service.ExecStart", []string{"@" + p.dir + "/bin/web ./bin/web --port 5000"}},
		{"command (string)", migrate, "Service.ExecStart", []string{`/bin/sh -c "exec /bin/echo migrating \"$$DATABASE_URL\" 100%%"`}},
		{"command (bare name, env PATH)", notifier, "Service.ExecStart", []string{"sleep 1000"}},
		{"command (bare name, env PATH)", notifier, "Service.ExecSearchPath", []string{"/usr/bin:/bin"}},
		{"command (absolute)", db, "Service.ExecSearchPath", nil},
		{"dir", db, "Service.WorkingDirectory", []string{p.dir + "/data dir"}},
		{"dir (default)", s6, "Service.WorkingDirectory", []string{p.dir}},
		{"env, env_file, defaults' env_file", db, "Service.Environment", []string{
			`"DATABASE_URL=postgres://127.0.0.1:5432/app"`, `"DOLLAR=pa$word"`, `"LOG_LEVEL=debug"`,
			`"MULTI=line one\nline two"`, `"PCT=50%% done"`, `"QUOTE=say \"hi\""`, `"SHARED=yes"`, `"SVMAN_MODULE=db"`,
		}},
		{"env_clear, inherit_defaults = false", migrate, "Service.Environment", []string{
			`"PATH=/usr/local/bin:/usr/bin:/bin"`, `"SVMAN_MODULE=migrate"`,
		}},
		{"instances, port_base", web1, "Service.Environment", []string{
			`"MULTI=line one\nline two"`, `"PORT=5001"`, `"SHARED=yes"`, `"SVMAN_INSTANCE=1"`, `"SVMAN_MODULE=web.1"`,
		}},
		{"user", db, "Service.User", []string{"root"}},
		{"group", db, "Service.Group", []string{"root"}},
		{"user (unset)", s6, "Service.User", nil},
		{"umask", db, "Service.UMask", []string{"0027"}},
		{"limits.core", db, "Service.LimitCORE", []string{"infinity"}},
		{"limits.nofile", db, "Service.LimitNOFILE", []string{"65536"}},
		{"limits.nproc", db, "Service.LimitNPROC", []string{"4096"}},
		{"limits.memlock", db, "Service.LimitMEMLOCK", []string{"67108864"}},
		{"limits (unset)", s6, "Service.LimitNOFILE", nil},
		{"autostart", target, "Unit.Wants", []string{db, migrate, web0, web1, notifier, s6, checked}},
		{"autostart = false", logwatch, "Unit.PartOf", []string{target}},
		{"autostart = false", logwatch, "Install.WantedBy", []string{target}},
		{"stop_signal", db, "Service.KillSignal", []string{"SIGINT"}},
		{"stop_signal (default)", s6, "Service.KillSignal", []string{"SIGTERM"}},
		{"stop_timeout", db, "Service.TimeoutStopSec", []string{"30s"}},
		{"stop_timeout (defaults)", s6, "Service.TimeoutStopSec", []string{"5s"}},
		{"process group", db, "Service.KillMode", []string{"control-group"}},
		{"on_exit", db, "Service.ExecStopPost", []string{"-/bin/echo exited"}},
		{"restart.policy", db, "Service.Restart", []string{"on-failure"}},
		{"restart.delay", db, "Service.RestartSec", []string{"1s"}},
		{"restart.delay (defaults)", s6, "Service.RestartSec", []string{"2s"}},
		{"restart.exit_codes", db, "Service.SuccessExitStatus", []string{"2"}},
		{"restart on-failure", db, "Service.RestartForceExitStatus", []string{"SIGHUP SIGINT SIGPIPE SIGTERM"}},
		{"restart never", logwatch, "Service.Restart", []string{"no"}},
		{"restart never", logwatch, "Service.RestartSec", nil},
		{"alarm with channels", db, "Unit.OnFailure", []string{"svman-app-alarm@db.service"}},
		{"alarm.interval", db, "Unit.StartLimitIntervalSec", []string{"1min"}},
		{"alarm.max_tries", db, "Unit.StartLimitBurst", []string{"11"}},
		{"alarm off", notifier, "Unit.OnFailure", nil},
		{"alarm off", notifier, "Unit.StartLimitIntervalSec", []string{"0"}},
		{"alarm template", "svman-app-alarm@.service", "Service.ExecStart", []string{svman + " alarm -f " + m + " --systemd %i"}},
		{"alarm template", "svman-app-alarm@.service", "Service.Type", []string{"oneshot"}},
		{"depends_on ready", migrate, "Unit.After", []string{db}},
		{"depends_on ready", migrate, "Unit.Wants", []string{db}},
		{"depends_on ready", migrate, "Unit.Requires", nil},
		{"depends_on healthy, completed; restart", web0, "Unit.After", []string{db, migrate}},
		{"on_dependency_restart = restart", web0, "Unit.BindsTo", []string{db, migrate}},
		{"on_dependency_restart = restart", web0, "Unit.Wants", nil},
		{"depends_on started, instances", notifier, "Unit.After", []string{web0, web1}},
		{"depends_on started, instances", notifier, "Unit.Wants", []string{web0, web1}},
		{"completed: a one-shot", migrate, "Service.Type", []string{"oneshot"}},
		{"completed: a one-shot", migrate, "Service.RemainAfterExit", []string{"yes"}},
		{"completed: a one-shot", migrate, "Service.TimeoutStartSec", []string{"infinity"}},
		{"completed: a one-shot", migrate, "Service.RestartForceExitStatus", nil},
		{"no ready", s6, "Service.Type", []string{"exec"}},
		{"ready.tcp, user", db, "Service.ExecStartPost", []string{"+" + svman + " probe -f " + m + " --wait 30s db"}},
		{"ready.timeout", db, "Service.TimeoutStartSec", []string{"40s"}},
		{"ready.http", web0, "Service.ExecStartPost", []string{svman + " probe -f " + m + " --wait 1m0s web.0"}},
		{"ready.exec", checked, "Service.ExecStartPost", []string{svman + " probe -f " + m + " --wait 1m0s checked"}},
		{"ready.notify", notifier, "Service.Type", []string{"notify"}},
		{"ready.notify", notifier, "Service.NotifyAccess", []string{"all"}},
		{"ready.notify", notifier, "Service.TimeoutStartSec", []string{"1min"}},
		{"ready.watchdog", notifier, "Service.WatchdogSec", []string{"30s"}},
		{"ready.watchdog", notifier, "Service.WatchdogSignal", []string{"SIGTERM"}},
		{"ready.log", logwatch, "Service.Type", []string{"exec"}},
		{"ready.log", logwatch, "Service.ExecStartPost", nil},
		{"ready.notification_fd", s6, "Service.ExecStartPost", nil},
		{"log: the journal", db, "Service.SyslogIdentifier", []string{"db"}},
		{"log: the journal", db, "Service.StandardOutput", nil},
		{"the target", db, "Unit.PartOf", []string{target}},
		{"the target", db, "Install.WantedBy", []string{target}},
		{"the target", target, "Install.WantedBy", []string{"multi-user.target"}},
	})
}

// The other kinds of export: log files, the user's manager, svman itself.
func TestDirectivesOfOptions(t *testing.T) {
	p := newProject(t, everyField)
	svman := svmanBinary(t)
	m := p.dir + "/supervise.hcl"

	files, _ := p.export(t, Options{Logs: LogsFiles})
	check(t, files, []directive{
		{"--logs files", "svman-db.service", "Service.StandardOutput", []string{"append:" + p.dir + "/status/db/__stdout"}},
		{"--logs files", "svman-db.service", "Service.StandardError", []string{"append:" + p.dir + "/status/db/__stderr"}},
		{"--logs files", "svman-db.service", "Service.SyslogIdentifier", nil},
	})

	files, _ = p.export(t, Options{User: true})
	check(t, files, []directive{
		{"--user", "svman-db.service", "Service.User", nil},
		{"--user", "svman-db.service", "Service.Group", nil},
		{"--user", "svman-app.target", "Install.WantedBy", []string{"default.target"}},
	})

	files, _ = p.export(t, Options{Self: true})
	if len(files) != 1 {
		t.Errorf("--self wrote %d units, want 1", len(files))
	}
	// The longest chain of stop_timeouts: notifier (5s) after web (5s) after
	// migrate (10s, without the defaults) after db (30s), and 10s more.
	check(t, files, []directive{
		{"--self", "svman-app.service", "Service.Type", []string{"notify"}},
		{"--self", "svman-app.service", "Service.NotifyAccess", []string{"main"}},
		{"--self", "svman-app.service", "Service.ExecStart", []string{svman + " up -f " + m}},
		{"--self", "svman-app.service", "Service.ExecReload", []string{svman + " reload -f " + m}},
		{"--self", "svman-app.service", "Service.KillMode", []string{"mixed"}},
		{"--self", "svman-app.service", "Service.TimeoutStartSec", []string{"infinity"}},
		{"--self", "svman-app.service", "Service.TimeoutStopSec", []string{"1min"}},
		{"--self", "svman-app.service", "Service.Restart", []string{"on-failure"}},
		{"--self", "svman-app.service", "Service.LimitNOFILE", []string{"65536"}},
		{"--self", "svman-app.service", "Service.User", nil},
		{"--self", "svman-app.service", "Unit.After", []string{"network.target"}},
		{"--self", "svman-app.service", "Install.WantedBy", []string{"multi-user.target"}},
	})

	files, _ = p.export(t, Options{Self: true, User: true})
	check(t, files, []directive{
		{"--self --user", "svman-app.service", "Unit.After", nil},
		{"--self --user", "svman-app.service", "Install.WantedBy", []string{"default.target"}},
	})
}

// The same manifest gives the same bytes, loaded and exported again, with
// units in name order.
func TestDeterministic(t *testing.T) {
	p := newProject(t, everyField)
	for _, o := range []Options{{}, {Logs: LogsFiles}, {User: true}, {Self: true}} {
		o.Svman, o.Project = svmanBinary(t), "app"
		var outputs [2][]export.File
		for i := range outputs {
			m, err := manifest.Load(filepath.Join(p.dir, "supervise.hcl"))
			if err != nil {
				t.Fatal(err)
			}
			outputs[i] = Export(m, o, export.NewNotes(m))
		}
		a, b := outputs[0], outputs[1]
		if len(a) != len(b) {
			t.Fatalf("%+v: %d units, then %d", o, len(a), len(b))
		}
		for i := range a {
			if a[i].Name != b[i].Name || !bytes.Equal(a[i].Data, b[i].Data) {
				t.Errorf("%+v: %s differs from one export to the next:\n%s\n---\n%s", o, a[i].Name, a[i].Data, b[i].Data)
			}
			if i > 0 && strings.Compare(a[i-1].Name, a[i].Name) >= 0 {
				t.Errorf("%+v: %s comes before %s", o, a[i-1].Name, a[i].Name)
			}
		}
	}
}

// Every field of manifest.Module has its place in the list of service's
// doc comment (written, noted, or the same as systemd's default), so that a
// field added to Module is not dropped without a word.
func TestEveryModuleFieldPlaced(t *testing.T) {
	src, err := os.ReadFile("service.go")
	if err != nil {
		t.Fatal(err)
	}
	start := strings.Index(string(src), "// service is the unit of module mod")
	end := strings.Index(string(src), "func (x *exporter) service(")
	if start < 0 || end < start {
		t.Fatal("service.go has no doc comment on service")
	}
	doc := string(src[start:end])
	typ := reflect.TypeOf(manifest.Module{})
	for i := range typ.NumField() {
		name := typ.Field(i).Name
		if !regexp.MustCompile(`\b` + name + `\b`).MatchString(doc) {
			t.Errorf("manifest.Module's %s is not in the list of service's doc comment", name)
		}
	}
}
