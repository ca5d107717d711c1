package apptest

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/pocketbase/pocketbase/core"
)

// Eval evaluates a JavaScript expression (it may be a promise) in the page
// and decodes its value into out.
func Eval(ctx context.Context, expr string, out any) error {
	return chromedp.Run(ctx, chromedp.Evaluate(expr, out, func(p *runtime.EvaluateParams) *runtime.EvaluateParams {
		return p.WithAwaitPromise(true)
	}))
}

// WaitJS polls a JavaScript expression until it is true, failing the test
// with what after d.
func WaitJS(t testing.TB, ctx context.Context, d time.Duration, what, expr string) {
	t.Helper()
	deadline := time.Now().Add(d)
	var last string
	for time.Now().Before(deadline) {
		var ok bool
		err := Eval(ctx, "(async () => !!(await ("+expr+")))()", &ok)
		if err == nil && ok {
			return
		}
		if err != nil {
			last = err.Error()
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("waited %v for %s (%s)", d, what, last)
}

// Logs forwards the page's console and uncaught errors to the test log.
func Logs(t testing.TB, ctx context.Context) {
	chromedp.ListenTarget(ctx, func(ev any) {
		switch e := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.APITypeError || e.Type == runtime.APITypeWarning {
				for _, a := range e.Args {
					t.Logf("browser console %s: %s %s", e.Type, a.Value, a.Description)
				}
			}
		case *runtime.EventExceptionThrown:
			t.Logf("browser exception: %s", e.ExceptionDetails.Error())
		}
	})
}

// SignInField signs rec in through the real form and waits until the field
// app is running under its service worker with the replica filled: the
// state an officer's phone is in after the first sign-in at the station.
func (env *Env) SignInField(t testing.TB, ctx context.Context, rec *core.Record) {
	t.Helper()
	err := chromedp.Run(ctx,
		chromedp.Navigate(env.URL+"/login"),
		chromedp.WaitVisible("#identity", chromedp.ByQuery),
		chromedp.SendKeys("#identity", rec.GetString("badge"), chromedp.ByQuery),
		chromedp.SendKeys("#password", Password, chromedp.ByQuery),
		chromedp.Click("button[type=submit]", chromedp.ByQuery),
		chromedp.WaitVisible("#screen-today", chromedp.ByQuery),
	)
	if err != nil {
		t.Fatalf("sign in %s: %v", rec.GetString("badge"), err)
	}
	WaitJS(t, ctx, 15*time.Second, "the service worker to control the page", "navigator.serviceWorker.controller")
	WaitJS(t, ctx, 15*time.Second, "the replica and the token book to fill",
		`import("/assets/js/db.js").then(async (db) => (await db.meta("cp:households")) && (await db.count("tokens")) > 0)`)
}

// SetNetwork cuts (or restores) the browser's network the two ways Chrome
// allows: request emulation, including the service worker's, and the
// reported network state (navigator.onLine, the online/offline events).
func SetNetwork(ctx context.Context, online bool) error {
	conds := []*network.Conditions{{Offline: !online, DownloadThroughput: -1, UploadThroughput: -1}}
	return chromedp.Run(ctx,
		network.Enable(),
		chromedp.ActionFunc(func(ctx context.Context) error {
			_, err := network.EmulateNetworkConditionsByRule(conds).WithEmulateOfflineServiceWorker(!online).Do(ctx)
			return err
		}),
		network.OverrideNetworkState(!online, 0, -1, -1),
	)
}

// Offline cuts the network at both ends: the browser's, and the server's
// switch that refuses the app's requests and closes its websockets
// (browser emulation does not touch an open websocket).
func (env *Env) Offline(t testing.TB, ctx context.Context) {
	t.Helper()
	env.Faults.SetOffline(true)
	if err := SetNetwork(ctx, false); err != nil {
		t.Fatalf("cut network: %v", err)
	}
	WaitJS(t, ctx, 5*time.Second, "the page to know it is offline", "navigator.onLine === false")
}

// Online restores the network.
func (env *Env) Online(t testing.TB, ctx context.Context) {
	t.Helper()
	env.Faults.SetOffline(false)
	if err := SetNetwork(ctx, true); err != nil {
		t.Fatalf("restore network: %v", err)
	}
}

// Count is how many records of collection match filter on the server.
func (env *Env) Count(t testing.TB, collection, filter string, params map[string]any) int {
	t.Helper()
	recs, err := env.App.FindRecordsByFilter(collection, filter, "", 0, 0, params)
	if err != nil {
		t.Fatalf("count %s: %v", collection, err)
	}
	return len(recs)
}

// SpareTab keeps a browser tab's session out of the server-side network
// cut (Offline): the deputy chief's desk keeps its board while an
// officer's phone is in a stairwell.
func (env *Env) SpareTab(t testing.TB, ctx context.Context) {
	t.Helper()
	var cookies []*network.Cookie
	err := chromedp.Run(ctx, chromedp.ActionFunc(func(ctx context.Context) error {
		var err error
		cookies, err = network.GetCookies().WithURLs([]string{env.URL}).Do(ctx)
		return err
	}))
	if err != nil {
		t.Fatalf("cookies: %v", err)
	}
	for _, c := range cookies {
		if c.Name == sessionCookie {
			env.Faults.Spare(c.Value)
			return
		}
	}
	t.Fatal("spare tab: it holds no session")
}
