package people

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"zoufang/i18n"
	"zoufang/station"
)

// Officer is one of the station's people as the people pages show them.
type Officer struct {
	ID          string
	Badge       string
	Name        string
	Role        string
	Communities []string
	WeChat      string
	Phone       string
	Email       string
	Active      bool
	Devices     []Device
}

// Device is one of an officer's phones as the live channel last saw it.
type Device struct {
	ID         string
	AppVersion string
	Pending    int
	LastSeen   time.Time
}

func officerOf(r *core.Record) *Officer {
	return &Officer{
		ID: r.Id, Badge: r.GetString("badge"), Name: r.GetString("name"), Role: r.GetString("role"),
		Communities: r.GetStringSlice("communities"), WeChat: r.GetString("wechat"), Phone: r.GetString("phone"),
		Email: r.Email(), Active: r.GetBool("active"),
	}
}

// Input is the officer form as typed.
type Input struct {
	Badge       string
	Name        string
	Role        string
	Communities []string
	WeChat      string
	Phone       string
	Email       string
}

// Store reads and writes the station's officers and handovers.
type Store struct {
	app    core.App
	movers []Mover
}

// NewStore returns the people store of app; movers are the handover's parts
// (Movers).
func NewStore(app core.App, movers []Mover) *Store { return &Store{app: app, movers: movers} }

// Movers are the parts of a handover: the registry's and the watches',
// then extra ones of the features above them.
func Movers(extra ...Mover) []Mover { return append(baseMovers(), extra...) }

func notFound() error {
	return &station.Error{Code: station.ENotFound, Message: i18n.T("people.not_found")}
}

// List is every officer, community officers by badge first, then the
// deputy chiefs, each with their devices.
func (s *Store) List(ctx context.Context) ([]*Officer, error) {
	var recs []*core.Record
	if err := s.app.RecordQuery(Collection).WithContext(ctx).OrderBy("role DESC", "badge ASC").All(&recs); err != nil {
		return nil, station.Internal(err, "list officers")
	}
	devs, err := s.devices(ctx, "")
	if err != nil {
		return nil, err
	}
	out := make([]*Officer, len(recs))
	for i, r := range recs {
		out[i] = officerOf(r)
		out[i].Devices = devs[r.Id]
	}
	return out, nil
}

// Get is one officer with their devices.
func (s *Store) Get(ctx context.Context, id string) (*Officer, error) {
	rec, err := s.app.FindRecordById(Collection, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound()
	}
	if err != nil {
		return nil, station.Internal(err, "find officer")
	}
	o := officerOf(rec)
	devs, err := s.devices(ctx, id)
	if err != nil {
		return nil, err
	}
	o.Devices = devs[id]
	return o, nil
}

// write copies the form onto rec; the hooks normalise and check it.
func (in Input) write(rec *core.Record) {
	rec.Set("badge", in.Badge)
	rec.Set("name", strings.TrimSpace(in.Name))
	rec.Set("role", in.Role)
	rec.Set("communities", in.Communities)
	rec.Set("wechat", strings.TrimSpace(in.WeChat))
	rec.Set("phone", in.Phone)
	rec.SetEmail(strings.TrimSpace(in.Email))
}

// check is what the form checks beyond the record's own rules (people
// hooks): a name and a role.
func (in Input) check() station.Problems {
	p := station.Problems{}
	if strings.TrimSpace(in.Name) == "" {
		p.Add("name", "required")
	}
	if in.Role != station.RoleOfficer && in.Role != station.RoleDeputyChief {
		p.Add("role", "choice")
	}
	return p
}

// Create adds an officer with a new password, returned once.
func (s *Store) Create(ctx context.Context, in Input) (*Officer, string, error) {
	coll, err := s.app.FindCachedCollectionByNameOrId(Collection)
	if err != nil {
		return nil, "", station.Internal(err, "officers collection")
	}
	rec := core.NewRecord(coll)
	in.write(rec)
	if err := mergeProblems(in.check(), Check(s.app, rec)); err != nil {
		return nil, "", err
	}
	password, err := NewPassword()
	if err != nil {
		return nil, "", station.Internal(err, "password")
	}
	rec.SetPassword(password)
	rec.Set("active", true)
	rec.SetVerified(true)
	if err := s.app.SaveWithContext(ctx, rec); err != nil {
		return nil, "", station.SaveError(err, "save officer")
	}
	return officerOf(rec), password, nil
}

// Update edits an officer. Moving communities here moves nothing else: a
// handover (which moves the WeChat contacts and open work) is its own step.
func (s *Store) Update(ctx context.Context, id string, in Input) (*Officer, error) {
	rec, err := s.app.FindRecordById(Collection, id)
	if err != nil {
		return nil, notFound()
	}
	in.write(rec)
	if err := mergeProblems(in.check(), Check(s.app, rec)); err != nil {
		return nil, err
	}
	if err := s.app.SaveWithContext(ctx, rec); err != nil {
		return nil, station.SaveError(err, "save officer")
	}
	return officerOf(rec), nil
}

