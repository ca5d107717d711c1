package households

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	g "maragu.dev/gomponents"
	h "maragu.dev/gomponents/html"

	"zoufang/i18n"
	"zoufang/pwa"
	"zoufang/station"
)

// ImportPlans keeps each dry run between the check and the commit (half an
// hour, for the officer who made it). The commit re-checks against the
// registry anyway; the plan only saves uploading the file twice.
type ImportPlans struct {
	mu    sync.Mutex
	plans map[string]keptPlan
}

type keptPlan struct {
	officer  string
	filename string
	plan     *ImportPlan
	expires  time.Time
}

// ImportPlanTTL is how long a dry run waits for its commit.
const ImportPlanTTL = 30 * time.Minute

// NewImportPlans returns an empty plan keeper.
func NewImportPlans() *ImportPlans { return &ImportPlans{plans: map[string]keptPlan{}} }

func (k *ImportPlans) put(officer, filename string, p *ImportPlan) string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	token := hex.EncodeToString(b)
	k.mu.Lock()
	defer k.mu.Unlock()
	now := time.Now()
	for t, kp := range k.plans {
		if now.After(kp.expires) {
			delete(k.plans, t)
		}
	}
	k.plans[token] = keptPlan{officer: officer, filename: filename, plan: p, expires: now.Add(ImportPlanTTL)}
	return token
}

func (k *ImportPlans) get(officer, token string) (keptPlan, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	kp, ok := k.plans[token]
	if !ok || kp.officer != officer || time.Now().After(kp.expires) {
		return keptPlan{}, false
	}
	return kp, true
}

func (k *ImportPlans) drop(token string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.plans, token)
}

// HandleImportForm shows the upload form.
func HandleImportForm(layout pwa.Layout) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		return ImportPage(layout, ImportProps{Officer: station.OfficerFrom(c.Request().Context())}), nil
	}
}

// HandleImportCheck reads the uploaded registry and shows the dry run:
// every row's fate, nothing written.
func HandleImportCheck(store importer, layout pwa.Layout, plans *ImportPlans) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		ctx := c.Request().Context()
		o := station.OfficerFrom(ctx)
		refuse := func(err error) (g.Node, error) {
			return ImportPage(layout, ImportProps{Officer: o, Err: err}), err
		}
		fh, err := c.FormFile("file")
		if err != nil {
			return refuse(station.Errorf(station.EInvalid, "%s", i18n.T("import.choose_file")))
		}
		if fh.Size > MaxImportBytes {
			return refuse(station.Errorf(station.ETooLarge, "%s", i18n.T("import.too_large", MaxImportBytes>>20)))
		}
		f, err := fh.Open()
		if err != nil {
			return nil, station.Internal(err, "open upload")
		}
		defer f.Close()
		rows, err := ReadRegistry(f, fh.Filename)
		if err != nil {
			if station.ErrorCode(err) == station.EInternal {
				return nil, err
			}
			return refuse(err)
		}
		plan, err := store.PlanImport(ctx, o, rows)
		if err != nil {
			return nil, err
		}
		token := plans.put(o.ID, fh.Filename, plan)
		return ImportPage(layout, ImportProps{Officer: o, Plan: plan, Token: token, Filename: fh.Filename}), nil
	}
}

// importer is what the import pages need of the store.
type importer interface {
	PlanImport(ctx context.Context, o *station.Officer, rows []RegistryRow) (*ImportPlan, error)
	CommitImport(ctx context.Context, o *station.Officer, plan *ImportPlan, skipProblems bool) (*ImportResult, error)
}

// HandleImportCommit imports the checked plan: everything or nothing, or
// with skip=1 exactly the rows that were new.
func HandleImportCommit(store importer, layout pwa.Layout, plans *ImportPlans) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		ctx := c.Request().Context()
		o := station.OfficerFrom(ctx)
		token := c.FormValue("token")
		kp, ok := plans.get(o.ID, token)
		if !ok {
			err := station.Errorf(station.EConflict, "%s", i18n.T("import.expired"))
			return ImportPage(layout, ImportProps{Officer: o, Err: err}), err
		}
		res, err := store.CommitImport(ctx, o, kp.plan, c.FormValue("skip") == "1")
		if err != nil {
			if res == nil {
				return nil, err
			}
			// Refused: show the re-checked plan with its reasons.
			newToken := plans.put(o.ID, kp.filename, res.Plan)
			plans.drop(token)
			return ImportPage(layout, ImportProps{Officer: o, Plan: res.Plan, Token: newToken, Filename: kp.filename, Err: err}), err
		}
		plans.drop(token)
		return ImportPage(layout, ImportProps{Officer: o, Result: res, Filename: kp.filename}), nil
	}
}

