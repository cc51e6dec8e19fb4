package bench

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/internal/benchstore"
	"github.com/signinq/signinq/query"
)

// The named lists the standard set's hunting queries test membership of
// (ip in @vps, user in @admins), set on each benchmark store before its
// queries run (SetLists), the same on every run.

// vpsNetworks are the /16 networks of the hosting providers the
// generator's attackers sign in from (internal/gen: attackerNet's
// countries, NL for the password spray and DE or FR for the brute force,
// and RU's, which only attackers and travellers use): M247 and
// DigitalOcean in the Netherlands, Hetzner, OVH, Selectel. A short list
// of VPS ranges, as an analyst's would be.
var vpsNetworks = []string{
	"45.87.0.0/16", "89.46.0.0/16", "146.190.0.0/16", "188.166.0.0/16", // NL
	"88.99.0.0/16", "116.202.0.0/16", "159.69.0.0/16", // DE
	"51.75.0.0/16", "137.74.0.0/16", // FR
	"5.188.0.0/16", "31.184.0.0/16", // RU
}

// adminsQuery finds the store's administrators: the users the generator's
// Conditional Access policy "Require MFA for admins" applied to (the
// tenant's admins: 91 at 1M and 10M), by name.
const adminsQuery = `count where policy = "Require MFA for admins" group by user`

// SetLists sets the lists the standard set reads on a store: @vps, the
// networks above, and @admins, the users adminsQuery finds (sorted);
// both are a function of the store, so every run sets the same. It
// returns them by name, for the peers' SQL (Dialect.Lists).
func SetLists(ctx context.Context, db *engine.DB) (map[string][]string, error) {
	res, err := query.Run(ctx, db, nil, adminsQuery, query.Options{Now: benchstore.End, Timeout: -1})
	if err != nil {
		return nil, fmt.Errorf("bench: the store's admins: %w", err)
	}
	var admins []string
	for _, row := range res.Rows {
		if u := row[0].String(); u != "" {
			admins = append(admins, u)
		}
	}
	if len(admins) == 0 {
		return nil, fmt.Errorf("bench: no admins in the store (%s): the generator's policies have changed", adminsQuery)
	}
	slices.SortFunc(admins, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	lists := map[string][]string{"vps": slices.Clone(vpsNetworks), "admins": admins}
	for _, name := range []string{"vps", "admins"} {
		if err := query.SetList(db, name, lists[name]); err != nil {
			return nil, fmt.Errorf("bench: setting @%s: %w", name, err)
		}
	}
	return lists, nil
}