func mergeProblems(p station.Problems, err error) error {
	for k, v := range station.FieldsOf(err) {
		if _, ok := p[k]; !ok {
			p[k] = v
		}
	}
	if err != nil && len(station.FieldsOf(err)) == 0 {
		return err
	}
	return p.Err()
}

// ResetPassword gives an officer a new password (returned once) and signs
// them out everywhere.
func (s *Store) ResetPassword(ctx context.Context, id string) (string, error) {
	rec, err := s.app.FindRecordById(Collection, id)
	if err != nil {
		return "", notFound()
	}
	password, err := NewPassword()
	if err != nil {
		return "", station.Internal(err, "password")
	}
	rec.SetPassword(password)
	rec.RefreshTokenKey()
	if err := s.app.SaveWithContext(ctx, rec); err != nil {
		return "", station.SaveError(err, "reset password")
	}
	return password, nil
}

// SetActive deactivates an officer (their sessions and live connections
// end and their unused QR tokens are revoked, by the officers hook) or
// brings them back.
func (s *Store) SetActive(ctx context.Context, id string, active bool) error {
	rec, err := s.app.FindRecordById(Collection, id)
	if err != nil {
		return notFound()
	}
	rec.Set("active", active)
	if !active {
		rec.RefreshTokenKey()
	}
	return station.SaveError(s.app.SaveWithContext(ctx, rec), "set officer active")
}

// passwordAlphabet leaves out what is easily misread on paper (0/O, 1/l/I).
const passwordAlphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// NewPassword is a random 12-character password to hand over on paper.
func NewPassword() (string, error) {
	var b strings.Builder
	for range 12 {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(passwordAlphabet))))
		if err != nil {
			return "", fmt.Errorf("random password: %w", err)
		}
		b.WriteByte(passwordAlphabet[n.Int64()])
	}
	return b.String(), nil
}

// SeeDevice records that an officer's device was seen (the live channel's
// hello and status messages).
func (s *Store) SeeDevice(ctx context.Context, officerID, device, appVersion string, pending int, at time.Time) error {
	if device == "" {
		return nil
	}
	rec, err := s.app.FindFirstRecordByFilter("devices", "officer = {:o} && device = {:d}", dbx.Params{"o": officerID, "d": device})
	if errors.Is(err, sql.ErrNoRows) {
		coll, cerr := s.app.FindCachedCollectionByNameOrId("devices")
		if cerr != nil {
			return fmt.Errorf("devices collection: %w", cerr)
		}
		rec = core.NewRecord(coll)
		rec.Set("officer", officerID)
		rec.Set("device", device)
	} else if err != nil {
		return fmt.Errorf("find device: %w", err)
	}
	rec.Set("app_version", appVersion)
	rec.Set("pending", max(pending, 0))
	rec.Set("last_seen", at)
	if err := s.app.SaveWithContext(ctx, rec); err != nil {
		return fmt.Errorf("save device: %w", err)
	}
	return nil
}

// devices lists the officers' devices (one officer's when officerID is
// set), most recently seen first.
func (s *Store) devices(ctx context.Context, officerID string) (map[string][]Device, error) {
	q := s.app.RecordQuery("devices").WithContext(ctx).OrderBy("last_seen DESC")
	if officerID != "" {
		q = q.AndWhere(dbx.HashExp{"officer": officerID})
	}
	var recs []*core.Record
	if err := q.All(&recs); err != nil {
		return nil, station.Internal(err, "devices")
	}
	out := map[string][]Device{}
	for _, r := range recs {
		o := r.GetString("officer")
		out[o] = append(out[o], Device{ID: r.GetString("device"), AppVersion: r.GetString("app_version"),
			Pending: r.GetInt("pending"), LastSeen: r.GetDateTime("last_seen").Time()})
	}
	return out, nil
}

// FormerAreas are the communities officerID handed over, newest first,
// with when and to whom (station.Officer.FormerAreas).
func FormerAreas(app core.App, officerID string) ([]station.FormerArea, error) {
	var rows []struct {
		Communities string `db:"communities"`
		At          string `db:"at"`
		To          string `db:"to_name"`
	}
	err := app.DB().Select("h.communities", "h.at", "COALESCE(o.name, '') AS to_name").From(HandoverCollection+" h").
		LeftJoin(Collection+" o", dbx.NewExp("o.id = h.[[to]]")).
		Where(dbx.NewExp("h.[[from]] = {:o}", dbx.Params{"o": officerID})).OrderBy("h.at DESC").Limit(100).All(&rows)
	if err != nil {
		return nil, fmt.Errorf("former areas: %w", err)
	}
	var out []station.FormerArea
	for _, r := range rows {
		at, err := time.Parse("2006-01-02 15:04:05.000Z", r.At)
		if err != nil {
			continue
		}
		for _, c := range jsonStrings(r.Communities) {
			if !slices.ContainsFunc(out, func(a station.FormerArea) bool { return a.Community == c }) {
				out = append(out, station.FormerArea{Community: c, Until: at, To: r.To})
			}
		}
	}
	return out, nil
}
