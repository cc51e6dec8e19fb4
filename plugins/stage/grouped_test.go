package stage

import (
	"slices"
	"strings"
	"testing"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins/stage/internal/stagetest"
	"github.com/signinq/signinq/result"
)

// TestGrouped checks grouped on hand-built sign-ins. Rows print as
// window | type | app | appId | user | sp | spId | ip | status |
// resource | resourceId | first | last | signInCount.
func TestGrouped(t *testing.T) {
	type kv = map[string]any
	ni := func(tm, user, ip string) kv {
		return kv{"time": tm, "type": "nonInteractive", "app": "Teams", "appId": "a1", "user": user, "ip": ip,
			"status": "success", "resource": "Graph", "resourceId": "r1"}
	}
	with := func(m kv, k string, v any) kv {
		c := make(kv, len(m)+1)
		for a, b := range m {
			c[a] = b
		}
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	sp := func(tm, spID, ip, resID string) kv {
		return kv{"time": tm, "type": "servicePrincipal", "app": "backup", "appId": "a9", "sp": "backup", "spId": spID,
			"ip": ip, "status": "success", "resource": "Storage", "resourceId": resID}
	}
	mi := func(tm, ip string) kv {
		return kv{"time": tm, "type": "managedIdentity", "sp": "vm1", "spId": "m1", "ip": ip,
			"status": "success", "resource": "Key Vault", "resourceId": "kv"}
	}
	tests := []struct {
		name string
		args []string
		in   []kv
		want []string
	}{{
		name: "merged within the hour",
		in:   []kv{ni("10:55", "ann", "1.1.1.1"), ni("10:05", "ann", "1.1.1.1"), ni("10:30", "ann", "1.1.1.1")},
		want: []string{"10:00:00 | nonInteractive | Teams | a1 | ann |  |  | 1.1.1.1 | success | Graph | r1 | 10:05:00 | 10:55:00 | 3"},
	}, {
		name: "window edges",
		in: []kv{ni("10:59:59.999", "ann", "1.1.1.1"), ni("11:00", "ann", "1.1.1.1"), ni("00:00", "ann", "1.1.1.1"),
			ni("+1d 00:00", "ann", "1.1.1.1")},
		want: []string{
			"00:00:00 | nonInteractive | Teams | a1 | ann |  |  | 1.1.1.1 | success | Graph | r1 | 00:00:00 | 00:00:00 | 1",
			"10:00:00 | nonInteractive | Teams | a1 | ann |  |  | 1.1.1.1 | success | Graph | r1 | 10:59:59 | 10:59:59 | 1",
			"11:00:00 | nonInteractive | Teams | a1 | ann |  |  | 1.1.1.1 | success | Graph | r1 | 11:00:00 | 11:00:00 | 1",
			"2026-11-03T00:00:00Z | nonInteractive | Teams | a1 | ann |  |  | 1.1.1.1 | success | Graph | r1 | 2026-11-03T00:00:00Z | 2026-11-03T00:00:00Z | 1",
		},
	}, {
		name: "6h windows start at 0, 6, 12 and 18 UTC",
		args: []string{"6h"},
		in:   []kv{ni("00:00", "ann", "1.1.1.1"), ni("05:59:59", "ann", "1.1.1.1"), ni("06:00", "ann", "1.1.1.1"), ni("17:00", "ann", "1.1.1.1")},
		want: []string{
			"00:00:00 | nonInteractive | Teams | a1 | ann |  |  | 1.1.1.1 | success | Graph | r1 | 00:00:00 | 05:59:59 | 2",
			"06:00:00 | nonInteractive | Teams | a1 | ann |  |  | 1.1.1.1 | success | Graph | r1 | 06:00:00 | 06:00:00 | 1",
			"12:00:00 | nonInteractive | Teams | a1 | ann |  |  | 1.1.1.1 | success | Graph | r1 | 17:00:00 | 17:00:00 | 1",
		},
	}, {
		name: "24h windows are UTC days; Graph's d1 is 24h",
		args: []string{"window=d1"},
		in:   []kv{ni("00:00", "ann", "1.1.1.1"), ni("23:59:59", "ann", "1.1.1.1")},
		want: []string{"00:00:00 | nonInteractive | Teams | a1 | ann |  |  | 1.1.1.1 | success | Graph | r1 | 00:00:00 | 23:59:59 | 2"},
	}, {
		name: "non-interactive keys: app, user, ip, status, resourceId",
		in: []kv{
			ni("10:00", "ann", "1.1.1.1"),
			ni("10:01", "bob", "1.1.1.1"),
			ni("10:02", "ann", "2.2.2.2"),
			with(ni("10:03", "ann", "1.1.1.1"), "status", "failure"),
			with(ni("10:04", "ann", "1.1.1.1"), "app", "Outlook"),
			with(ni("10:05", "ann", "1.1.1.1"), "resourceId", "r2"),
			// Not keys: the app's id and the resource's name.
			with(with(ni("10:06", "ann", "1.1.1.1"), "appId", "a2"), "resource", "Graph2"),
		},
		want: []string{
			"10:00:00 | nonInteractive | Outlook | a1 | ann |  |  | 1.1.1.1 | success | Graph | r1 | 10:04:00 | 10:04:00 | 1",
			"10:00:00 | nonInteractive | Teams |  | ann |  |  | 1.1.1.1 | success |  | r1 | 10:00:00 | 10:06:00 | 2",
			"10:00:00 | nonInteractive | Teams | a1 | ann |  |  | 1.1.1.1 | failure | Graph | r1 | 10:03:00 | 10:03:00 | 1",
			"10:00:00 | nonInteractive | Teams | a1 | ann |  |  | 1.1.1.1 | success | Graph | r2 | 10:05:00 | 10:05:00 | 1",
			"10:00:00 | nonInteractive | Teams | a1 | ann |  |  | 2.2.2.2 | success | Graph | r1 | 10:02:00 | 10:02:00 | 1",
			"10:00:00 | nonInteractive | Teams | a1 | bob |  |  | 1.1.1.1 | success | Graph | r1 | 10:01:00 | 10:01:00 | 1",
		},
	}, {
		name: "service principal keys: the principal, status, ip, resource",
		in: []kv{
			sp("10:00", "s1", "9.9.9.9", "st"), sp("10:10", "s1", "9.9.9.9", "st"),
			sp("10:20", "s1", "8.8.8.8", "st"),
			sp("10:30", "s1", "9.9.9.9", "kv"),
			// Without ids, by name.
			sp("10:40", "", "9.9.9.9", ""), sp("10:50", "", "9.9.9.9", ""),
		},
		want: []string{
			"10:00:00 | servicePrincipal | backup | a9 |  | backup |  | 9.9.9.9 | success | Storage |  | 10:40:00 | 10:50:00 | 2",
			"10:00:00 | servicePrincipal | backup | a9 |  | backup | s1 | 8.8.8.8 | success | Storage | st | 10:20:00 | 10:20:00 | 1",
			"10:00:00 | servicePrincipal | backup | a9 |  | backup | s1 | 9.9.9.9 | success | Storage | kv | 10:30:00 | 10:30:00 | 1",
			"10:00:00 | servicePrincipal | backup | a9 |  | backup | s1 | 9.9.9.9 | success | Storage | st | 10:00:00 | 10:10:00 | 2",
		},
	}, {
		name: "managed identities merge across addresses",
		in: []kv{
			mi("10:00", "10.0.0.1"), mi("10:10", "10.0.0.2"),
			mi("11:00", "10.0.0.1"), mi("11:10", "10.0.0.1"),
			with(mi("11:20", "10.0.0.1"), "status", "failure"),
		},
		want: []string{
			"10:00:00 | managedIdentity |  |  |  | vm1 | m1 |  | success | Key Vault | kv | 10:00:00 | 10:10:00 | 2",
			"11:00:00 | managedIdentity |  |  |  | vm1 | m1 | 10.0.0.1 | failure | Key Vault | kv | 11:20:00 | 11:20:00 | 1",
			"11:00:00 | managedIdentity |  |  |  | vm1 | m1 | 10.0.0.1 | success | Key Vault | kv | 11:00:00 | 11:10:00 | 2",
		},
	}, {
		name: "interactive sign-ins stay one row each",
		in: []kv{
			with(ni("10:20", "ann", "1.1.1.1"), "type", "interactive"),
			with(ni("10:10", "ann", "1.1.1.1"), "type", "interactive"),
			with(ni("10:10", "ann", "1.1.1.1"), "type", "interactive"),
			ni("10:15", "ann", "1.1.1.1"),
		},
		want: []string{
			"10:00:00 | interactive | Teams | a1 | ann |  |  | 1.1.1.1 | success | Graph | r1 | 10:10:00 | 10:10:00 | 1",
			"10:00:00 | interactive | Teams | a1 | ann |  |  | 1.1.1.1 | success | Graph | r1 | 10:10:00 | 10:10:00 | 1",
			"10:00:00 | interactive | Teams | a1 | ann |  |  | 1.1.1.1 | success | Graph | r1 | 10:20:00 | 10:20:00 | 1",
			"10:00:00 | nonInteractive | Teams | a1 | ann |  |  | 1.1.1.1 | success | Graph | r1 | 10:15:00 | 10:15:00 | 1",
		},
	}, {
		name: "AD FS sign-ins stay one row each",
		in: []kv{
			with(ni("10:10", "ann", "1.1.1.1"), "type", "adfs"),
			with(ni("10:10", "ann", "1.1.1.1"), "type", "adfs"),
		},
		want: []string{
			"10:00:00 | adfs | Teams | a1 | ann |  |  | 1.1.1.1 | success | Graph | r1 | 10:10:00 | 10:10:00 | 1",
			"10:00:00 | adfs | Teams | a1 | ann |  |  | 1.1.1.1 | success | Graph | r1 | 10:10:00 | 10:10:00 | 1",
		},
	}, {
		name: "absent values",
		in: []kv{
			// Without a user or an address: merged with the like.
			with(ni("10:00", "", "1.1.1.1"), "user", nil), ni("10:01", "", "1.1.1.1"),
			with(ni("10:02", "ann", "1.1.1.1"), "ip", nil),
			// Without a type: never merged.
			with(ni("10:03", "ann", "1.1.1.1"), "type", nil), with(ni("10:03", "ann", "1.1.1.1"), "type", nil),
			// Without a time: left out.
			with(ni("10:04", "ann", "1.1.1.1"), "time", nil),
			// A value missing from one of a group's sign-ins does not
			// hide the others'.
			with(ni("10:05", "cy", "1.1.1.1"), "appId", nil), ni("10:06", "cy", "1.1.1.1"),
		},
		want: []string{
			"10:00:00 |  | Teams | a1 | ann |  |  | 1.1.1.1 | success | Graph | r1 | 10:03:00 | 10:03:00 | 1",
			"10:00:00 |  | Teams | a1 | ann |  |  | 1.1.1.1 | success | Graph | r1 | 10:03:00 | 10:03:00 | 1",
			"10:00:00 | nonInteractive | Teams | a1 |  |  |  | 1.1.1.1 | success | Graph | r1 | 10:00:00 | 10:01:00 | 2",
			"10:00:00 | nonInteractive | Teams | a1 | ann |  |  |  | success | Graph | r1 | 10:02:00 | 10:02:00 | 1",
			"10:00:00 | nonInteractive | Teams | a1 | cy |  |  | 1.1.1.1 | success | Graph | r1 | 10:05:00 | 10:06:00 | 2",
		},
	}, {
		name: "summarized rows count as their signInCount",
		in:   []kv{with(ni("10:05", "ann", "1.1.1.1"), "signInCount", 15), ni("10:06", "ann", "1.1.1.1"), with(ni("10:07", "ann", "1.1.1.1"), "signInCount", 0)},
		want: []string{"10:00:00 | nonInteractive | Teams | a1 | ann |  |  | 1.1.1.1 | success | Graph | r1 | 10:05:00 | 10:07:00 | 17"},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var rows [][]result.Value
			for _, m := range tc.in {
				rows = append(rows, stagetest.Row(stagetest.Cols, m))
			}
			out, err := stagetest.Run(t, grouped{}, stagetest.Cols, rows, tc.args...)
			if err != nil {
				t.Fatal(err)
			}
			if got := stagetest.Format(out); !slices.Equal(got, tc.want) {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			// The order of the input does not matter.
			slices.Reverse(rows)
			again, err := stagetest.Run(t, grouped{}, stagetest.Cols, rows, tc.args...)
			if err != nil {
				t.Fatal(err)
			}
			if got := stagetest.Format(again); !slices.Equal(got, tc.want) {
				t.Errorf("reversed input: got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

func TestGroupedBind(t *testing.T) {
	f := func(cols []result.Column, args []string, wantErr string) {
		t.Helper()
		_, err := stagetest.Run(t, grouped{}, cols, nil, args...)
		if wantErr == "" && err != nil || wantErr != "" && (err == nil || !strings.Contains(err.Error(), wantErr)) {
			t.Errorf("grouped %v over %d columns: %v, want %q", args, len(cols), err, wantErr)
		}
	}
	f(stagetest.Cols, nil, "")
	f(stagetest.Cols[:len(stagetest.Cols)-1], nil, "") // signInCount is optional
	f(stagetest.Cols, []string{"7x"}, `window: "7x" is not a duration like 1h`)
	f(stagetest.Cols, []string{"0h"}, `window: "0h" is not a positive duration`)
	f(stagetest.Cols, []string{"1h", "2h"}, "takes 1 arguments")
	f(stagetest.Cols[:2], nil, "needs the column(s) app, appId, user, sp, spId, ip, status, resource, resourceId")
	bad := slices.Clone(stagetest.Cols)
	bad[0].Kind = signin.KindString
	f(bad, nil, "column time holds strings, not times")

	needs, err := grouped{}.Needs(stagetest.MustBindMap(t, grouped{}, map[string]string{"window": "6h"}))
	want := []string{"time", "type", "app", "appId", "user", "sp", "spId", "ip", "status", "resource", "resourceId", "signInCount"}
	if err != nil || !slices.Equal(needs.Fields, want) || needs.Where != nil {
		t.Errorf("Needs = %+v, %v; want fields %v and no condition", needs, err, want)
	}
	if _, err := stagetest.BindMap(grouped{}, map[string]string{"window": "x"}); err == nil {
		t.Errorf("grouped's arguments bind with window x")
	}
	// Every column the stage emits is in its descriptor.
	r, err := grouped{}.Bind(stagetest.MustBindMap(t, grouped{}, map[string]string{"window": "1h"}), stagetest.Cols)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range r.Columns() {
		names = append(names, c.Name)
	}
	if d := (grouped{}).Describe(); !slices.Equal(names, d.Output) {
		t.Errorf("columns %v, descriptor says %v", names, d.Output)
	}
}