// ImportProps is what the import page shows: the form, a dry run, or the
// result of a commit.
type ImportProps struct {
	Officer  *station.Officer
	Plan     *ImportPlan
	Token    string
	Filename string
	Result   *ImportResult
	Err      error
}

// ImportPage is the registry import: upload, check every row, then commit.
func ImportPage(layout pwa.Layout, p ImportProps) g.Node {
	return layout(pwa.Page{
		Title:   i18n.T("import.title"),
		Officer: p.Officer,
		Nav:     "/households",
		Body: []g.Node{
			h.Section(h.Class("card"),
				h.H1(g.Text(i18n.T("import.title"))),
				pwa.ErrorSummary(p.Err),
				g.Iff(p.Result != nil, func() g.Node { return importResult(p.Result, p.Filename) }),
				g.If(p.Plan == nil && p.Result == nil, importForm()),
			),
			g.Iff(p.Plan != nil, func() g.Node { return importReport(p.Plan, p.Token, p.Filename) }),
		},
	})
}

func importForm() g.Node {
	return g.Group{
		h.P(h.Class("lead"), g.Text(i18n.T("import.lead"))),
		h.P(h.Class("muted small"), g.Text(i18n.T("import.columns"))),
		h.Form(h.Method("post"), h.Action("/households/import"), h.EncType("multipart/form-data"),
			h.Div(h.Class("field"),
				h.Label(h.For("file"), g.Text(i18n.T("import.file"))),
				h.Input(h.Type("file"), h.ID("file"), h.Name("file"), h.Accept(".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), h.Required()),
			),
			h.Button(h.Type("submit"), h.Class("primary"), g.Text(i18n.T("import.check"))),
		),
	}
}

func importResult(r *ImportResult, filename string) g.Node {
	return g.Group{
		pwa.Notice(i18n.T("import.done", filename, r.Written, r.Skipped)),
		g.If(len(r.Changed) > 0, h.P(h.Class("warnbox"), g.Text(i18n.T("import.changed", len(r.Changed))))),
		h.P(h.A(h.Class("button"), h.Href("/households"), g.Text(i18n.T("import.to_registry")))),
	}
}

func importReport(p *ImportPlan, token, filename string) g.Node {
	statusTag := func(s string) g.Node {
		switch s {
		case RowNew:
			return h.Span(h.Class("tag ok"), g.Text(i18n.T("import.status.new")))
		case RowDuplicate:
			return h.Span(h.Class("tag warn"), g.Text(i18n.T("import.status.duplicate")))
		}
		return h.Span(h.Class("tag bad"), g.Text(i18n.T("import.status.invalid")))
	}
	return h.Section(h.Class("card"),
		h.H2(g.Text(i18n.T("import.report", filename))),
		h.P(g.Text(i18n.T("import.summary", len(p.Rows), p.New, p.Duplicate, p.Invalid))),
		h.Form(h.Method("post"), h.Action("/households/import/commit"), h.Class("row no-print"),
			h.Input(h.Type("hidden"), h.Name("token"), h.Value(token)),
			g.If(p.Problems() == 0 && p.New > 0, h.Button(h.Type("submit"), h.Class("primary"), g.Text(i18n.T("import.commit_all", p.New)))),
			g.If(p.Problems() > 0 && p.New > 0, h.Button(h.Type("submit"), h.Name("skip"), h.Value("1"), h.Class("primary"), g.Text(i18n.T("import.commit_skip", p.New, p.Problems())))),
			g.If(p.Problems() > 0, h.Span(h.Class("muted"), g.Text(i18n.T("import.fix_first")))),
			h.A(h.Class("button"), h.Href("/households/import"), g.Text(i18n.T("import.again"))),
		),
		h.Div(h.Class("table-wrap"), h.Table(
			h.THead(h.Tr(
				h.Th(h.Class("num"), g.Text(i18n.T("import.line"))),
				h.Th(g.Text(i18n.T("import.fate"))),
				h.Th(g.Text(i18n.T("household.community"))),
				h.Th(g.Text(i18n.T("household.address"))),
				h.Th(g.Text(i18n.T("household.head_name"))),
				h.Th(g.Text(i18n.T("import.reasons"))),
			)),
			h.TBody(g.Map(p.Rows, func(r ImportRow) g.Node {
				reasons := make([]string, len(r.Reasons))
				for i, x := range r.Reasons {
					reasons[i] = x.Message
				}
				return h.Tr(
					h.Td(h.Class("num"), g.Textf("%d", r.Row.Line)),
					h.Td(statusTag(r.Status)),
					h.Td(g.Text(r.Row.Community), g.If(r.Row.Grid != "", g.Text(" · "+r.Row.Grid))),
					h.Td(g.Text(r.Address)),
					h.Td(g.Text(r.Row.HeadName)),
					h.Td(g.Text(strings.Join(reasons, "；"))),
				)
			})),
		)),
	)
}
