package households

import (
	"context"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/tools/types"

	"zoufang/station"
)

// BuildingKey is where a building is, normalised as the address key
// normalises it ("3幢", "3栋" and "三号楼" are one building): the address
// key's community and building parts. Every household of the building has
// an address key that starts with BuildingKey followed by "|". Other
// features (the patrol map) link to a building by it.
func BuildingKey(community, building string) string {
	if strings.TrimSpace(building) == "" {
		return ""
	}
	return community + "|" + normBuilding(building)
}

// BuildingVisits is how recently a building's active households were
// visited (a met visit; an unanswered door is not a visit).
type BuildingVisits struct {
	Households int
	Never      int       // never visited
	Within30   int       // visited within the last 30 days
	Within90   int       // within the last 90 days (the 30 included)
	Oldest     time.Time // the least recent visit among those visited
	Latest     time.Time // the building's last visit
}

// Buildings reports, for each building key asked about, the visits of its
// active households; keys with no household are absent. One read of the
// community's households (by the coverage index), grouped here: a
// community is a couple of thousand rows.
func (s *Store) Buildings(ctx context.Context, o *station.Officer, community string, keys []string, now time.Time) (map[string]BuildingVisits, error) {
	out := map[string]BuildingVisits{}
	if !o.CoversCommunity(community) || len(keys) == 0 {
		return out, nil
	}
	want := make(map[string]bool, len(keys))
	for _, k := range keys {
		want[k] = true
	}
	var rows []struct {
		Key  string `db:"address_key"`
		Last string `db:"last_visited_at"`
	}
	err := s.app.DB().Select("address_key", "last_visited_at").From(Collection).
		Where(dbx.HashExp{"community": community, "archived": false}).
		WithContext(ctx).All(&rows)
	if err != nil {
		return nil, station.Internal(err, "building visits")
	}
	d30, d90 := now.AddDate(0, 0, -30), now.AddDate(0, 0, -90)
	for _, r := range rows {
		parts := strings.SplitN(r.Key, "|", 3)
		if len(parts) < 3 {
			continue
		}
		key := parts[0] + "|" + parts[1]
		if !want[key] {
			continue
		}
		b := out[key]
		b.Households++
		last, ok := parseStored(r.Last)
		switch {
		case !ok:
			b.Never++
		default:
			if last.After(d30) {
				b.Within30++
			}
			if last.After(d90) {
				b.Within90++
			}
			if b.Oldest.IsZero() || last.Before(b.Oldest) {
				b.Oldest = last
			}
			if last.After(b.Latest) {
				b.Latest = last
			}
		}
		out[key] = b
	}
	return out, nil
}

// parseStored reads a datetime as PocketBase stores it; "" is none.
func parseStored(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	t, err := types.ParseDateTime(s)
	if err != nil || t.IsZero() {
		return time.Time{}, false
	}
	return t.Time(), true
}
