package app_test

import (
	"context"
	"net/url"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"zoufang/app/apptest"
	"zoufang/households"
	"zoufang/mediation"
	"zoufang/visits"
)

// TestMediationInTheBrowser: the officer, online on the phone, opens a
// dispute from a visit that found 矛盾纠纷, records a session and settles
// the case; its agreement prints on one A4 page.
func TestMediationInTheBrowser(t *testing.T) {
	env := apptest.New(t)
	bg := context.Background()
	store := mediation.NewStore(env.App)
	chief := apptest.Officer(env.Chief)
	room, err := store.SaveRoom(bg, chief, "", mediation.Room{Name: "六心工作室", Community: env.CommunityA})
	if err != nil {
		t.Fatal(err)
	}
	med, err := store.SaveMediator(bg, chief, "", mediation.Mediator{Name: "金国庆", Kind: mediation.KindVolunteer, Phone: "13905710001", Rooms: []string{room.ID}, Active: true})
	if err != nil {
		t.Fatal(err)
	}
	h := env.Household(env.OfficerA, households.Input{Community: env.CommunityA, Building: "吴牙街18号", Room: "201", HeadName: "张德明", Phones: []string{"13800001234"}})
	now := time.Now()
	v, _, err := visits.NewStore(env.App).Save(bg, apptest.Officer(env.OfficerA), visits.Input{
		Household: h.ID, VisitedAt: now.Add(-time.Hour), Outcome: visits.OutcomeMet,
		Concerns: []string{"矛盾纠纷"}, Notes: "张德明反映楼上住户装修噪音大、时间长，双方多次争吵。",
	}, now)
	if err != nil {
		t.Fatal(err)
	}

	ctx := apptest.Timeout(t, apptest.Browser(t), 90*time.Second)
	apptest.Logs(t, ctx)
	// Signed in straight to the form: what the field app's "登记纠纷" opens.
	step(t, ctx, "sign in to the form",
		chromedp.Navigate(env.URL+"/login?next="+url.QueryEscape("/disputes/new?visit="+v.ID)),
		chromedp.WaitVisible("#identity", chromedp.ByQuery),
		chromedp.SendKeys("#identity", env.OfficerA.GetString("badge"), chromedp.ByQuery),
		chromedp.SendKeys("#password", apptest.Password, chromedp.ByQuery),
		tap("button[type=submit]"),
		chromedp.WaitVisible(".dispute-form", chromedp.ByQuery),
	)
	t.Run("the form comes prefilled from the visit", func(t *testing.T) {
		var got struct {
			Name, Phone, Summary, Source, Room string
		}
		if err := apptest.Eval(ctx, `({
			Name: document.getElementById("parties.0.name").value,
			Phone: document.getElementById("parties.0.phone").value,
			Summary: document.getElementById("summary").value,
			Source: document.getElementById("source").value,
			Room: document.getElementById("room").value,
		})`, &got); err != nil {
			t.Fatal(err)
		}
		if got.Name != "张德明" || got.Phone != "138 0000 1234" || got.Source != "visit" || got.Room != room.ID ||
			got.Summary != "张德明反映楼上住户装修噪音大、时间长，双方多次争吵。" {
			t.Fatalf("prefilled %+v", got)
		}
	})
	step(t, ctx, "fill in and save the form",
		chromedp.SetValue("#category", "neighbour", chromedp.ByQuery),
		chromedp.SendKeys(`[name="parties.1.name"]`, "刘建军", chromedp.ByQuery),
		chromedp.SendKeys(`[name="parties.1.phone"]`, "139-0571-2222", chromedp.ByQuery),
		tap(`input[name="mediators"][value="`+med.ID+`"]`),
		tap("#dispute-save"),
		chromedp.WaitVisible("#sessions", chromedp.ByQuery),
	)
	var number string
	run(t, ctx, chromedp.Text("h1", &number, chromedp.ByQuery))
	t.Run("the saved case is numbered for the year", func(t *testing.T) {
		if !regexp.MustCompile(`^纠纷 \d{4}-0001$`).MatchString(number) {
			t.Fatalf("heading %q", number)
		}
	})

	step(t, ctx, "record a session",
		chromedp.SendKeys("#notes", "双方到调解室，金国庆从邻里情分劝解，刘建军同意调整施工时间。", chromedp.ByQuery),
		chromedp.SendKeys("#next_step", "三天后电话回访", chromedp.ByQuery),
		tap("#session-save"),
		chromedp.WaitVisible("ol.sessions li.session", chromedp.ByQuery),
	)
	step(t, ctx, "settle the case",
		tap(`label:has(#close-settled)`),
		chromedp.SendKeys("#outcome", "刘建军保证装修只在工作日 8:30–12:00、14:00–18:00 施工，并向张德明当面道歉；张德明表示谅解。", chromedp.ByQuery),
		tap("#agreement_signed"),
		tap("#close-save"),
		chromedp.WaitVisible("#agreement-link", chromedp.ByQuery),
	)
	t.Run("the server holds the settled case from the visit with its session and history", func(t *testing.T) {
		recs, err := env.App.FindAllRecords(mediation.Collection)
		if err != nil || len(recs) != 1 {
			t.Fatalf("%d disputes (%v)", len(recs), err)
		}
		d := mediation.FromRecord(recs[0])
		if d.Status != mediation.StatusSettled || d.Source != mediation.SourceVisit || d.Visit != v.ID || d.Household != h.ID ||
			len(d.Parties) != 2 || d.Parties[1].Phone != "+8613905712222" || !d.AgreementSigned || d.Officer != env.OfficerA.Id {
			t.Fatalf("dispute %+v", d)
		}
		sessions, _ := store.Sessions(bg, d.ID)
		hist, _ := store.History(bg, d.ID)
		if len(sessions) != 1 || len(hist) != 3 || hist[2].Kind != mediation.EventClosed {
			t.Fatalf("%d sessions, history %+v", len(sessions), hist)
		}
	})

	step(t, ctx, "open the agreement",
		tap("#agreement-link"),
		chromedp.WaitVisible("#agreement", chromedp.ByQuery),
	)
	apptest.WaitJS(t, ctx, 10*time.Second, "the fonts", `document.fonts.ready.then(() => document.fonts.status === "loaded")`)
	t.Run("the agreement of a short case prints on one A4 portrait page", func(t *testing.T) {
		pdf := printPDF(t, ctx)
		if n := pdfPages(pdf); n != 1 {
			t.Fatalf("%d pages, want 1", n)
		}
		w, h := pdfPageSize(t, pdf)
		// A4 is 595 × 842 points.
		if w < 590 || w > 600 || h < 836 || h > 848 {
			t.Fatalf("page %.0f × %.0f pt, want A4 portrait", w, h)
		}
	})
}

