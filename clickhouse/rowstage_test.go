package clickhouse

import (
	"testing"

	"github.com/signinq/signinq/internal/querygen"
)

// TestRowStages: a stage that reads only the rows before it (spikes,
// anomalies, trend) runs in signinq on the rows ClickHouse computes, the
// query before it compiled to SQL, and gives the engine's answer; a
// stage that reads sign-ins still streams.
func TestRowStages(t *testing.T) {
	f := newFixture(t)
	for _, text := range []string{
		`count where status=failure since 7d group by app, bin(1h) | spikes`,
		`count where status!=success since 14d group by user, bin(1h) | spikes k=1 min=1 | where median >= 0 | order by user`,
		`count where status!=success since 14d group by user, bin(1h) | anomalies k=2.5 trend=linefit`,
		`count where status=failure since 14d group by bin(1h) | anomalies k=1 | trend`,
		`dcount(city) as cities where type=interactive since 14d group by user, app, bin(1d) | trend | limit 3`,
		`count since 14d group by app, bin(1d) | anomalies k=1.5 | limit 5`,
	} {
		o := f.run(text, querygen.End, false)
		switch {
		case o.rejected:
			t.Errorf("%s: the engine refuses it", text)
		case o.refused != nil:
			t.Errorf("%s: not compiled: %v", text, o.refused)
		case o.diff != "":
			t.Errorf("%s: %s", text, o.diff)
		default:
			t.Logf("%s: %d rows agree", text, o.rows)
		}
	}
	o := f.run(`list since 7d | spray`, querygen.End, false)
	if o.refused == nil {
		t.Errorf("spray, which reads sign-ins, compiled")
	}
}
