package replica

import (
	"fmt"
	"strings"
	"time"

	"github.com/pocketbase/dbx"

	"zoufang/station"
	"zoufang/visits"
)

// How a pull reaches its page (docs/benchmarks.md, "Scale"). Every pull
// answers the same question — the records of the officer's scope after the
// checkpoint, in (updated, id) order — but there are two ways to find
// them, and which is cheap depends on where the checkpoint stands:
//
//   - the stamp walk reads the collection's (updated, id) index from the
//     checkpoint on and keeps what is in scope. It costs the rows written
//     anywhere in the station since the checkpoint: nothing for a device
//     that pulled a minute ago, the whole history for a first pull.
//   - the scope walk reads the scope's own indexes (the officer's
//     communities, their visits of the window) and sorts what it finds.
//     It costs the scope: a few thousand rows, whatever the history.
//
// A probe of at most a few pages of index entries says whether the stamp
// walk is short; if not, the scope walk answers. The two return the same
// rows, so the choice moves only the cost: paging by (updated, id) stays
// gap-free exactly as before (stamp.go), and the protocol is unchanged.

// walkSQL is a scope walk: a SELECT (or a compound of SELECTs) of whole
// rows of the collection, in scope and after the checkpoint ({:cu}, {:ci});
// Pull orders and limits it. An empty SQL means the scope has no walk of
// its own (the deputy chief's scope is the station's) and the stamp walk
// answers.
type walkSQL struct {
	sql    string
	params dbx.Params
}

// probePages is how many pages of entries after the checkpoint the stamp
// walk may read before the scope walk is preferred.
const probePages = 4

// after is the checkpoint as a row value over alias's (updated, id): an
// index ending in (updated, id) answers it as a range.
func afterRow(alias string) string {
	return "(" + alias + ".updated, " + alias + ".id) > ({:cu}, {:ci})"
}

// inList renders an IN over vals as named parameters prefixed by name.
func inList(col, name string, vals []string, params dbx.Params) string {
	if len(vals) == 0 {
		return "0"
	}
	ph := make([]string, len(vals))
	for i, v := range vals {
		k := fmt.Sprintf("%s%d", name, i)
		params[k] = v
		ph[i] = "{:" + k + "}"
	}
	return col + " IN (" + strings.Join(ph, ", ") + ")"
}

// floorOf is the lowest sync stamp a visit of the window at now can have:
// every write path refuses a visit dated more than visits.ClockSkew ahead
// of the server's clock (visits/hooks.go), and a record is stamped at the
// time of its write (stamp.go), so a visit dated in the window was stamped
// at most the skew before the window began. Older stamps are never read.
func floorOf(now time.Time) string {
	return station.DBTime(now.Add(-Window - visits.ClockSkew))
}

// householdsWalk reads each of the officer's communities from the
// checkpoint on by (community, updated, id), a page at most from each: the
// page is among them. It is always the cheaper walk for an officer.
func householdsWalk(o *station.Officer, _ time.Time, n int) walkSQL {
	if o.IsChief() {
		return walkSQL{}
	}
	p := dbx.Params{"n": n}
	var parts []string
	for i, c := range o.Communities {
		k := fmt.Sprintf("c%d", i)
		p[k] = c
		parts = append(parts, `SELECT id FROM (SELECT h.id FROM households h INDEXED BY idx_households_community_updated
			WHERE h.community = {:`+k+`} AND `+afterRow("h")+` ORDER BY h.updated, h.id LIMIT {:n})`)
	}
	if len(parts) == 0 {
		return walkSQL{sql: "SELECT * FROM households WHERE 0", params: p}
	}
	return walkSQL{sql: `SELECT households.* FROM (` + strings.Join(parts, " UNION ALL ") + `) AS page
		CROSS JOIN households ON households.id = page.id`, params: p}
}

// visitsWalk reads the officer's own visits of the window by
// (officer, visited_at), and their communities' by household and
// (household, visited_at).
func visitsWalk(o *station.Officer, now time.Time, n int) walkSQL {
	if o.IsChief() {
		return walkSQL{}
	}
	p := dbx.Params{"me": o.ID, "since": station.DBTime(now.Add(-Window)), "n": n}
	return walkSQL{sql: `SELECT visits.* FROM (SELECT id FROM (
			SELECT v.id, v.updated FROM visits v INDEXED BY idx_visits_officer_visited
				WHERE v.officer = {:me} AND v.visited_at >= {:since} AND ` + afterRow("v") + `
			UNION ALL
			SELECT v.id, v.updated FROM households h INDEXED BY idx_households_community_updated
				CROSS JOIN visits v INDEXED BY idx_visits_household_visited ON v.household = h.id
				WHERE ` + inList("h.community", "c", o.Communities, p) + ` AND v.visited_at >= {:since} AND v.officer != {:me} AND ` + afterRow("v") + `
			) ORDER BY updated, id LIMIT {:n}) AS page
		CROSS JOIN visits ON visits.id = page.id`, params: p}
}

// watchesWalk reads the watches of the officer's communities' households.
func watchesWalk(o *station.Officer, _ time.Time, _ int) walkSQL {
	if o.IsChief() {
		return walkSQL{}
	}
	p := dbx.Params{}
	return walkSQL{sql: `SELECT w.* FROM households h INDEXED BY idx_households_community_updated
		CROSS JOIN holiday_watches w INDEXED BY idx_watches_household ON w.household = h.id
		WHERE ` + inList("h.community", "c", o.Communities, p) + ` AND ` + afterRow("w"), params: p}
}
