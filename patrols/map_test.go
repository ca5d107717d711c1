package patrols_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"zoufang/households"
	"zoufang/patrols"
	"zoufang/visits"
)

// TestMapPage: building points are coloured by their households' visits,
// open reports are marked where they are, and points are placed through a
// plain form.
func TestMapPage(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	now := time.Now()
	vs := visits.NewStore(f.App)
	mk := func(b, u, r string) *households.Household {
		return f.Household(f.OfficerA, households.Input{Community: f.CommunityA, Building: b, Unit: u, Room: r})
	}
	h1, h2 := mk("广福里3幢", "1", "101"), mk("广福里三号楼", "2", "201")
	mk("广福里3幢", "3", "301") // never visited: the building is still green by its last visit
	h3 := mk("广福里4幢", "1", "101")
	h4 := mk("广福里5幢", "1", "101")
	for _, v := range []struct {
		h    *households.Household
		days int
	}{{h1, 5}, {h2, 20}, {h4, 120}} {
		at := now.AddDate(0, 0, -v.days)
		if _, _, err := vs.Save(ctx, f.a, visits.Input{Household: v.h.ID, VisitedAt: at, Outcome: visits.OutcomeMet}, at); err != nil {
			t.Fatal(err)
		}
	}
	point := func(kind, label, building string, x, y float64) *patrols.Point {
		p, err := f.store.AddPoint(ctx, f.a, patrols.PointInput{Community: f.CommunityA, Kind: kind, Label: label, Building: building, X: x, Y: y})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	p3 := point("building", "广福里3幢", "广福里3幢", 0.2, 0.3)
	p4 := point("building", "广福里4幢", "广福里四幢", 0.4, 0.3)
	p5 := point("building", "广福里5幢", "广福里5幢", 0.6, 0.3)
	pn := point("building", "吴牙街9号", "吴牙街9号", 0.8, 0.3)
	pc := point("camera", "北口监控", "", 0.9, 0.9)
	report := func(in patrols.ReportInput) *patrols.Report {
		in.ReportedAt, in.Community, in.Kind, in.Description = now.Add(-time.Hour), f.CommunityA, patrols.KindGroupRental, "疑似群租"
		r, _, err := f.store.SaveReport(ctx, f.a, in, now)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	atHousehold := report(patrols.ReportInput{Household: h3.ID, Place: "广福里4幢1单元"})
	atPoint := report(patrols.ReportInput{Point: pc.ID, Place: "北口"})
	nowhere := report(patrols.ReportInput{Place: "长庆街某处"})

	officer := f.SignIn(f.OfficerA)
	res, body := officer.Get("/patrols/map?community=" + f.CommunityA)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("map: %d", res.StatusCode)
	}
	classOf := func(p *patrols.Point) string {
		m := regexp.MustCompile(`<g class="([^"]*)" id="pt-` + p.ID + `"`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no mark for %s", p.Label)
		}
		return m[1]
	}
	t.Run("a building last visited within 30 days is green, whoever in it was not", func(t *testing.T) {
		if c := classOf(p3); !strings.Contains(c, "rec-r30") {
			t.Fatalf("class %q", c)
		}
		if !strings.Contains(body, "3 户，30 天内 2 户，从未 1 户") {
			t.Fatal("the list does not say how many of the building's households were visited")
		}
	})
	t.Run("a building none of whose households was ever visited says so", func(t *testing.T) {
		if c := classOf(p4); !strings.Contains(c, "rec-never") {
			t.Fatalf("class %q", c)
		}
	})
	t.Run("a building last visited months ago is marked old", func(t *testing.T) {
		if c := classOf(p5); !strings.Contains(c, "rec-old") {
			t.Fatalf("class %q", c)
		}
	})
	t.Run("a building without households is unlinked", func(t *testing.T) {
		if c := classOf(pn); !strings.Contains(c, "rec-none") {
			t.Fatalf("class %q", c)
		}
	})
	t.Run("open reports are marked at their point, or at their household's building", func(t *testing.T) {
		if !strings.Contains(classOf(p4), "has-reports") || !strings.Contains(classOf(pc), "has-reports") || strings.Contains(classOf(p3), "has-reports") {
			t.Fatalf("classes %q %q %q", classOf(p4), classOf(pc), classOf(p3))
		}
		if !strings.Contains(body, "/reports/"+atHousehold.ID) || !strings.Contains(body, "/reports/"+atPoint.ID) {
			t.Fatal("the marked reports are not linked")
		}
	})
	t.Run("a report no point marks is listed beside the map", func(t *testing.T) {
		i := strings.Index(body, `id="unplaced"`)
		if i < 0 || !strings.Contains(body[i:], "/reports/"+nowhere.ID) {
			t.Fatal("the unplaced report is not listed")
		}
	})
	t.Run("the map has a legend and lists its points for a reader without the picture", func(t *testing.T) {
		if !contains(body, `id="map-legend"`, "从未走访", "监控", `id="row-`+pc.ID+`"`) {
			t.Fatal("legend or list missing")
		}
	})
	t.Run("a closed report is no longer marked", func(t *testing.T) {
		if _, _, err := f.store.Move(ctx, f.a, patrols.Transition{Report: atPoint.ID, To: patrols.StatusAssigned}, now); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.store.Move(ctx, f.a, patrols.Transition{Report: atPoint.ID, To: patrols.StatusHandled, Result: "已劝离"}, now); err != nil {
			t.Fatal(err)
		}
		_, body := officer.Get("/patrols/map?community=" + f.CommunityA)
		m := regexp.MustCompile(`<g class="([^"]*)" id="pt-` + pc.ID + `"`).FindStringSubmatch(body)
		if m == nil || strings.Contains(m[1], "has-reports") {
			t.Fatalf("camera point %v", m)
		}
	})
	t.Run("a point is added through the plain form", func(t *testing.T) {
		res, _ := officer.PostForm("/patrols/map/points", url.Values{"community": {f.CommunityA}, "kind": {"hazard"}, "label": {"电瓶车充电点"}, "x": {"0.55"}, "y": {"0.65"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("status %d", res.StatusCode)
		}
		if n := f.Count(t, patrols.PointsCollection, "label = '电瓶车充电点' && x = 0.55", nil); n != 1 {
			t.Fatalf("%d points", n)
		}
	})
	t.Run("a point off the map is refused on the form with its field", func(t *testing.T) {
		res, body := officer.PostForm("/patrols/map/points", url.Values{"community": {f.CommunityA}, "kind": {"hazard"}, "label": {"x"}, "x": {"1.5"}, "y": {"abc"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="x-error"`) || !strings.Contains(body, `id="y-error"`) {
			t.Fatalf("status %d", res.StatusCode)
		}
	})
	other := f.SignIn(f.OfficerB)
	t.Run("an officer of another community has no such map and deletes none of its points", func(t *testing.T) {
		if res, _ := other.Get("/patrols/map?community=" + f.CommunityA); res.StatusCode != http.StatusNotFound {
			t.Fatalf("map: %d", res.StatusCode)
		}
		if res, _ := other.PostForm("/patrols/map/points/"+pc.ID+"/delete", nil); res.StatusCode != http.StatusNotFound {
			t.Fatalf("delete: %d", res.StatusCode)
		}
		if res, _ := other.PostForm("/patrols/map/points", url.Values{"community": {f.CommunityA}, "kind": {"hazard"}, "label": {"x"}, "x": {"0.5"}, "y": {"0.5"}}); res.StatusCode != http.StatusNotFound {
			t.Fatalf("add: %d", res.StatusCode)
		}
	})
	t.Run("its officer deletes a point", func(t *testing.T) {
		if res, _ := officer.PostForm("/patrols/map/points/"+pn.ID+"/delete", nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("delete: %d", res.StatusCode)
		}
		if n := f.Count(t, patrols.PointsCollection, "id = {:id}", map[string]any{"id": pn.ID}); n != 0 {
			t.Fatal("still there")
		}
	})
}

// TestPlanUpload: the plan image's size and type are checked on the
// deputy chief's page and through REST alike, and the image is served to
// the community's officers under a URL that changes with every upload.
func TestPlanUpload(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	chief := f.SignIn(f.Chief)
	good := pngOf(t, 300, 200)
	path := "/patrols/map/plan?community=" + f.CommunityA

	refused := []struct {
		name, file, want string
		content          []byte
	}{
		{"an image over 5 MB", "plan.png", "不能超过 5 MB", append(good, bytes.Repeat([]byte{0}, 5<<20)...)},
		{"a text file called .png", "plan.png", "只接受 PNG、JPEG 或 WebP", []byte("this is not an image, only words, but long enough to be sniffed as text")},
		{"an SVG", "plan.svg", "只接受 PNG、JPEG 或 WebP", []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="300" height="200"><script>alert(1)</script></svg>`)},
		{"a sliver of an image", "plan.png", "像素之间", pngOf(t, 20, 20)},
	}
	for _, r := range refused {
		t.Run(r.name+" is refused on the page", func(t *testing.T) {
			res, body := upload(t, chief, http.MethodPost, path, map[string]string{"community": f.CommunityA}, r.file, r.content)
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, r.want) {
				t.Fatalf("status %d; page has %q: %v", res.StatusCode, r.want, strings.Contains(body, r.want))
			}
			if n := f.Count(t, patrols.MapsCollection, "", nil); n != 0 {
				t.Fatal("a refused plan was saved")
			}
		})
	}
	t.Run("an officer cannot upload the plan", func(t *testing.T) {
		res, _ := upload(t, f.SignIn(f.OfficerA), http.MethodPost, path, map[string]string{"community": f.CommunityA}, "plan.png", good)
		if res.StatusCode != http.StatusForbidden {
			t.Fatalf("status %d", res.StatusCode)
		}
	})
	res, _ := upload(t, chief, http.MethodPost, path, map[string]string{"community": f.CommunityA}, "plan.png", good)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload: %d", res.StatusCode)
	}
	rec, err := f.App.FindFirstRecordByData(patrols.MapsCollection, "community", f.CommunityA)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("the plan's size in pixels is read from the file", func(t *testing.T) {
		if rec.GetInt("width") != 300 || rec.GetInt("height") != 200 || rec.GetString("uploaded_by") != f.Chief.Id {
			t.Fatalf("record %v", rec.PublicExport())
		}
	})
	officer := f.SignIn(f.OfficerA)
	planURL := patrols.PlanURL(f.CommunityA, rec.GetString("image"))
	t.Run("the map draws its points over the plan", func(t *testing.T) {
		_, body := officer.Get("/patrols/map?community=" + f.CommunityA)
		if !contains(body, `src="`+planURL+`"`, `viewBox="0 0 300 200"`) {
			t.Fatal("the map does not use the plan")
		}
	})
	t.Run("the community's officer gets the image, cacheable for good", func(t *testing.T) {
		res, body := officer.Get(planURL)
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/png" || !bytes.Equal([]byte(body), good) {
			t.Fatalf("status %d, type %q, %d bytes", res.StatusCode, res.Header.Get("Content-Type"), len(body))
		}
		if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") || !strings.Contains(cc, "private") {
			t.Fatalf("Cache-Control %q", cc)
		}
	})
	t.Run("another community's officer and an anonymous client do not", func(t *testing.T) {
		if res, _ := f.SignIn(f.OfficerB).Get(planURL); res.StatusCode != http.StatusNotFound {
			t.Fatalf("officer B: %d", res.StatusCode)
		}
		if res, _ := f.Anonymous().Get(planURL); res.StatusCode == http.StatusOK {
			t.Fatalf("anonymous: %d", res.StatusCode)
		}
		if res, _ := f.Anonymous().Get("/api/files/patrol_maps/" + rec.Id + "/" + rec.GetString("image")); res.StatusCode == http.StatusOK {
			t.Fatalf("PocketBase's file URL without a token: %d", res.StatusCode)
		}
	})

	admin := f.Superuser()
	t.Run("through REST an oversized or non-image file is refused with the same codes", func(t *testing.T) {
		for _, r := range []struct {
			file, code string
			content    []byte
		}{{"big.png", "image_too_large", append(good, bytes.Repeat([]byte{0}, 5<<20)...)}, {"x.svg", "image_type", refused[2].content}} {
			res, body := upload(t, admin, http.MethodPatch, "/api/collections/patrol_maps/records/"+rec.Id, nil, r.file, r.content)
			if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `"code":"`+r.code+`"`) {
				t.Fatalf("%s: status %d %s", r.file, res.StatusCode, body)
			}
		}
	})
	t.Run("a new upload renames the file; the old URL is gone", func(t *testing.T) {
		res, body := upload(t, admin, http.MethodPatch, "/api/collections/patrol_maps/records/"+rec.Id, nil, "plan2.png", pngOf(t, 400, 300))
		if res.StatusCode != http.StatusOK {
			t.Fatalf("status %d %s", res.StatusCode, body)
		}
		now, _ := f.App.FindRecordById(patrols.MapsCollection, rec.Id)
		if now.GetString("image") == rec.GetString("image") || now.GetInt("width") != 400 {
			t.Fatalf("record %v", now.PublicExport())
		}
		if res, _ := officer.Get(planURL); res.StatusCode != http.StatusNotFound {
			t.Fatalf("old URL: %d", res.StatusCode)
		}
		if res, _ := officer.Get(patrols.PlanURL(f.CommunityA, now.GetString("image"))); res.StatusCode != http.StatusOK {
			t.Fatalf("new URL: %d", res.StatusCode)
		}
	})
	t.Run("a second plan for the same community is refused", func(t *testing.T) {
		res, body := upload(t, admin, http.MethodPost, "/api/collections/patrol_maps/records", map[string]string{"community": f.CommunityA}, "p.png", good)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "plan_exists") {
			t.Fatalf("status %d %s", res.StatusCode, body)
		}
	})
}
