package query

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/signinq/signinq/plugins"
)

var checkNow = time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)

// TestCheckErrors checks that what the catalog or the registry refuses is
// reported where it stands, with a suggestion when one is near.
func TestCheckErrors(t *testing.T) {
	for _, tc := range []struct {
		text, pos, msg string
	}{
		{`count where staus=failure`, "1:13", `unknown field "staus"; did you mean "status"?`},
		{`count where UserPrincipleName = x`, "1:13", `unknown field "UserPrincipleName"; did you mean "UserPrincipalName"?`},
		{`count group by IPAdress`, "1:16", `unknown field "IPAdress"; did you mean "IPAddress"?`},
		{`count where status.errorcod = 0`, "1:13", `did you mean "status.errorCode"?`},
		{`count group by user, UserPrincipalName`, "1:22", "user is grouped by twice"},
		{`count where ResultType = x`, "1:26", "error is a number"},
		{`count where AppDisplayName > "x"`, "1:30", "compares numbers and times; app is text"},
		{`count where status=faliure`, "1:20", `status has no value "faliure"; did you mean "failure"?`},
		{`count where type=interactiv`, "1:18", `did you mean "interactive"?`},
		{`count where ca in (success, faiure)`, "1:29", `did you mean "failure"?`},
		{`count where latency > "x"`, "1:23", `latency is a number: "x" is not one`},
		{`count where compliant = maybe`, "1:25", "compliant is true or false"},
		{`count where app > "x"`, "1:19", "compares numbers and times; app is text"},
		{`count where latency contains 5`, "1:30", "matches text; latency is a number"},
		{`count where ip = 10.0.0.0/8`, "1:18", "is a network: write ip in"},
		// Networks and addresses that are not: an error, never a match of nothing.
		{`count where ip in 10.0.0.0/33`, "1:19", "10.0.0.0/33 is not a network: its prefix length 33 is not a number from 0 to 32 (an IPv4 address has 32 bits)"},
		{`count where ip in 300.0.0.0/8`, "1:19", "300.0.0.0/8 is not a network: 300.0.0.0 is not an IP address (IPv4 field has value >255)"},
		{`count where ip in (10.0.0.0/8, ::/129)`, "1:32", "::/129 is not a network: its prefix length 129 is not a number from 0 to 128 (an IPv6 address has 128 bits)"},
		{`count where ip in 2001:db8::/-1`, "1:19", "its prefix length -1 is not a number from 0 to 128"},
		{`count where ip in 10.0.0.0/8x`, "1:19", "its prefix length 8x is not a number"},
		{`count where ip in "10.0.0/8"`, "1:19", "is not a network: 10.0.0 is not an IP address"},
		{`count where ip = 300.1.2.3`, "1:18", "300.1.2.3 is not an IP address (IPv4 field has value >255)"},
		{`count where ip != 10.0.0.256`, "1:19", "10.0.0.256 is not an IP address"},
		{`count where ip not in (1.2.3.4, 10.0.0.0/99)`, "1:33", "10.0.0.0/99 is not a network"},
		{`count where ip ~ "("`, "1:18", "bad regular expression"},
		{`count where time in (2026-11-01)`, "1:22", "compare time with <"},
		{`count where dcount(user) > 1`, "1:13", `dcount is an aggregate: a condition on aggregates goes in having`},
		{`count where dcont(user) > 1`, "1:13", `unknown function "dcont"`},
		{`count where user`, "1:13", `"user" alone is not a condition`},
		{`dcount(bin(1h))`, "1:8", "dcount takes a field (dcount(field)), not bin(1h)"},
		{`dcunt(user)`, "1:1", `unknown aggregate "dcunt"; did you mean "dcount"?`},
		{`dcount(usr)`, "1:8", `unknown field "usr"; did you mean "user"?`},
		{`user`, "1:1", "user is a field: a head is an aggregate"},
		{`count(user)`, "1:1", "count takes 0 arguments"},
		{`min(policy)`, "1:1", "min needs a field of one value per sign-in"},
		{`sum(app)`, "1:1", "sum needs a numeric field"},
		{`count * app`, "1:9", "app is a field"},
		{`count as a, count as a`, "1:22", "alias a is given twice"},
		{`a + 1 as b, b + 1 as a`, "1:1", "refers to itself"},
		{`count where status = failure and latency * 2 > 1`, "1:42", "arithmetic (*) is for aggregates"},
		{`count group by app order by cont`, "1:29", `did you mean "count"?`},
		{`count group by bim(1h)`, "1:16", `unknown function "bim"; did you mean "bin"?`},
		{`count group by bin(x)`, "1:20", "bin takes a duration"},
		{`count group by app, app`, "1:21", "app is grouped by twice"},
		{`count since yesterday`, "1:13", "since takes a duration"},
		{`count since 2026-11-27`, "1:13", "since 2026-11-27 is after now (2026-11-26T00:00:00Z): nothing comes between; use between, or a later now"},
		{`count between 2026-11-08 and 2026-11-01`, "1:30", "must come after its start"},
		{`count between 2026-13-08 and 2026-11-01`, "1:15", "is not a time"},
		{`count group by app order by cnt`, "1:29", `unknown output column "cnt"; did you mean "count"?`},
		{`count group by app having cnt > 1`, "1:27", `unknown output column "cnt"`},
		{`count group by compliant having compliant = true`, "1:45", `unknown output column "true" (the query's columns: compliant, count); having compares numbers and output columns (choose sign-ins by a field's value with where)`},
		{`count group by app having app = "Teams"`, "1:33", `unknown output column "Teams"`},
		{`count group by app having app > 3`, "1:27", `having compares numbers, or output columns of one kind: app is text; to choose sign-ins by a field, use where`},
		{`min(time) as first, count group by app having first > 3`, "1:47", `first is a time`},
		{`count as "n sign-ins" group by app having "n signins" > 3`, "1:43", `unknown output column "n signins"; did you mean "n sign-ins"?`},
		{`count as "n sign-ins" group by app order by "n" desc`, "1:45", `unknown output column "n"`},
		{`top 0 app`, "1:5", "top takes a whole number of 1 or more"},
		{`top 5 app limit 3`, "1:1", "top orders by its aggregate"},
		{`count limit x`, "1:13", "limit takes a whole number"},
		{`list time, bin(1h)`, "1:12", "list takes fields and functions of a field"},
		{`list order by latency`, "1:15", "list is ordered by its columns, and latency is not one of them"},
		{`count | nostage`, "1:9", `unknown stage "nostage"`},
		{`list | sprai`, "1:8", `unknown stage "sprai"; did you mean "spray"?`},
		{`list since 7d | spray acounts=5`, "1:23", `spray has no argument "acounts"; did you mean "accounts"? (spray [accounts]`},
		// A value that is not of its argument's type, or that the stage
		// refuses, is an error at the value.
		{`list since 7d | spray window=7x`, "1:30", `spray's window: "7x" is not a duration like 1h`},
		{`list since 30d | spray window=2h accounts=abc`, "1:43", `spray's accounts: "abc" is not a whole number of at least 1`},
		{`list since 7d | SPRAY accounts=0`, "1:32", `spray's accounts: "0" is not a whole number of at least 1`},
		{`list since 7d | spray codes="50126, x"`, "1:29", `spray's codes: "x" is not an error code (write codes like "50126, 50053")`},
		{`list since 7d | grouped 7x`, "1:25", `grouped's window: "7x" is not a duration like 1h (or h1, h6 or d1)`},
		{`list since 7d | newvalue country by user baseline soon`, "1:51", `newvalue's baseline: "soon" is not a duration like 1h`},
		{`list since 7d | newvalue nosuchfield`, "1:26", `newvalue's field: "nosuchfield" is not a field (see docs/fields.md)`},
		{`list since 7d | newvalue country by country`, "1:37", `newvalue's by: "country" is the field too`},
		{`list since 7d | travel status=maybe`, "1:31", `travel's status: "maybe" is not success, failure, interrupted, all, any or *`},
		{`count since 7d group by bin(1h) | spikes k=-1`, "1:44", `spikes' k: "-1" is not a number of at least 0`},
		{`list | newvalue`, "1:8", `newvalue needs its field argument`},
		{`count group by hour(time, 3)`, "1:16", `hour takes hour(time)`},
		{`count where subnet(ip, "x") = a`, "1:24", `subnet's bits: "x" is not a number`},
		{`list time | spray`, "1:13", `spray: needs the column`},
		// Comparisons of two fields.
		{`count where client = Browser`, "1:22", `Browser is the field browser in another case: to compare client with that field write browser, to compare it with the text quote it (client = "Browser")`},
		{`count where tenant != RESOURCETENANT`, "1:23", `RESOURCETENANT is the field resourceTenant in another case`},
		{`count where tenant != resourcetenantid`, "1:23", `resourcetenantid is the field resourceTenant in another case`},
		{`count where app contains resource`, "1:26", `resource is a field, and contains matches text or a pattern: to match the text, quote it (app contains "resource")`},
		{`count where app like user`, "1:22", `user is a field, and like matches text`},
		{`count where app contains domain(user)`, "1:26", `contains matches text or a pattern, not domain(user)`},
		{`count where app = latency`, "1:19", `app is text and latency is a number: a field compares with a field of its kind; to compare app with the text latency, quote it (app = "latency")`},
		{`count where latency = app`, "1:23", `latency is a number and app is text: a field compares with a field of its kind`},
		{`count where time > latency`, "1:20", `time is a time and latency is a number`},
		{`count where hour(time) = domain(user)`, "1:26", `hour(time) is a number and domain(user) is text`},
		{`count where app < resource`, "1:19", `< compares numbers and times; app is text`},
		{`count where compliant < managed`, "1:25", `< compares numbers and times; compliant is true or false`},
		{`count where policy > app`, "1:22", `> compares numbers and times; policy is a list of text`},
		{`count where app = dcount(user)`, "1:19", `dcount is an aggregate, not a function`},
		// Stages that read sign-ins after an aggregate query.
		{`count since 3d group by bin(1d), user, country | newvalue country by user`, "1:50", `newvalue reads sign-ins, and the rows before it are groups (of time, user, country): put it right after a list (list since 7d | newvalue country by user)`},
		{`count group by bin(1h), app | spikes | travel`, "1:40", `travel reads sign-ins, and the rows before it are groups`},
	} {
		st, err := Parse(tc.text)
		if err == nil {
			_, err = Check(st, nil, checkNow)
		}
		var qe *Error
		if !errors.As(err, &qe) {
			t.Errorf("%q: error %v, want a *query.Error", tc.text, err)
			continue
		}
		if qe.Pos.String() != tc.pos || !strings.Contains(qe.Msg, tc.msg) {
			t.Errorf("%q:\n  got  %v\n  want %s: …%s…", tc.text, err, tc.pos, tc.msg)
		}
	}
}

