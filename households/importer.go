package households

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"maps"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/pocketbase/pocketbase/core"
	"golang.org/x/text/encoding/simplifiedchinese"
	xunicode "golang.org/x/text/encoding/unicode"
	"golang.org/x/text/width"

	"zoufang/i18n"
	"zoufang/station"
)

// Limits of one import.
const (
	MaxImportBytes = 32 << 20
	MaxImportRows  = 20000
)

// RegistryRow is one household line of a station's registry as the file
// writes it: every cell trimmed, nothing else interpreted.
type RegistryRow struct {
	// Line is the row number a clerk sees in Excel: 1-based, header and
	// blank rows counted.
	Line      int    `json:"line"`
	Community string `json:"community"`
	Grid      string `json:"grid"`
	Building  string `json:"building"`
	Unit      string `json:"unit"`
	Room      string `json:"room"`
	HeadName  string `json:"head_name"`
	// Phones holds every non-empty phone cell of the row (电话, 电话2, 手机,
	// 固定电话 …), each possibly several numbers.
	Phones    []string `json:"phones"`
	Residents string   `json:"residents"`
	Tags      string   `json:"tags"`
	Notes     string   `json:"notes"`
}

// Registry columns.
const (
	regColCommunity = "community"
	regColGrid      = "grid"
	regColBuilding  = "building"
	regColUnit      = "unit"
	regColRoom      = "room"
	regColHeadName  = "head_name"
	regColPhones    = "phones"
	regColResidents = "residents"
	regColTags      = "tags"
	regColNotes     = "notes"
)

// registryHeaders maps a normalised header (see registryHeaderKey) to its column.
var registryHeaders = map[string]string{
	"社区": regColCommunity, "社区名称": regColCommunity, "所属社区": regColCommunity, "社区名": regColCommunity, "社区代码": regColCommunity, "社区编码": regColCommunity,
	"网格": regColGrid, "网格名称": regColGrid, "所属网格": regColGrid, "网格名": regColGrid,
	"楼幢": regColBuilding, "楼栋": regColBuilding, "楼号": regColBuilding, "幢号": regColBuilding, "楼幢号": regColBuilding, "楼栋号": regColBuilding, "栋号": regColBuilding, "幢": regColBuilding, "栋": regColBuilding,
	"单元": regColUnit, "单元号": regColUnit,
	"室": regColRoom, "房号": regColRoom, "室号": regColRoom, "门牌号": regColRoom, "房间号": regColRoom, "门牌": regColRoom,
	"户主": regColHeadName, "户主姓名": regColHeadName, "姓名": regColHeadName, "户主名": regColHeadName,
	"电话": regColPhones, "联系电话": regColPhones, "手机": regColPhones, "电话号码": regColPhones, "手机号": regColPhones, "手机号码": regColPhones, "固定电话": regColPhones, "固话": regColPhones, "座机": regColPhones, "联系方式": regColPhones,
	"人数": regColResidents, "人口数": regColResidents, "居住人数": regColResidents, "户内人数": regColResidents, "人口": regColResidents, "家庭人数": regColResidents,
	"标签": regColTags, "人员类别": regColTags, "类别": regColTags,
	"备注": regColNotes, "说明": regColNotes,
}

var (
	headerWrappedRe = regexp.MustCompile(`^[(\[【<《{「『](.*)[)\]】>》}」』]$`)
	headerNoteRe    = regexp.MustCompile(`[(\[【<《{「『][^)\]】>》}」』]*[)\]】>》}」』]`)
	headerNumRe     = regexp.MustCompile(`\d+$`)
)

// registryHeaderKey folds a header cell for matching: width and case folded, spaces
// (full-width too), asterisks and colons dropped, surrounding brackets
// unwrapped and bracketed notes like （必填） removed.
func registryHeaderKey(s string) string {
	s = strings.ToLower(width.Narrow.String(s))
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '*' || r == ':' || r == '\ufeff' {
			return -1
		}
		return r
	}, s)
	if m := headerWrappedRe.FindStringSubmatch(s); m != nil && !headerNoteRe.MatchString(m[1]) {
		s = m[1]
	}
	return headerNoteRe.ReplaceAllString(s, "")
}

