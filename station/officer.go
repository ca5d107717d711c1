package station

import (
	"context"
	"slices"
	"time"

	"github.com/pocketbase/pocketbase/core"
)

// Roles of an officer record.
const (
	RoleOfficer     = "officer"      // 片儿警, community police officer
	RoleDeputyChief = "deputy_chief" // 副所长, reviews the whole station
)

// Officer is the signed-in user, read from the session and never from a
// request body.
type Officer struct {
	ID          string
	Name        string
	Badge       string // 警号
	Role        string
	Communities []string // community ids the officer looks after
	WeChat      string
	// TokenKey changes when the officer signs out everywhere; the live
	// channel uses it to drop connections of a rotated session.
	TokenKey string
	// Session names the signed-in session (a hash of its token, never the
	// token): the live channel caps the sockets of one session.
	Session string
	// FormerAreas are communities the officer handed over (交接), newest
	// first: what they recorded there before the handover is still theirs.
	FormerAreas []FormerArea
}

// FormerArea is a community an officer handed to a successor.
type FormerArea struct {
	Community string
	Until     time.Time // the handover
	To        string    // the successor's name
}

// HandedOver returns the handover of community by the officer, if any.
func (o *Officer) HandedOver(community string) (FormerArea, bool) {
	if o == nil {
		return FormerArea{}, false
	}
	for _, a := range o.FormerAreas {
		if a.Community == community {
			return a, true
		}
	}
	return FormerArea{}, false
}

// IsChief reports whether the officer reviews the whole station.
func (o *Officer) IsChief() bool { return o != nil && o.Role == RoleDeputyChief }

// CoversCommunity reports whether a household in community is in the
// officer's area: every community for a deputy chief, their own otherwise.
func (o *Officer) CoversCommunity(community string) bool {
	if o == nil {
		return false
	}
	return o.IsChief() || slices.Contains(o.Communities, community)
}

// OfficerFromRecord reads an officers auth record.
func OfficerFromRecord(r *core.Record) *Officer {
	return &Officer{
		ID:          r.Id,
		Name:        r.GetString("name"),
		Badge:       r.GetString("badge"),
		Role:        r.GetString("role"),
		Communities: r.GetStringSlice("communities"),
		WeChat:      r.GetString("wechat"),
		TokenKey:    r.TokenKey(),
	}
}

type officerKey struct{}

// WithOfficer returns ctx carrying the signed-in officer.
func WithOfficer(ctx context.Context, o *Officer) context.Context {
	return context.WithValue(ctx, officerKey{}, o)
}

// OfficerFrom returns the signed-in officer of ctx, or nil.
func OfficerFrom(ctx context.Context) *Officer {
	o, _ := ctx.Value(officerKey{}).(*Officer)
	return o
}

type clientIPKey struct{}

// WithClientIP returns ctx carrying the client's address as PocketBase
// resolved it (its trusted-proxy settings decide which header counts).
func WithClientIP(ctx context.Context, ip string) context.Context {
	return context.WithValue(ctx, clientIPKey{}, ip)
}

// ClientIP returns the client's address, "" if unknown.
func ClientIP(ctx context.Context) string {
	ip, _ := ctx.Value(clientIPKey{}).(string)
	return ip
}

// OfficerNames maps every officer's id to their name, for display.
func OfficerNames(app core.App) (map[string]string, error) {
	var rows []struct {
		ID   string `db:"id"`
		Name string `db:"name"`
	}
	if err := app.DB().Select("id", "name").From("officers").All(&rows); err != nil {
		return nil, err
	}
	m := make(map[string]string, len(rows))
	for _, r := range rows {
		m[r.ID] = r.Name
	}
	return m, nil
}