// TestStageArgCaret checks that an error in a stage's argument points
// at the argument's value, and carries the *plugins.ArgError that says
// which.
func TestStageArgCaret(t *testing.T) {
	text := "list since 30d | spray window=2h accounts=abc"
	st, err := Parse(text)
	if err == nil {
		_, err = Check(st, nil, checkNow)
	}
	var qe *Error
	if !errors.As(err, &qe) {
		t.Fatalf("error %v, want a *query.Error", err)
	}
	want := text + "\n" + strings.Repeat(" ", len("list since 30d | spray window=2h accounts=")) + "^"
	if got := qe.Caret(text); got != want {
		t.Errorf("caret:\n%s\nwant\n%s", got, want)
	}
	var ae *plugins.ArgError
	if !errors.As(err, &ae) || ae.Stage != "spray" || ae.Arg != "accounts" || ae.Value != "abc" {
		t.Errorf("error %#v, want one wrapping the ArgError of spray's accounts", err)
	}
}

// TestOutputColumns checks the names and kinds of output columns.
func TestOutputColumns(t *testing.T) {
	for _, tc := range []struct{ text, cols string }{
		{`count`, "count:int"},
		{`COUNT, DCount(User) as Users`, "count:int Users:int"},
		{`countif(status=failure) as failed, count as total, failed * 100 / total as pct group by app`, "app:string failed:int total:int pct:float"},
		{`countif(STATUS=failure) group by bin(1h), country`, "time:time country:string countif(status = failure):int"},
		{`min(time), max(latency), avg(latency), sum(latency), values(ip), dcount(policy)`, "min(time):time max(latency):int avg(latency):float sum(latency):int values(ip):list dcount(policy):int"},
		{`count * 2, count + 0.5, count / 2`, "count * 2:int count + 0.5:float count / 2:float"},
		{`top 3 app, country by dcount(user)`, "app:string country:string dcount(user):int"},
		{`top 3 policy`, "policy:string count:int"},
		{`list`, "time:time type:string identity:string app:string resource:string ip:string status:string error:int"},
		{`list USER, authMethod`, "user:string authMethod:list"},
		// Aliases: results name the catalog's field.
		{`list UserPrincipalName, status.errorCode, DeviceDetail.browser`, "user:string error:int browser:string"},
		{`count, dcount(ipAddress) group by AppDisplayName order by appdisplayname`, "app:string count:int dcount(ipaddress):int"},
		{`count group by hour(CreatedDateTime)`, "hour(createddatetime):int count:int"}, // a function is named as written, as aggregates are
		{`top 3 UserPrincipalName by dcount(IPAddress)`, "user:string dcount(ipaddress):int"},
		{`count group by app having dcount(user) > 2 order by max(time)`, "app:string count:int"},
		{`count as "n sign-ins", min(time) as a, max(time) as b group by app having "n sign-ins" > 3 and b > a order by "N Sign-ins"`, "app:string n sign-ins:int a:time b:time"},
	} {
		st, err := Parse(tc.text)
		if err != nil {
			t.Fatalf("%s: %v", tc.text, err)
		}
		p, err := Check(st, nil, checkNow)
		if err != nil {
			t.Errorf("%s: %v", tc.text, err)
			continue
		}
		var got []string
		for _, c := range planColumns(p) {
			got = append(got, c.Name+":"+c.Kind.String())
		}
		if strings.Join(got, " ") != tc.cols {
			t.Errorf("%s:\n  columns %s\n  want    %s", tc.text, strings.Join(got, " "), tc.cols)
		}
	}
}

// TestLimits checks that a query stops when its context is done, and
// fails with ErrTooMuchMemory when its groups outgrow the limit.
func TestLimits(t *testing.T) {
	db, err := fuzzStore()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Run(ctx, db, nil, "count group by user", Options{Now: checkNow}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled query: %v", err)
	}
	_, err = Run(context.Background(), db, nil, "count, values(ip) group by user, app", Options{Now: checkNow, MaxMemory: 4 << 10})
	if !errors.Is(err, ErrTooMuchMemory) {
		t.Errorf("query over the memory limit: %v", err)
	}
	if _, err := Run(context.Background(), db, nil, "count, values(ip) group by user, app", Options{Now: checkNow}); err != nil {
		t.Errorf("the same query under the default limit: %v", err)
	}
}
