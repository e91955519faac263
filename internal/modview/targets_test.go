package modview

import (
	"errors"
	"slices"
	"testing"

	"svman/manifest"
)

// Pick addresses modules by name, a block by its instances in number order,
// and says which name is unknown.
func TestPick(t *testing.T) {
	all := []Target{{"web.10", "d/web.10"}, {"web.2", "d/web.2"}, {"db", "d/db"}, {"web.02", "d/web.02"}}
	blocks := map[string]manifest.InstanceCount{"web": {}, "cron": {}}
	names := func(ts []Target) []string {
		var out []string
		for _, t := range ts {
			out = append(out, t.Name)
		}
		return out
	}
	for _, c := range []struct {
		ask  []string
		want []string
	}{
		{nil, []string{"web.10", "web.2", "db", "web.02"}},
		{[]string{"db", "web"}, []string{"db", "web.2", "web.10"}},
		{[]string{"web.02"}, []string{"web.02"}},
	} {
		got, err := Pick(all, c.ask, blocks)
		if err != nil || !slices.Equal(names(got), c.want) {
			t.Errorf("Pick(%v) = %v, %v; want %v", c.ask, names(got), err, c.want)
		}
	}
	for ask, says := range map[string]string{
		"nope": `no module named "nope" (modules: web.10, web.2, db, web.02)`,
		"cron": "module cron has no instances in force (instances = 0): 'svman scale cron=N' starts some",
	} {
		_, err := Pick(all, []string{"db", ask}, blocks)
		var u *UnknownError
		if !errors.As(err, &u) || u.Name != ask || err.Error() != says {
			t.Errorf("Pick(%s): %v", ask, err)
		}
	}
}
