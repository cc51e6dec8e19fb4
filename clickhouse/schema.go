package clickhouse

import (
	"fmt"
	"strings"

	"github.com/signinq/signinq/engine/signin"
)

// Table is the name of the sign-ins table in the export's database; with
// a cluster, TableLocal is the name of each shard's table and Table the
// Distributed table over them.
const (
	Table      = "signins"
	TableLocal = "signins_local"
)

// column is one column of the table: a catalog field's, or one the
// table adds (the second of the time for partitions and the sort key,
// the address as 16 bytes, the original record).
type column struct {
	name  string
	typ   string
	field *signin.Field // nil for an added column
}

// Extra columns beside the catalog's fields.
const (
	colSecond = "_t"      // DateTime: time's second, for the partition and the sort key
	colIP16   = "_ip"     // Nullable(FixedString(16)): ip as 16 bytes, IPv4 mapped; null when ip is not an address
	colRaw    = "_raw"    // String: the original record
	colFormat = "_format" // UInt8: the format it was read from (signin.Format)
)

// typeEnum and statusEnum are the Enum8s of type and status: the numbers
// are the engine's own, so that ordering by them orders as it does.
var (
	typeEnum   = "Enum8('interactive' = 0, 'nonInteractive' = 1, 'servicePrincipal' = 2, 'managedIdentity' = 3, 'adfs' = 4)"
	statusEnum = "Enum8('' = 0, 'success' = 1, 'failure' = 2, 'interrupted' = 3)"
)

// columns returns the table's columns: every field of the catalog, by
// its name, then the added ones.
func columns() []column {
	var cs []column
	for _, f := range signin.Fields() {
		var typ string
		switch {
		case f.Name == "time":
			typ = "Int64" // Unix nanoseconds; never absent
		case f.Name == "type":
			typ = typeEnum
		case f.Name == "status":
			typ = statusEnum
		case f.Kind == signin.KindString:
			typ = "String"
		case f.Kind == signin.KindInt, f.Kind == signin.KindTime:
			typ = "Nullable(Int64)"
		case f.Kind == signin.KindFloat:
			typ = "Nullable(Float64)"
		case f.Kind == signin.KindBool:
			typ = "Nullable(UInt8)"
		case f.Kind == signin.KindList:
			typ = "Array(String)"
		default:
			panic("clickhouse: no column type for field " + f.Name)
		}
		cs = append(cs, column{name: f.Name, typ: typ, field: f})
	}
	return append(cs,
		column{name: colSecond, typ: "DateTime('UTC')"},
		column{name: colIP16, typ: "Nullable(FixedString(16))"},
		column{name: colRaw, typ: "String"},
		column{name: colFormat, typ: "UInt8"},
	)
}

// ident quotes a name for ClickHouse SQL.
func ident(s string) string { return "`" + strings.ReplaceAll(s, "`", "\\`") + "`" }

// Schema returns the statements that create the database's table. Each
// shard runs local: the database and a MergeTree table (Table without a
// cluster, TableLocal with one); with a cluster, the server connected to
// then runs distributed, the Distributed table over the shards' tables,
// sharded by the sign-in's id. (ON CLUSTER would need ZooKeeper for its
// queue of DDL; the export runs the statements on each shard itself.)
// The table is partitioned by day, sorted by type, time's second and
// identity (the common filters), keeps multi-valued fields as arrays,
// type and status as Enum8, and times as Int64 nanoseconds, exact.
func Schema(database, cluster string) (local, distributed []string) {
	var defs []string
	for _, c := range columns() {
		defs = append(defs, "    "+ident(c.name)+" "+c.typ)
	}
	body := "(\n" + strings.Join(defs, ",\n") + "\n)"
	engine := fmt.Sprintf("ENGINE = MergeTree PARTITION BY toYYYYMMDD(%s) ORDER BY (%s, %s, %s) SETTINGS index_granularity = 8192",
		ident(colSecond), ident("type"), ident(colSecond), ident("identity"))
	db := ident(database)
	table := Table
	if cluster != "" {
		table = TableLocal
	}
	local = []string{
		"CREATE DATABASE IF NOT EXISTS " + db,
		"CREATE TABLE IF NOT EXISTS " + db + "." + ident(table) + " " + body + " " + engine,
	}
	if cluster == "" {
		return local, nil
	}
	return local, []string{
		"CREATE DATABASE IF NOT EXISTS " + db,
		fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s.%s AS %s.%s ENGINE = Distributed(%s, %s, %s, cityHash64(%s))",
			db, ident(Table), db, ident(TableLocal), quote(cluster), quote(database), quote(TableLocal), ident("id")),
	}
}

// quote writes s as a ClickHouse string literal.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('\'')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\', '\'':
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('\'')
	return b.String()
}