// registryColumn returns the column a header cell names, "" if none.
func registryColumn(cell string) string {
	k := registryHeaderKey(cell)
	if c, ok := registryHeaders[k]; ok {
		return c
	}
	// 电话2, 手机1 …: extra phone columns.
	if c := registryHeaders[headerNumRe.ReplaceAllString(k, "")]; c == regColPhones {
		return c
	}
	return ""
}

// ReadRegistry reads a station's registry: CSV (UTF-8 with or without BOM,
// GB18030/GBK as Excel saves it on Chinese Windows, UTF-16 as Excel's
// "Unicode text") or XLSX (first sheet). The header is the first non-blank
// row; blank rows are skipped but keep their row numbers. Errors are
// station errors with a Chinese message.
func ReadRegistry(r io.Reader, filename string) ([]RegistryRow, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxImportBytes+1))
	if err != nil {
		return nil, station.Internal(err, "read registry")
	}
	if len(b) > MaxImportBytes {
		return nil, &station.Error{Code: station.ETooLarge, Message: i18n.T("import.too_large", MaxImportBytes>>20)}
	}
	ext := strings.ToLower(filepath.Ext(filename))
	rb := &registryBuilder{}
	switch {
	case bytes.HasPrefix(b, []byte("\xd0\xcf\x11\xe0")) || ext == ".xls":
		return nil, &station.Error{Code: station.EInvalid, Message: i18n.T("import.xls")}
	case ext == ".xlsx" || ext == ".xlsm" || bytes.HasPrefix(b, []byte("PK\x03\x04")):
		err = readRegistryXLSX(b, rb)
	default:
		err = readRegistryCSV(b, rb)
	}
	if err != nil {
		return nil, err
	}
	return rb.finish()
}

// readRegistryXLSX streams the first sheet's rows into rb, stopping at
// the row limit long before a workbook that unpacks to gigabytes is
// unpacked (xlsx.go).
func readRegistryXLSX(b []byte, rb *registryBuilder) error {
	err := readXLSXRows(b, rb.add)
	switch {
	case errors.Is(err, errXLSXTooLarge):
		return &station.Error{Code: station.ETooLarge, Message: i18n.T("import.xlsx_too_large"), Err: err}
	case err != nil:
		return &station.Error{Code: station.EInvalid, Message: i18n.T("import.bad_xlsx"), Err: err}
	}
	return nil
}

func readRegistryCSV(b []byte, rb *registryBuilder) error {
	switch {
	case bytes.HasPrefix(b, []byte("\xff\xfe")) || bytes.HasPrefix(b, []byte("\xfe\xff")):
		d, err := xunicode.UTF16(xunicode.LittleEndian, xunicode.ExpectBOM).NewDecoder().Bytes(b)
		if err != nil {
			return &station.Error{Code: station.EInvalid, Message: i18n.T("import.bad_csv", 1), Err: err}
		}
		b = d
	case !utf8.Valid(b):
		d, err := simplifiedchinese.GB18030.NewDecoder().Bytes(b)
		if err != nil {
			return &station.Error{Code: station.EInvalid, Message: i18n.T("import.bad_csv", 1), Err: err}
		}
		b = d
	}
	b = bytes.TrimPrefix(b, []byte("\ufeff"))

	cr := csv.NewReader(bytes.NewReader(b))
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.ReuseRecord = true
	cr.Comma = sniffRegistryComma(b)
	// The reader skips empty lines and a quoted cell may span lines, so an
	// Excel row is the record's first physical line less the line breaks
	// inside earlier cells.
	inner := 0
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			line := 1
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.StartLine - inner
			}
			return &station.Error{Code: station.EInvalid, Message: i18n.T("import.bad_csv", line), Err: err}
		}
		start, _ := cr.FieldPos(0)
		if !rb.add(start-inner, rec) {
			return nil
		}
		for _, c := range rec {
			inner += strings.Count(c, "\n")
		}
	}
}

