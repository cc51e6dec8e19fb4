package cli

import (
	"errors"
	"fmt"

	"github.com/signinq/signinq/kql"
	"github.com/signinq/signinq/plugins/standard"
	"github.com/signinq/signinq/query"
)

// explainKQL prints a query in KQL over the Log Analytics sign-in
// tables (package kql). Of the store --db names it reads only the named
// lists, when there is a store: the query is checked with the built-in
// lists and those (their values inlined in the KQL) and no saved
// queries, and its relative times are fixed from --now
// (else the clock) as datetime(…) values, so that the KQL means the same
// wherever and whenever it runs. A query KQL cannot say exactly is an
// error naming the construct and why (exit 1).
func explainKQL(e *env, x *explainCmd, text string) error {
	now := e.now().UTC()
	if x.Now != "" {
		t, latest, err := parseNow(x.Now)
		if err != nil {
			return err
		}
		if latest {
			return errors.New("explain --kql: --now latest needs a store's newest sign-in, which the KQL does not read: give a time (--now 2026-11-26)")
		}
		now = t
	}
	lists, err := storeLists(e, &x.dbFlag)
	if err != nil {
		return err
	}
	plan, err := query.PrepareLists(text, nil, standard.Registry(), now, lists)
	if err != nil {
		return showQueryError(e, text, err)
	}
	var opts kql.Options
	for name, values := range lists {
		opts.Lists = append(opts.Lists, &query.List{Name: name, Values: values})
	}
	out, err := kql.Translate(plan, opts)
	if err != nil {
		return queryFailure{fmt.Errorf("explain --kql: %w", err)}
	}
	_, err = fmt.Fprintln(e.stdout, out)
	return err
}
