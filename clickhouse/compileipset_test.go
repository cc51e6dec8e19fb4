package clickhouse

import (
	"strings"
	"testing"
)

// TestIPSet: ip in a long list is a test per prefix length: IPv4
// networks over the IPv4 addresses' last 4 bytes, IPv6 ones over the
// others' first (and last) 8 bytes, addresses by their 16 bytes, other
// text as text; a short list is tested value by value.
func TestIPSet(t *testing.T) {
	vals := []string{"10.0.0.0/8", "10.1.0.0/8", "192.168.1.0/24", "0.0.0.0/0", "2001:db8::/32", "2001:db8:0:0:1::/80", "::ffff:10.0.0.5", "2001:db8::7"}
	for len(vals) < ipSetMin {
		vals = append(vals, "172.16.0.0/12")
	}
	cp := compileText(t, `count where ip in @nets`, map[string][]string{"nets": vals})
	for _, want := range []string{
		"bitAnd(reinterpretAsUInt32(reverse(substring(assumeNotNull(`_ip`), 13, 4))), 4278190080) IN (167772160)", // 10/8 once (10.1/8 is 10/8)
		"bitAnd(reinterpretAsUInt32(reverse(substring(assumeNotNull(`_ip`), 13, 4))), 4293918720) IN (2886729728)",
		"bitAnd(reinterpretAsUInt32(reverse(substring(assumeNotNull(`_ip`), 13, 4))), 4294967040) IN (3232235776)",
		"(1 OR ", // 0.0.0.0/0: every IPv4 address
		"bitAnd(reinterpretAsUInt64(reverse(substring(assumeNotNull(`_ip`), 1, 8))), 18446744069414584320) IN (2306139568115548160)", // 2001:db8::/32
		"(reinterpretAsUInt64(reverse(substring(assumeNotNull(`_ip`), 1, 8))), bitAnd(reinterpretAsUInt64(reverse(substring(assumeNotNull(`_ip`), 9, 8))), 18446462598732840960)) IN ((2306139568115548160, 281474976710656))",
		"ifNull(`_ip` IN (SELECT toFixedString(unhex(arrayJoin(['00000000000000000000ffff0a000005', '20010db8000000000000000000000007'])), 16)), 0)",
		"if(substring(assumeNotNull(`_ip`), 1, 12) = unhex('00000000000000000000ffff'), ",
	} {
		if !strings.Contains(cp.sql, want) {
			t.Errorf("SQL lacks %s:\n%s", want, cp.sql)
		}
	}
	neg := compileText(t, `count where ip not in @nets`, map[string][]string{"nets": vals})
	if !strings.HasSuffix(neg.sql, " = 0)") {
		t.Errorf("not in: %s, want the negation", neg.sql)
	}
	short := compileText(t, `count where ip in (10.0.0.0/8, 1.2.3.4)`, nil)
	if strings.Contains(short.sql, "bitAnd") {
		t.Errorf("a short list: %s, want a test per value", short.sql)
	}
}
