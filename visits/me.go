package visits

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"zoufang/households"
	"zoufang/station"
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
	Places     []households.Community `json:"places"`
	Officers   map[string]string      `json:"officers"`
	Targets    Targets                `json:"targets"`
	AppVersion string                 `json:"app_version"`
	Scope      string                 `json:"scope"`
	ServerTime time.Time              `json:"server_time"`
}

type placeLister interface {
	Places(ctx context.Context, o *station.Officer) ([]households.Community, error)
}

// HandleMe serves GET /sync/me.
func HandleMe(store *Store, places placeLister, settings func() station.Settings, officers func() (map[string]string, error), appVersion string) echo.HandlerFunc {
	return func(c echo.Context) error {
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
			return err
		}
		if me.Officers, err = officers(); err != nil {
			return station.Internal(err, "officer names")
		}
		if me.Targets, err = store.Targets(ctx, o.ID, st, now); err != nil {
			return err
		}
		me.AppVersion, me.Scope, me.ServerTime = appVersion, Scope(o), now.UTC()
		c.Response().Header().Set("Cache-Control", "no-store")
		return c.JSON(http.StatusOK, me)
	}
}
