package app_test

import (
	"testing"

	"zoufang/app/apptest"
	"zoufang/households"
	"zoufang/pb_migrations"
)

// TestScheduledBackupsAreOnByDefault: a new station has PocketBase's
// nightly backup scheduled, keeping seven, without anyone visiting the
// admin UI.
func TestScheduledBackupsAreOnByDefault(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	b := env.App.Settings().Backups
	if b.Cron != pb_migrations.BackupCron || b.CronMaxKeep != pb_migrations.BackupMaxKeep {
		t.Fatalf("backups %q keep %d, want %q keep %d", b.Cron, b.CronMaxKeep, pb_migrations.BackupCron, pb_migrations.BackupMaxKeep)
	}
	found := false
	for _, j := range env.App.Cron().Jobs() {
		found = found || j.Id() == "__pbAutoBackup__"
	}
	if !found {
		t.Fatal("PocketBase's backup job is not scheduled")
	}
}

// TestStoredTextIsCleanedOnce: text stored before the edge cleaned it is
// cleaned by the migration.
func TestStoredTextIsCleanedOnce(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	h := env.Household(env.OfficerA, householdsInput(env.CommunityA, "清理1号"))
	if _, err := env.App.DB().NewQuery("UPDATE households SET head_name = {:n}, notes = {:notes} WHERE id = {:id}").
		Bind(map[string]any{"n": "王\u202e五\x07", "notes": "一\r\n二\x1b", "id": h.ID}).Execute(); err != nil {
		t.Fatal(err)
	}
	if err := pb_migrations.CleanStoredText(env.App); err != nil {
		t.Fatal(err)
	}
	rec, _ := env.App.FindRecordById("households", h.ID)
	if rec.GetString("head_name") != "王五" || rec.GetString("notes") != "一\n二" {
		t.Fatalf("stored %q %q", rec.GetString("head_name"), rec.GetString("notes"))
	}
}

func householdsInput(community, building string) households.Input {
	return households.Input{Community: community, Building: building}
}
