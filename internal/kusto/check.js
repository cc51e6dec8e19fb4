// check.js: Microsoft's KQL parser and semantic analyzer
// (@kusto/language-service-next) over queries, for signinq's tests.
// Usage: node check.js PACKAGE_DIR TABLES_FILE < queries (JSON lines: a
// string each); it prints, for each query in order, one JSON line: the
// list of its diagnostics ({code, severity, message, start, length}).
'use strict';
const fs = require('fs');
const path = require('path');
const readline = require('readline');

const dir = process.argv[2];
global.Bridge = require(path.join(dir, 'bridge.js'));
require(path.join(dir, 'Kusto.Language.Bridge.js'));
const K = Kusto.Language;

const tables = [];
for (const line of fs.readFileSync(process.argv[3], 'utf8').split('\n')) {
  const l = line.trim();
  if (l === '' || l.startsWith('#')) continue;
  const i = l.indexOf('(');
  tables.push(new K.Symbols.TableSymbol.$ctor7(l.slice(0, i), l.slice(i)));
}
const db = new K.Symbols.DatabaseSymbol.$ctor2('signins', null, tables);
const cluster = new K.Symbols.ClusterSymbol.$ctor1('signinq', [db]);
const globals = K.GlobalState.Default.WithCluster(cluster).WithDatabase(db);

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
rl.on('line', (line) => {
  if (line.trim() === '') return;
  const code = K.KustoCode.ParseAndAnalyze(JSON.parse(line), globals);
  const ds = code.GetDiagnostics();
  const out = [];
  for (let i = 0; i < ds.Count; i++) {
    const d = ds.getItem(i);
    out.push({ code: d.Code, severity: d.Severity, message: d.Message, start: d.Start, length: d.Length });
  }
  process.stdout.write(JSON.stringify(out) + '\n');
});