// sniffRegistryComma picks the delimiter of the first non-blank line: a tab
// (Excel's "Unicode text"), a semicolon (some European locales) or a comma.
func sniffRegistryComma(b []byte) rune {
	for line := range strings.Lines(string(b)) {
		if strings.TrimSpace(line) == "" {
			continue
		}
		counts := map[rune]int{',': strings.Count(line, ","), '\t': strings.Count(line, "\t"), ';': strings.Count(line, ";")}
		best := ','
		for _, c := range []rune{'\t', ';'} {
			if counts[c] > counts[best] {
				best = c
			}
		}
		return best
	}
	return ','
}

func blankCells(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// registryBuilder reads a registry row by row as a reader streams it: the
// header is the first non-blank row, the households are the rows under it.
// It stops the reader (add returns false) at the first problem: a header
// without the columns it needs, or one row past MaxImportRows.
type registryBuilder struct {
	header    bool
	cols      map[string]int // column → cell index (first one wins)
	phoneCols []int
	out       []RegistryRow
	err       error
}

// add takes one row: line is its 1-based row number as Excel shows it.
// cells may be reused by the reader after add returns.
func (rb *registryBuilder) add(line int, cells []string) bool {
	if !rb.header {
		if blankCells(cells) {
			return true
		}
		return rb.readHeader(line, cells)
	}
	get := func(c string) string {
		j, ok := rb.cols[c]
		if !ok || j >= len(cells) {
			return ""
		}
		return strings.TrimSpace(cells[j])
	}
	row := RegistryRow{
		Line:      line,
		Community: get(regColCommunity),
		Grid:      get(regColGrid),
		Building:  get(regColBuilding),
		Unit:      get(regColUnit),
		Room:      get(regColRoom),
		HeadName:  get(regColHeadName),
		Residents: get(regColResidents),
		Tags:      get(regColTags),
		Notes:     get(regColNotes),
		Phones:    []string{},
	}
	for _, j := range rb.phoneCols {
		if j < len(cells) {
			if p := strings.TrimSpace(cells[j]); p != "" {
				row.Phones = append(row.Phones, p)
			}
		}
	}
	// A row with nothing under the known columns is blank (a template's
	// pre-numbered 序号 column does not make it a household).
	if len(row.Phones) == 0 && blankCells([]string{row.Community, row.Grid, row.Building, row.Unit, row.Room, row.HeadName, row.Residents, row.Tags, row.Notes}) {
		return true
	}
	if len(rb.out) == MaxImportRows {
		rb.err = &station.Error{Code: station.ETooLarge, Message: i18n.T("import.too_many_rows", MaxImportRows)}
		return false
	}
	rb.out = append(rb.out, row)
	return true
}

func (rb *registryBuilder) readHeader(line int, cells []string) bool {
	rb.header = true
	rb.cols = map[string]int{}
	for i, cell := range cells {
		c := registryColumn(cell)
		switch {
		case c == "":
		case c == regColPhones:
			rb.phoneCols = append(rb.phoneCols, i)
		default:
			if _, ok := rb.cols[c]; !ok {
				rb.cols[c] = i
			}
		}
	}
	var missing []string
	for _, c := range []string{regColCommunity, regColBuilding} {
		if _, ok := rb.cols[c]; !ok {
			missing = append(missing, "“"+i18n.T("import.col."+c)+"”")
		}
	}
	if len(missing) > 0 {
		rb.err = &station.Error{Code: station.EInvalid, Message: i18n.T("import.no_header", line, strings.Join(missing, i18n.T("import.and")))}
		return false
	}
	return true
}

// finish returns the rows read, or why the registry was refused.
func (rb *registryBuilder) finish() ([]RegistryRow, error) {
	switch {
	case rb.err != nil:
		return nil, rb.err
	case !rb.header:
		return nil, &station.Error{Code: station.EInvalid, Message: i18n.T("import.empty")}
	}
	return rb.out, nil
}

// Row statuses of an import plan.
const (
	RowNew       = "new"       // will be created
	RowDuplicate = "duplicate" // same door or phone as a registered household or an earlier row
	RowInvalid   = "invalid"   // breaks a rule; Reasons say which
)

// RowReason is one thing wrong with an import row.
type RowReason struct {
	// Field is the household field at fault (community, grid, building,
	// phones, residents, tags …), "" for a duplicate.
	Field string `json:"field"`
	// Code is the form's problem code (required, too_long, phone_invalid,
	// tag_unknown, range …) or the import's own (community_unknown,
	// out_of_area, grid_unknown, grid_mismatch, residents_nan,
	// duplicate_address, duplicate_phone).
	Code string `json:"code"`
	// Message is for the clerk, in Chinese, naming the column and the
	// offending value: "电话：…（“12345”）".
	Message string `json:"message"`
}

// DuplicateRef says what an import row duplicates: a registered household
// (HouseholdID, Address) or an earlier row of the file (Line).
type DuplicateRef struct {
	By          string `json:"by"` // "address" or "phone"
	HouseholdID string `json:"household_id,omitempty"`
	Address     string `json:"address,omitempty"`
	Line        int    `json:"line,omitempty"`
	Phone       string `json:"phone,omitempty"` // the shared number (E.164), when By is "phone"
}

// ImportRow is the fate of one registry row.
type ImportRow struct {
	Row    RegistryRow `json:"row"`
	Status string      `json:"status"`
	// Input is the household the row describes, community and grid
	// resolved to ids; it is what CommitImport creates for a new row.
	Input Input `json:"input"`
	// Address is the door as it will read, e.g. "3幢1单元301室".
	Address   string        `json:"address"`
	Reasons   []RowReason   `json:"reasons"`
	Duplicate *DuplicateRef `json:"duplicate,omitempty"`
}

// ImportPlan is the dry run of an import: every row's fate, in file order.
type ImportPlan struct {
	Rows      []ImportRow `json:"rows"`
	New       int         `json:"new"`
	Duplicate int         `json:"duplicate"`
	Invalid   int         `json:"invalid"`
}

// Problems is how many rows would not be imported.
func (p *ImportPlan) Problems() int { return p.Duplicate + p.Invalid }

// ImportResult is what a commit did.
type ImportResult struct {
	Written int `json:"written"`
	Skipped int `json:"skipped"`
	// Plan is the plan as re-checked inside the transaction.
	Plan *ImportPlan `json:"plan"`
	// Changed lists the lines whose fate differs from the dry run's (the
	// registry changed meanwhile).
	Changed []int `json:"changed"`
}

// PlanImport checks rows as the officer would import them and says, per row,
// whether it is new, a duplicate or invalid and why. It writes nothing.
func (s *Store) PlanImport(ctx context.Context, o *station.Officer, rows []RegistryRow) (*ImportPlan, error) {
	return planImport(ctx, s.app, o, rows)
}

// CommitImport imports the rows of plan in one transaction, re-checking them
// against the registry first. If a row is invalid or a duplicate and
// skipProblems is false it writes nothing and returns an EInvalid error
// (with the re-checked plan in the result); otherwise it creates exactly the
// new rows. Any failure rolls back every row. Only the plan's registry
// cells (Rows[i].Row) are used: statuses and inputs are recomputed, so a
// plan that went through a browser cannot smuggle anything in.
func (s *Store) CommitImport(ctx context.Context, o *station.Officer, plan *ImportPlan, skipProblems bool) (*ImportResult, error) {
	if plan == nil || len(plan.Rows) == 0 {
		return nil, &station.Error{Code: station.EInvalid, Message: i18n.T("import.no_plan")}
	}
	rows := make([]RegistryRow, len(plan.Rows))
	for i, r := range plan.Rows {
		rows[i] = r.Row
	}
	var res *ImportResult
	refused := false
	err := s.app.RunInTransaction(func(tx core.App) error {
		pl, err := loadImportPlaces(tx)
		if err != nil {
			return err
		}
		fresh, err := planRows(ctx, tx, pl, o, rows)
		if err != nil {
			return err
		}
		res = &ImportResult{Plan: fresh, Changed: []int{}}
		for i, r := range fresh.Rows {
			if r.Status != plan.Rows[i].Status {
				res.Changed = append(res.Changed, r.Row.Line)
			}
		}
		if fresh.Problems() > 0 && !skipProblems {
			refused = true
			return &station.Error{Code: station.EInvalid, Message: i18n.T("import.refused", fresh.Problems(), fresh.Invalid, fresh.Duplicate)}
		}
		for _, r := range fresh.Rows {
			if r.Status != RowNew {
				continue
			}
			if _, err := create(ctx, tx, pl, o, r.Input); err != nil {
				return importRowFailed(r.Row.Line, err)
			}
			res.Written++
		}
		res.Skipped = len(fresh.Rows) - res.Written
		return nil
	})
	switch {
	case refused:
		res.Written, res.Skipped = 0, len(rows)
		return res, err
	case err != nil:
		return nil, err
	}
	return res, nil
}

// importRowFailed puts the line number in front of a row's failure.
func importRowFailed(line int, err error) error {
	var e *station.Error
	if errors.As(err, &e) && e.Code != station.EInternal {
		return &station.Error{Code: e.Code, Message: i18n.T("import.row_failed", line, e.Message), Fields: e.Fields, Err: err}
	}
	return err
}

// importPlaces resolves the registry's community and grid names, loaded
// once per import.
type importPlaces struct {
	gridOf    map[string]string            // grid id → its community id
	community map[string]string            // name, code or id key → community id
	name      map[string]string            // community id → name
	grid      map[string]map[string]string // community id → grid name key → grid id
	gridAny   map[string]bool              // grid name keys of any community
}

// importKey folds a community or grid name: width, case and spaces.
func importKey(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, strings.ToLower(width.Narrow.String(s)))
}

