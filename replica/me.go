package replica

import (
	"context"
	"time"

	"github.com/labstack/echo/v4"

	"zoufang/households"
	"zoufang/patrols"
	"zoufang/station"
	"zoufang/visits"
)

// Me is what a device keeps about its officer and station beside the
// replica: who is signed in, the station's rules, the places of their area,
// colleagues' names, and today's targets as the server counts them.
type Me struct {
	Officer struct {
		ID          string   `json:"id"`
		Name        string   `json:"name"`
		Badge       string   `json:"badge"`
		Role        string   `json:"role"`
		Communities []string `json:"communities"`
		WeChat      string   `json:"wechat"`
	} `json:"officer"`
	Settings struct {
		StationName   string   `json:"station_name"`
		VisitWeekdays []string `json:"visit_weekdays"`
		TargetHomes   int      `json:"target_homes"`
		TargetWeChat  int      `json:"target_wechat"`
		Timezone      string   `json:"timezone"`
		TokenBookSize int      `json:"token_book_size"`
	} `json:"settings"`
	Places   []households.Community `json:"places"`
	Officers map[string]string      `json:"officers"`
	Targets  visits.Targets         `json:"targets"`
	Rules    Rules                  `json:"rules"`
	// Handovers of the officer's communities (and of those they handed
	// over): each household's history on the phone shows them.
	Handovers  []Handover `json:"handovers"`
	AppVersion string     `json:"app_version"`
	Scope      string     `json:"scope"`
	ServerTime time.Time  `json:"server_time"`
}

// Rules are the limits the field app checks before it saves, sent from
// the Go definitions so the phone and the server never disagree.
type Rules struct {
	EditWindowMS int64 `json:"edit_window_ms"` // a visit is editable this long after it is received
	ClockSkewMS  int64 `json:"clock_skew_ms"`  // how far ahead of the server a visit may be
	MaxAgeMS     int64 `json:"max_age_ms"`     // how old a visit may be when it first syncs
	KeepVisitsMS int64 `json:"keep_visits_ms"` // how long a device keeps synced visits
	// TokenMarginMS: a QR token this close to expiring is not handed out.
	TokenMarginMS int64 `json:"token_margin_ms"`
	MaxNotes      int   `json:"max_notes"`
	MaxResidents  int   `json:"max_residents"`
	MaxPhones     int   `json:"max_phones"`
	MaxPushItems  int   `json:"max_push_items"`
	MaxPushBytes  int   `json:"max_push_bytes"`
	// MaxPullPage is the largest page of the compact pull form.
	MaxPullPage int `json:"max_pull_page"`
	// PushOrder is the order a push's collections are applied in.
	PushOrder []string `json:"push_order"`
	// TagTones colour tags ("warn", "bad"); PriorityTags make a household
	// twice as overdue in the suggestions.
	TagTones     map[string]string `json:"tag_tones"`
	PriorityTags []string          `json:"priority_tags"`
	// Patrols are the limits of a shift and a report (patrols.Rules).
	Patrols map[string]any `json:"patrols"`
}

// CurrentRules are the rules as the server enforces them.
func CurrentRules() Rules {
	ms := func(d time.Duration) int64 { return d.Milliseconds() }
	return Rules{
		EditWindowMS: ms(visits.EditWindow), ClockSkewMS: ms(visits.ClockSkew), MaxAgeMS: ms(visits.MaxAge),
		KeepVisitsMS: ms(Window), TokenMarginMS: ms(visits.TokenMargin),
		MaxNotes: visits.MaxNotes, MaxResidents: households.MaxResident, MaxPhones: station.MaxPhones,
		MaxPushItems: MaxPushItems, MaxPushBytes: MaxPushBytes, MaxPullPage: MaxColsLimit, PushOrder: PushedCollections(),
		TagTones: households.TagTones(), PriorityTags: households.PriorityTags,
		Patrols: patrols.Rules(),
	}
}

// Handover is one 交接 of a community, as the phone shows it.
type Handover struct {
	Community string    `json:"community"`
	At        time.Time `json:"at"`
	From      string    `json:"from"` // names
	To        string    `json:"to"`
}

type placeLister interface {
	Places(ctx context.Context, o *station.Officer) ([]households.Community, error)
}

type targetCounter interface {
	Targets(ctx context.Context, officerID string, st station.Settings, now time.Time) (visits.Targets, error)
}

// HandleMe serves GET /sync/me.
func HandleMe(targets targetCounter, places placeLister, handovers func(ctx context.Context, o *station.Officer) ([]Handover, error),
	settings func() station.Settings, officers func() (map[string]string, error), appVersion string) func(c echo.Context) (any, error) {
	return func(c echo.Context) (any, error) {
		ctx := c.Request().Context()
		o := station.OfficerFrom(ctx)
		st := settings()
		now := time.Now()
		var me Me
		me.Officer.ID, me.Officer.Name, me.Officer.Badge, me.Officer.Role = o.ID, o.Name, o.Badge, o.Role
		me.Officer.Communities, me.Officer.WeChat = o.Communities, o.WeChat
		if me.Officer.Communities == nil {
			me.Officer.Communities = []string{}
		}
		me.Settings.StationName, me.Settings.TargetHomes, me.Settings.TargetWeChat = st.StationName, st.TargetHomes, st.TargetWeChat
		me.Settings.Timezone, me.Settings.TokenBookSize = st.Timezone, st.TokenBookSize
		me.Settings.VisitWeekdays = []string{}
		for _, d := range st.VisitWeekdays {
			me.Settings.VisitWeekdays = append(me.Settings.VisitWeekdays, station.WeekdayName(d))
		}
		var err error
		if me.Places, err = places.Places(ctx, o); err != nil {
			return nil, err
		}
		if me.Officers, err = officers(); err != nil {
			return nil, station.Internal(err, "officer names")
		}
		if me.Targets, err = targets.Targets(ctx, o.ID, st, now); err != nil {
			return nil, err
		}
		if me.Handovers, err = handovers(ctx, o); err != nil {
			return nil, err
		}
		me.Rules = CurrentRules()
		me.AppVersion, me.Scope, me.ServerTime = appVersion, ScopeOf(o), now.UTC()
		return me, nil
	}
}
