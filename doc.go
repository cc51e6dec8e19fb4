// Package signinq is the one import an embedder needs: a store of
// Entra ID sign-ins (package engine) with signinq's query language
// (package query) and its built-in plugins (package plugins) wired
// together, as the command and the shell use them.
//
//	db, err := signinq.Open(dir, nil)
//	if err != nil { … }
//	defer db.Close()
//	res, err := db.Query(ctx, "count where status=failure since 24h group by app", signinq.QueryOptions{})
//
// A DB is an engine.DB (ingest, stats, snapshots are its methods) that
// answers queries. A program that wants other plugins (its own, or
// Starlark ones: package plugins/script) gives a registry in Options;
// one that wants more control calls query.Exec itself.
package signinq