func loadImportPlaces(app core.App) (*importPlaces, error) {
	comms, err := app.FindAllRecords("communities")
	if err != nil {
		return nil, station.Internal(err, "load communities")
	}
	grids, err := app.FindAllRecords("grids")
	if err != nil {
		return nil, station.Internal(err, "load grids")
	}
	p := &importPlaces{gridOf: map[string]string{}, community: map[string]string{}, name: map[string]string{}, grid: map[string]map[string]string{}, gridAny: map[string]bool{}}
	put := func(k, id string) {
		if _, ok := p.community[k]; !ok && k != "" {
			p.community[k] = id
		}
	}
	for _, c := range comms {
		p.name[c.Id] = c.GetString("name")
		put(c.Id, c.Id)
	}
	for _, c := range comms {
		put(importKey(c.GetString("name")), c.Id)
	}
	for _, c := range comms {
		put(importKey(c.GetString("code")), c.Id)
	}
	for _, c := range comms { // 吴牙 for 吴牙社区
		put(strings.TrimSuffix(importKey(c.GetString("name")), "社区"), c.Id)
	}
	for _, g := range grids {
		c, k := g.GetString("community"), importKey(g.GetString("name"))
		p.gridOf[g.Id] = c
		if p.grid[c] == nil {
			p.grid[c] = map[string]string{}
		}
		p.grid[c][k] = g.Id
		p.gridAny[k] = true
	}
	return p, nil
}