// tap scrolls the element to the middle of the screen and clicks it
// there: at the edge of the screen the phone's bottom tab bar would take
// the click.
func tap(sel string) chromedp.Action {
	return chromedp.Tasks{
		chromedp.WaitVisible(sel, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelector(`+strconv.Quote(sel)+`).scrollIntoView({block: "center"})`, nil),
		chromedp.Click(sel, chromedp.ByQuery),
	}
}

// step runs one step of a browser test within 20 seconds; on failure it
// says which step and shows the page it was on.
func step(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Run(sctx, actions...); err != nil {
		var where, text string
		_ = chromedp.Run(ctx, chromedp.Location(&where), chromedp.Evaluate(`document.body ? document.body.innerText.slice(0, 2000) : ""`, &text))
		t.Fatalf("%s: %v\non %s:\n%s", what, err, where, text)
	}
}

// printPDF prints the page as Chromium's print-to-PDF does, with the
// page's own @page size.
func printPDF(t *testing.T, ctx context.Context) []byte {
	t.Helper()
	var pdf []byte
	run(t, ctx, chromedp.ActionFunc(func(ctx context.Context) error {
		var err error
		pdf, _, err = page.PrintToPDF().WithPreferCSSPageSize(true).WithPrintBackground(true).Do(ctx)
		return err
	}))
	return pdf
}

var (
	pdfPageRe = regexp.MustCompile(`/Type\s*/Page[^s]`)
	pdfBoxRe  = regexp.MustCompile(`/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]`)
)

// pdfPages counts a PDF's page objects (Chromium writes them uncompressed).
func pdfPages(pdf []byte) int { return len(pdfPageRe.FindAll(pdf, -1)) }

// pdfPageSize is the first page's size in points.
func pdfPageSize(t *testing.T, pdf []byte) (w, h float64) {
	t.Helper()
	m := pdfBoxRe.FindSubmatch(pdf)
	if m == nil {
		t.Fatal("no MediaBox in the PDF")
	}
	w, _ = strconv.ParseFloat(string(m[1]), 64)
	h, _ = strconv.ParseFloat(string(m[2]), 64)
	return w, h
}
