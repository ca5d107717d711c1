package patrols

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/pocketbase/pocketbase/tools/filesystem"
	g "maragu.dev/gomponents"

	"zoufang/households"
	"zoufang/pwa"
	"zoufang/station"
)

// mapStore is what the map pages need of the store.
type mapStore interface {
	Places(ctx context.Context, o *station.Officer) ([]households.Community, error)
	Names(ctx context.Context, o *station.Officer) (Names, error)
	Settings() station.Settings
	Map(ctx context.Context, o *station.Officer, community string, now time.Time) (MapData, error)
	AddPoint(ctx context.Context, o *station.Officer, in PointInput) (*Point, error)
	DeletePoint(ctx context.Context, o *station.Officer, id string) (*Point, error)
	SavePlan(ctx context.Context, o *station.Officer, community string, f *filesystem.File) (*Plan, error)
	ServePlan(w http.ResponseWriter, r *http.Request, o *station.Officer, community, file string) error
}

// HandleMap serves /patrols/map?community=: the officer's only community
// if none is named.
func HandleMap(store mapStore, layout pwa.Layout) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		return mapPage(c, store, layout, c.QueryParam("community"), PointInput{}, nil)
	}
}

func mapPage(c echo.Context, store mapStore, layout pwa.Layout, community string, in PointInput, pageErr error) (g.Node, error) {
	ctx, o := officerOf(c)
	places, err := store.Places(ctx, o)
	if err != nil {
		return nil, err
	}
	if !hasPlace(places, community) {
		if community != "" || len(places) == 0 {
			return nil, notFound()
		}
		community = places[0].ID
	}
	now := time.Now()
	md, err := store.Map(ctx, o, community, now)
	if err != nil {
		return nil, err
	}
	names, err := store.Names(ctx, o)
	if err != nil {
		return nil, err
	}
	return MapPage(layout, MapProps{
		Officer: o, Places: places, Map: md, Names: names, Loc: store.Settings().Location(), Now: now,
		Notice: doneNotice(c), Err: pageErr, Input: in,
	}), pageErr
}

func mapURL(community, done string) string {
	return "/patrols/map?community=" + url.QueryEscape(community) + "&done=" + done
}

// HandleAddPoint places a point from the map's form; a point with problems
// shows the map again with them.
func HandleAddPoint(store mapStore, layout pwa.Layout) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		ctx, o := officerOf(c)
		in := PointInput{Community: c.FormValue("community"), Kind: c.FormValue("kind"), Label: c.FormValue("label"), Building: c.FormValue("building"), Notes: c.FormValue("notes")}
		for name, target := range map[string]*float64{"x": &in.X, "y": &in.Y} {
			v, err := strconv.ParseFloat(strings.TrimSpace(c.FormValue(name)), 64)
			if err != nil {
				v = -1 // no number: refused as off the map, with the other problems
			}
			*target = v
		}
		_, err := store.AddPoint(ctx, o, in)
		if err != nil {
			if station.ErrorCode(err) != station.EInvalid {
				return nil, err
			}
			if station.FieldsOf(err)["community"].Code != "" {
				return nil, notFound()
			}
			return mapPage(c, store, layout, in.Community, in, err)
		}
		return nil, c.Redirect(http.StatusSeeOther, mapURL(in.Community, "point")+"#map")
	}
}

// HandleDeletePoint removes a point.
func HandleDeletePoint(store mapStore) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		ctx, o := officerOf(c)
		pt, err := store.DeletePoint(ctx, o, c.Param("id"))
		if err != nil {
			return nil, err
		}
		return nil, c.Redirect(http.StatusSeeOther, mapURL(pt.Community, "point_deleted")+"#points")
	}
}

// HandleUploadPlan replaces a community's plan image. The body is cut off
// a little above the file limit, so an oversized upload is refused without
// being read whole; the hooks check the file itself.
func HandleUploadPlan(store mapStore, layout pwa.Layout) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		ctx, o := officerOf(c)
		r := c.Request()
		r.Body = http.MaxBytesReader(c.Response(), r.Body, PlanMaxBytes+64<<10)
		community := ""
		fail := func(code string, args ...any) (g.Node, error) {
			p := station.Problems{}
			p.Add("image", code, args...)
			return mapPage(c, store, layout, community, PointInput{}, p.Err())
		}
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			community = r.URL.Query().Get("community")
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				return fail("image_too_large", PlanMaxBytes>>20)
			}
			return fail("required")
		}
		if community = r.FormValue("community"); community == "" {
			community = r.URL.Query().Get("community")
		}
		fh, err := c.FormFile("image")
		if err != nil {
			return fail("required")
		}
		f, err := filesystem.NewFileFromMultipart(fh)
		if err != nil {
			return nil, station.Internal(err, "read upload")
		}
		if _, err := store.SavePlan(ctx, o, community, f); err != nil {
			if station.ErrorCode(err) != station.EInvalid {
				return nil, err
			}
			return mapPage(c, store, layout, community, PointInput{}, err)
		}
		return nil, c.Redirect(http.StatusSeeOther, mapURL(community, "plan"))
	}
}

// HandlePlanImage serves /patrols/plan/{community}/{file}.
func HandlePlanImage(store mapStore) echo.HandlerFunc {
	return func(c echo.Context) error {
		_, o := officerOf(c)
		return store.ServePlan(c.Response(), c.Request(), o, c.Param("community"), c.Param("file"))
	}
}