// importPlaces answers validation's place questions from its maps, so that
// checking 10,000 rows does not look the same few records up 20,000 times.
func (p *importPlaces) communityExists(id string) bool {
	_, ok := p.name[id]
	return ok
}

func (p *importPlaces) gridCommunity(id string) (string, bool) {
	c, ok := p.gridOf[id]
	return c, ok
}

func (p *importPlaces) findCommunity(raw string) (string, bool) {
	k := importKey(raw)
	if id, ok := p.community[k]; ok {
		return id, true
	}
	if s := strings.TrimSuffix(k, "社区"); s != k && s != "" {
		id, ok := p.community[s]
		return id, ok
	}
	return "", false
}

var (
	importTagSepRe        = regexp.MustCompile(`[、，,;；/／|｜\s]+`)
	importResidentsUnitRe = regexp.MustCompile(`\s*(人|口|位)$`)
)

// parseRegistryResidents reads a 人数 cell: "3", "3人", "３", "3.0", "三"; empty is 0.
func parseRegistryResidents(raw string) (int, bool) {
	s := importResidentsUnitRe.ReplaceAllString(strings.TrimSpace(width.Narrow.String(raw)), "")
	if s == "" {
		return 0, true
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f == float64(int(f)) {
		return int(f), true
	}
	if n, ok := chineseNumber(s); ok {
		return n, true
	}
	return 0, false
}

// importFieldOrder is the order a row's reasons are listed in: the columns'.
var importFieldOrder = []string{"community", "grid", "building", "unit", "room", "address", "head_name", "phones", "residents", "tags", "notes", "id"}

func importReasonText(field, msg string) string {
	if field == "" {
		return msg
	}
	return i18n.T("import.reason", i18n.T("import.col."+field), msg)
}

// importWithValue appends the offending value to a form message unless it names
// it already.
func importWithValue(msg, value string) string {
	if value == "" || strings.Contains(msg, value) {
		return msg
	}
	base := strings.TrimSuffix(msg, "。")
	out := i18n.T("import.with_value", base, value)
	if base != msg {
		out += "。"
	}
	return out
}

// planImport is PlanImport on app, which may be a transaction.
func planImport(ctx context.Context, app core.App, o *station.Officer, rows []RegistryRow) (*ImportPlan, error) {
	pl, err := loadImportPlaces(app)
	if err != nil {
		return nil, err
	}
	return planRows(ctx, app, pl, o, rows)
}

// planRows plans rows against app with the places pl loaded from it.
func planRows(ctx context.Context, app core.App, pl *importPlaces, o *station.Officer, rows []RegistryRow) (*ImportPlan, error) {
	plan := &ImportPlan{Rows: make([]ImportRow, 0, len(rows))}
	seenAddress := map[string]int{} // address key → line of the new row
	seenPhone := map[string]int{}   // E.164 → line of the new row
	for _, row := range rows {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		ir := ImportRow{Row: row, Reasons: []RowReason{}}
		own := map[string]RowReason{}
		add := func(field, code, msg string) {
			if _, ok := own[field]; !ok {
				own[field] = RowReason{Field: field, Code: code, Message: importReasonText(field, msg)}
			}
		}

		in := Input{
			Building: row.Building, Unit: row.Unit, Room: row.Room,
			HeadName: row.HeadName, Phones: slices.Clone(row.Phones), Notes: row.Notes,
		}
		for _, t := range importTagSepRe.Split(row.Tags, -1) {
			if t != "" {
				in.Tags = append(in.Tags, t)
			}
		}
		if n, ok := parseRegistryResidents(row.Residents); ok {
			in.Residents = n
		} else {
			add("residents", "residents_nan", i18n.T("import.residents_nan", row.Residents))
		}
		community, known := "", false
		if row.Community != "" {
			community, known = pl.findCommunity(row.Community)
			switch {
			case !known:
				in.Community = row.Community // validate's own lookup fails too
				add("community", "community_unknown", i18n.T("import.community_unknown", row.Community))
			case !o.CoversCommunity(community):
				in.Community = community
				add("community", "out_of_area", i18n.T("import.out_of_area", pl.name[community]))
			default:
				in.Community = community
			}
		}
		if row.Grid != "" && known {
			k := importKey(row.Grid)
			if id, ok := pl.grid[community][k]; ok {
				in.Grid = id
			} else if pl.gridAny[k] {
				add("grid", "grid_mismatch", i18n.T("import.grid_mismatch", row.Grid, pl.name[community]))
			} else {
				add("grid", "grid_unknown", i18n.T("import.grid_unknown", row.Grid))
			}
		}

		h, verr := validate(pl, o, in)
		if verr != nil {
			fields := station.FieldsOf(verr)
			if fields == nil {
				return nil, verr
			}
			for field, fe := range fields {
				if _, ok := own[field]; ok {
					continue // the import's message names the value
				}
				msg := fe.Message
				switch field {
				case "phones":
					_, _, bad := station.NormalizePhones(in.Phones)
					msg = importWithValue(msg, bad)
				case "tags":
					var unknown []string
					for _, t := range in.Tags {
						if !slices.Contains(Tags, strings.TrimSpace(t)) {
							unknown = append(unknown, t)
						}
					}
					msg = importWithValue(msg, strings.Join(unknown, "、"))
				case "residents":
					msg = importWithValue(msg, row.Residents)
				}
				own[field] = RowReason{Field: field, Code: fe.Code, Message: importReasonText(field, msg)}
			}
		}
		ir.Input = in
		ir.Address = h.Address
		for _, f := range importFieldOrder {
			if r, ok := own[f]; ok {
				ir.Reasons = append(ir.Reasons, r)
				delete(own, f)
			}
		}
		for _, f := range slices.Sorted(maps.Keys(own)) { // fields importFieldOrder does not know
			ir.Reasons = append(ir.Reasons, own[f])
		}

		switch {
		case len(ir.Reasons) > 0:
			ir.Status = RowInvalid
			plan.Invalid++
		default:
			dup, err := importDuplicate(ctx, app, h, seenAddress, seenPhone)
			if err != nil {
				return nil, err
			}
			if dup != nil {
				ir.Status, ir.Duplicate = RowDuplicate, dup.d
				ir.Reasons = append(ir.Reasons, RowReason{Code: "duplicate_" + dup.d.By, Message: dup.msg})
				plan.Duplicate++
				break
			}
			ir.Status = RowNew
			plan.New++
			seenAddress[h.AddressKey] = row.Line
			for _, p := range h.Phones {
				if _, ok := seenPhone[p]; !ok {
					seenPhone[p] = row.Line
				}
			}
		}
		plan.Rows = append(plan.Rows, ir)
	}
	return plan, nil
}

type importDup struct {
	d   *DuplicateRef
	msg string
}

// importDuplicate finds what h duplicates: an active household of the registry
// first, else an earlier new row of the file.
func importDuplicate(ctx context.Context, app core.App, h *Household, seenAddress, seenPhone map[string]int) (*importDup, error) {
	d, err := FindDuplicate(ctx, app, h, "")
	if err != nil {
		return nil, station.Internal(err, "check import duplicates")
	}
	if d != nil {
		rd := &DuplicateRef{By: d.By, HouseholdID: d.Of.ID, Address: d.Of.Address}
		if d.By == "phone" {
			for _, p := range h.Phones {
				if slices.Contains(d.Of.Phones, p) {
					rd.Phone = p
					break
				}
			}
			return &importDup{rd, i18n.T("import.duplicate_phone", d.Of.Address, d.Of.ID, station.DisplayPhone(rd.Phone))}, nil
		}
		return &importDup{rd, i18n.T("import.duplicate_address", d.Of.Address, d.Of.ID)}, nil
	}
	if line, ok := seenAddress[h.AddressKey]; ok {
		return &importDup{&DuplicateRef{By: "address", Line: line}, i18n.T("import.duplicate_row_address", line)}, nil
	}
	for _, p := range h.Phones {
		if line, ok := seenPhone[p]; ok {
			return &importDup{&DuplicateRef{By: "phone", Line: line, Phone: p}, i18n.T("import.duplicate_row_phone", line, station.DisplayPhone(p))}, nil
		}
	}
	return nil, nil
}
