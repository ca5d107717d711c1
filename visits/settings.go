package visits

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/pocketbase/pocketbase/core"
	g "maragu.dev/gomponents"
	c "maragu.dev/gomponents/components"
	h "maragu.dev/gomponents/html"

	"zoufang/i18n"
	"zoufang/pwa"
	"zoufang/station"
)

// SettingsInput is the station settings form as typed.
type SettingsInput struct {
	StationName   string
	VisitWeekdays []string
	TargetHomes   string
	TargetWeChat  string
	TokenBookSize string
	PublicURL     string
}

func settingsInputOf(st station.Settings) SettingsInput {
	in := SettingsInput{StationName: st.StationName, TargetHomes: strconv.Itoa(st.TargetHomes), TargetWeChat: strconv.Itoa(st.TargetWeChat), TokenBookSize: strconv.Itoa(st.TokenBookSize), PublicURL: st.PublicURL}
	for _, d := range st.VisitWeekdays {
		in.VisitWeekdays = append(in.VisitWeekdays, station.WeekdayName(d))
	}
	return in
}

// SaveSettings checks in and writes the station's settings row.
func (s *Store) SaveSettings(in SettingsInput) error {
	app := s.app
	p := station.Problems{}
	name := strings.TrimSpace(in.StationName)
	if name == "" {
		p.Add("station_name", "required")
	}
	var days []string
	for _, d := range in.VisitWeekdays {
		if wd, ok := station.ParseWeekday(d); ok && !slices.Contains(days, station.WeekdayName(wd)) {
			days = append(days, station.WeekdayName(wd))
		}
	}
	if len(days) == 0 {
		p.Add("visit_weekdays", "weekday_required")
	}
	num := func(field, raw string, lo, hi int) int {
		n, err := strconv.Atoi(strings.TrimSpace(raw))
		if err != nil || n < lo || n > hi {
			p.Add(field, "range", lo, hi)
		}
		return n
	}
	homes := num("target_homes", in.TargetHomes, 1, 200)
	wechat := num("target_wechat", in.TargetWeChat, 0, 200)
	book := num("token_book_size", in.TokenBookSize, 0, 200)
	publicURL := ""
	if strings.TrimSpace(in.PublicURL) != "" {
		var code string
		if publicURL, code = station.ParsePublicURL(in.PublicURL); code != "" {
			p.Add("public_url", code)
		}
	}
	if err := p.Err(); err != nil {
		return err
	}
	coll, err := app.FindCachedCollectionByNameOrId(station.SettingsCollection)
	if err != nil {
		return station.Internal(err, "settings collection")
	}
	recs, err := app.FindRecordsByFilter(coll, "", "created", 1, 0)
	if err != nil {
		return station.Internal(err, "load settings")
	}
	rec := core.NewRecord(coll)
	if len(recs) > 0 {
		rec = recs[0]
	}
	rec.Set("station_name", name)
	rec.Set("visit_weekdays", days)
	rec.Set("target_homes", homes)
	rec.Set("target_wechat", wechat)
	rec.Set("token_book_size", book)
	rec.Set("public_url", publicURL)
	if rec.GetString("timezone") == "" {
		rec.Set("timezone", "Asia/Shanghai")
	}
	if err := app.Save(rec); err != nil {
		return station.Internal(err, "save settings")
	}
	return nil
}

var weekdayOrder = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}

// SettingsPage is the deputy chief's form for the station's rules.
func SettingsPage(layout pwa.Layout, o *station.Officer, in SettingsInput, saved bool, err error) g.Node {
	errs := station.FieldsOf(err)
	num := func(name, label, value string) g.Node {
		return pwa.Field(label, name, errs, pwa.Input(name, value, errs, h.Type("number"), g.Attr("inputmode", "numeric"), h.Min("0"), h.Max("200")))
	}
	_, badDays := errs["visit_weekdays"]
	return layout(pwa.Page{
		Title:   i18n.T("settings.title"),
		Officer: o,
		Nav:     "/settings",
		Body: []g.Node{h.Section(h.Class("card form"),
			h.H1(g.Text(i18n.T("settings.title"))),
			g.If(saved, pwa.Notice(i18n.T("settings.saved"))),
			g.If(in.PublicURL == "", h.P(h.Class("alert"), h.Role("status"), g.Text(i18n.T("settings.public_url_unset")))),
			pwa.ErrorSummary(err),
			h.Form(h.Method("post"), h.Action("/settings"), g.Attr("novalidate"),
				pwa.Field(i18n.T("settings.station_name"), "station_name", errs, pwa.Input("station_name", in.StationName, errs, h.Type("text"), h.MaxLength("100"))),
				h.FieldSet(c.Classes{"field": true, "bad": badDays},
					h.Legend(g.Text(i18n.T("settings.visit_weekdays"))),
					h.Div(h.Class("chips"), g.Map(weekdayOrder, func(d time.Weekday) g.Node {
						name := station.WeekdayName(d)
						return h.Label(h.Input(h.Type("checkbox"), h.Name("visit_weekdays"), h.Value(name), g.If(slices.Contains(in.VisitWeekdays, name), h.Checked())), g.Text(i18n.T("weekday."+name)))
					})),
					g.If(badDays, h.P(h.Class("error"), g.Text(errs["visit_weekdays"].Message))),
				),
				num("target_homes", i18n.T("settings.target_homes"), in.TargetHomes),
				num("target_wechat", i18n.T("settings.target_wechat"), in.TargetWeChat),
				num("token_book_size", i18n.T("settings.token_book_size"), in.TokenBookSize),
				pwa.Field(i18n.T("settings.public_url"), "public_url", errs,
					pwa.Input("public_url", in.PublicURL, errs, h.Type("url"), h.MaxLength("200"), h.Placeholder("https://zoufang.example.gov.cn"), g.Attr("autocapitalize", "off")),
					i18n.T("settings.public_url_hint")),
				h.Button(h.Type("submit"), h.Class("primary"), g.Text(i18n.T("household.save"))),
			),
		)},
	})
}

// HandleSettings serves the settings form.
func HandleSettings(layout pwa.Layout, settings func() station.Settings) pwa.Handler {
	return func(ec echo.Context) (g.Node, error) {
		o := station.OfficerFrom(ec.Request().Context())
		return SettingsPage(layout, o, settingsInputOf(settings()), ec.QueryParam("done") == "saved", nil), nil
	}
}

type settingsSaver interface {
	SaveSettings(in SettingsInput) error
}

// HandleSaveSettings saves the settings form.
func HandleSaveSettings(store settingsSaver, layout pwa.Layout) pwa.Handler {
	return func(ec echo.Context) (g.Node, error) {
		o := station.OfficerFrom(ec.Request().Context())
		form, _ := ec.FormParams()
		in := SettingsInput{
			StationName:   ec.FormValue("station_name"),
			VisitWeekdays: form["visit_weekdays"],
			TargetHomes:   ec.FormValue("target_homes"),
			TargetWeChat:  ec.FormValue("target_wechat"),
			TokenBookSize: ec.FormValue("token_book_size"),
			PublicURL:     ec.FormValue("public_url"),
		}
		if err := store.SaveSettings(in); err != nil {
			if station.ErrorCode(err) != station.EInvalid {
				return nil, err
			}
			return SettingsPage(layout, o, in, false, err), err
		}
		return nil, ec.Redirect(http.StatusSeeOther, "/settings?done=saved")
	}
}
