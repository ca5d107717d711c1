package visits

import (
	"context"
	"time"

	"zoufang/station"
)

// Targets is an officer's progress on one station-local day.
type Targets struct {
	Type         string `json:"type"` // "targets" on the live channel
	Date         string `json:"date"`
	Homes        int    `json:"homes"`
	HomesTarget  int    `json:"homes_target"`
	WeChat       int    `json:"wechat"`
	WeChatTarget int    `json:"wechat_target"`
	VisitDay     bool   `json:"visit_day"`
}

// ComputeTargets counts, among vs, the officer's progress on the station-
// local day holding now: homes = distinct households with a met visit by the
// officer that day (holiday checks aside: an empty home is no home visited); WeChat = that day's visits by the officer that made a
// household's first WeChat contact.
func ComputeTargets(vs []*Visit, officerID string, st station.Settings, now time.Time) Targets {
	start, end := st.DayBounds(now)
	t := Targets{
		Type:         "targets",
		Date:         st.DayString(now),
		HomesTarget:  st.TargetHomes,
		WeChatTarget: st.TargetWeChat,
		VisitDay:     st.IsVisitDay(now),
	}
	met := map[string]bool{}
	for _, v := range vs {
		if v.Officer != officerID || v.VisitedAt.Before(start) || !v.VisitedAt.Before(end) {
			continue
		}
		if v.CountsForHomes() {
			met[v.Household] = true
		}
		if v.WeChatNew {
			t.WeChat++
		}
	}
	t.Homes = len(met)
	return t
}

// Targets returns the officer's progress today, from the server's records.
func (s *Store) Targets(ctx context.Context, officerID string, st station.Settings, now time.Time) (Targets, error) {
	start, end := st.DayBounds(now)
	vs, err := s.ForOfficer(ctx, officerID, start, end)
	if err != nil {
		return Targets{}, err
	}
	return ComputeTargets(vs, officerID, st, now), nil
}
