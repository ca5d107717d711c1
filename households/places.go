package households

import (
	"context"
	"sort"

	"github.com/pocketbase/pocketbase/core"

	"zoufang/station"
)

// Community is a 社区 with its grids (网格).
type Community struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Code  string `json:"code"`
	Grids []Grid `json:"grids"`
}

// Grid is one 网格 of a community.
type Grid struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Community string `json:"community"`
}

// Places lists the communities (with grids) in the officer's area, in name
// order.
func (s *Store) Places(ctx context.Context, o *station.Officer) ([]Community, error) {
	var comms []*core.Record
	if err := s.app.RecordQuery("communities").WithContext(ctx).OrderBy("name ASC").All(&comms); err != nil {
		return nil, station.Internal(err, "list communities")
	}
	var grids []*core.Record
	if err := s.app.RecordQuery("grids").WithContext(ctx).OrderBy("name ASC").All(&grids); err != nil {
		return nil, station.Internal(err, "list grids")
	}
	byComm := map[string][]Grid{}
	for _, g := range grids {
		c := g.GetString("community")
		byComm[c] = append(byComm[c], Grid{ID: g.Id, Name: g.GetString("name"), Community: c})
	}
	var out []Community
	for _, c := range comms {
		if !o.CoversCommunity(c.Id) {
			continue
		}
		gs := byComm[c.Id]
		if gs == nil {
			gs = []Grid{}
		}
		sort.Slice(gs, func(i, j int) bool { return gs[i].Name < gs[j].Name })
		out = append(out, Community{ID: c.Id, Name: c.GetString("name"), Code: c.GetString("code"), Grids: gs})
	}
	return out, nil
}

// Names maps community and grid ids to their names, for display.
type Names map[string]string

// NamesOf indexes the names of places.
func NamesOf(places []Community) Names {
	n := Names{}
	for _, c := range places {
		n[c.ID] = c.Name
		for _, g := range c.Grids {
			n[g.ID] = g.Name
		}
	}
	return n
}
