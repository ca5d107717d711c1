package patrols_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"zoufang/app/apptest"
	"zoufang/households"
	"zoufang/patrols"
	"zoufang/station"
)

// fixture is a test station with a patrol team in community A.
type fixture struct {
	*apptest.Env
	store    *patrols.Store
	a, b, ch *station.Officer
	team     *patrols.Team
	vols     []*patrols.Volunteer // of the team, in community A
	teamB    *patrols.Team
	volB     *patrols.Volunteer
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	env := apptest.New(t)
	f := &fixture{Env: env, a: apptest.Officer(env.OfficerA), b: apptest.Officer(env.OfficerB), ch: apptest.Officer(env.Chief)}
	f.store = patrols.NewStore(env.App, households.NewStore(env.App), station.DefaultSettings)
	ctx := context.Background()
	var err error
	f.team, err = f.store.SaveTeam(ctx, f.a, "", patrols.TeamInput{Community: env.CommunityA, Name: "吴牙社区平安巡防队", Grids: []string{env.GridA1, env.GridA2}})
	if err != nil {
		t.Fatalf("team: %v", err)
	}
	for i, name := range []string{"张阿姨", "王师傅", "李建华"} {
		v, err := f.store.SaveVolunteer(ctx, f.a, "", patrols.VolunteerInput{
			Name: name, Phone: []string{"138 0013 8001", "+86 139-0000-1234", ""}[i], Community: env.CommunityA, Team: f.team.ID, Active: true,
		})
		if err != nil {
			t.Fatalf("volunteer %s: %v", name, err)
		}
		f.vols = append(f.vols, v)
	}
	f.teamB, err = f.store.SaveTeam(ctx, f.b, "", patrols.TeamInput{Community: env.CommunityB, Name: "贡院巡防队"})
	if err != nil {
		t.Fatalf("team B: %v", err)
	}
	f.volB, err = f.store.SaveVolunteer(ctx, f.b, "", patrols.VolunteerInput{Name: "赵大伯", Community: env.CommunityB, Team: f.teamB.ID, Active: true})
	if err != nil {
		t.Fatalf("volunteer B: %v", err)
	}
	return f
}

// id makes a valid client id from a short name.
func id(s string) string { return (s + "000000000000000")[:15] }

// today is the station-local day of t.
func day(t time.Time) string { return station.DefaultSettings().DayString(t) }

// codeOf is the field error code err carries for field.
func codeOf(err error, field string) string { return station.FieldsOf(err)[field].Code }

// apiError is PocketBase's REST error body.
type apiError struct {
	Status int `json:"status"`
	Data   map[string]struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"data"`
}

// restCreate posts body to a collection as c and returns the status, the
// created record (if any) and the error body (if any).
func restCreate(t *testing.T, c *apptest.Client, collection string, body map[string]any) (int, map[string]any, apiError) {
	t.Helper()
	var raw json.RawMessage
	res := c.PostJSON("/api/collections/"+collection+"/records", body, &raw)
	var rec map[string]any
	var e apiError
	if res.StatusCode == http.StatusOK {
		_ = json.Unmarshal(raw, &rec)
	} else {
		_ = json.Unmarshal(raw, &e)
	}
	return res.StatusCode, rec, e
}

// pngOf draws a w×h PNG.
func pngOf(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 200, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// multipartBody builds a multipart form with fields and one file.
func multipartBody(t *testing.T, fields map[string]string, fileField, fileName string, content []byte) (io.Reader, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		_ = w.WriteField(k, v)
	}
	if fileField != "" {
		part, err := w.CreateFormFile(fileField, fileName)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = part.Write(content)
	}
	_ = w.Close()
	return &buf, w.FormDataContentType()
}

// upload posts a multipart form to path as c.
func upload(t *testing.T, c *apptest.Client, method, path string, fields map[string]string, fileName string, content []byte) (*http.Response, string) {
	t.Helper()
	body, ctype := multipartBody(t, fields, "image", fileName, content)
	req, _ := http.NewRequest(method, c.Base+path, body)
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Accept", "application/json")
	return c.Do(req)
}

func contains(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
