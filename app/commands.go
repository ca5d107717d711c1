package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync/atomic"

	"github.com/pocketbase/pocketbase"
	"github.com/spf13/cobra"

	"zoufang/gen"
	"zoufang/households"
	"zoufang/i18n"
	"zoufang/station"
)

// importCommand is `zoufang import households FILE`: the station's existing
// registry (CSV or XLSX) into the database, checked row by row first.
func importCommand(pb *pocketbase.PocketBase) *cobra.Command {
	root := &cobra.Command{Use: "import", Short: "Import data into zoufang"}
	var dryRun, skip bool
	hh := &cobra.Command{
		Use:   "households FILE",
		Short: "Import a household registry (CSV in UTF-8 or GB18030, or XLSX)",
		Long: "Reads the registry, reports every row's fate (new, duplicate, invalid with the reason)\n" +
			"and, unless --dry-run, imports it in one transaction: everything or nothing,\n" +
			"or with --skip-problems exactly the new rows.",
		Args:         cobra.ExactArgs(1),
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := pb.RunAllMigrations(); err != nil {
				return fmt.Errorf("migrate: %w", err)
			}
			err := importHouseholds(cmd.Context(), households.NewStore(pb), args[0], dryRun, skip, cmd.OutOrStdout())
			return commandFailed(err)
		},
	}
	hh.Flags().BoolVar(&dryRun, "dry-run", false, "check every row and write nothing")
	hh.Flags().BoolVar(&skip, "skip-problems", false, "import the new rows even if some rows are invalid or duplicates")
	root.AddCommand(hh)
	return root
}

// genCommand is `zoufang gen district`: a realistic district station
// written straight into a fresh data dir (--dir, PocketBase's flag), to
// size a server with and for the scale benchmarks (DESIGN §10).
func genCommand(pb *pocketbase.PocketBase) *cobra.Command {
	root := &cobra.Command{Use: "gen", Short: "Generate data"}
	var opt gen.Options
	var now string
	var quiet bool
	d := &cobra.Command{
		Use:   "district",
		Short: "Write a realistic district station into a fresh data dir",
		Long: "Writes communities of about 1,700 households with their grids and community officer,\n" +
			"households with phones and tags, two years of Tuesday and Thursday afternoon visits,\n" +
			"residents' confirmations and holiday watches, deterministically from --seed and --now,\n" +
			"and prints what it wrote. The deputy chief signs in as 330100, the officers as 330101,\n" +
			"330102, …, all with the demo's password zoufang2026. The data dir must be fresh.",
		Example:      "  zoufang gen district --households 100000 --visits 1000000 --seed 1 --dir /srv/sizing/pb_data",
		Args:         cobra.NoArgs,
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := pb.RunAllMigrations(); err != nil {
				return commandFailed(fmt.Errorf("migrate: %w", err))
			}
			if now != "" {
				st, err := station.LoadSettings(pb)
				if err != nil {
					return commandFailed(err)
				}
				if opt.Now, err = gen.ParseNow(now, st.Location()); err != nil {
					return commandFailed(err)
				}
			}
			if !quiet {
				// To stderr, so that stdout is the summary alone.
				opt.Progress = func(msg string) { fmt.Fprintln(os.Stderr, "gen district: "+msg+" …") }
			}
			res, err := gen.District(cmd.Context(), pb, opt)
			if err != nil {
				return commandFailed(err)
			}
			size, err := gen.DirSize(pb.DataDir())
			if err != nil {
				return commandFailed(err)
			}
			gen.Print(cmd.OutOrStdout(), res, pb.DataDir(), size)
			return nil
		},
	}
	d.Flags().IntVar(&opt.Households, "households", gen.DefaultHouseholds, "households (communities of about 1,700)")
	d.Flags().IntVar(&opt.Visits, "visits", 0, "visits in all, holiday checks included (default 10 per household)")
	d.Flags().Uint64Var(&opt.Seed, "seed", 1, "seed: the same seed and --now write the same station")
	d.Flags().StringVar(&now, "now", "", "where the history ends (RFC 3339, \"2026-12-01 15:30\" or 2026-12-01 in the station's zone; default the start of today)")
	d.Flags().BoolVar(&quiet, "quiet", false, "print only the summary")
	root.AddCommand(d)
	return root
}

// failed records that a command failed: PocketBase's Execute does not
// return the command's error, and an operator's script needs the exit code.
var failed atomic.Bool

// Failed reports whether a zoufang command failed; main exits 1 then.
func Failed() bool { return failed.Load() }

// commandFailed notes err and returns it as people should read it: our
// coded errors by their message alone.
func commandFailed(err error) error {
	if err == nil {
		return nil
	}
	failed.Store(true)
	var se *station.Error
	if errors.As(err, &se) && se.Code != station.EInternal {
		return errors.New(se.Message)
	}
	return err
}

// operator acts for the station as a whole: the command line is the
// station admin's, who may import into any community.
var operator = &station.Officer{Name: "import", Role: station.RoleDeputyChief}

func importHouseholds(ctx context.Context, store *households.Store, path string, dryRun, skip bool, out io.Writer) error {
	if ctx == nil {
		ctx = context.Background()
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	rows, err := households.ReadRegistry(f, path)
	if err != nil {
		return err
	}
	plan, err := store.PlanImport(ctx, operator, rows)
	if err != nil {
		return err
	}
	printPlan(out, plan)
	if dryRun {
		fmt.Fprintln(out, i18n.T("import.cli_dry_run"))
		return nil
	}
	res, err := store.CommitImport(ctx, operator, plan, skip)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, i18n.T("import.done", path, res.Written, res.Skipped))
	return nil
}

func printPlan(out io.Writer, p *households.ImportPlan) {
	for _, r := range p.Rows {
		reasons := make([]string, len(r.Reasons))
		for i, x := range r.Reasons {
			reasons[i] = x.Message
		}
		fmt.Fprintf(out, "%6d  %-9s  %s  %s\n", r.Row.Line, i18n.T("import.status."+r.Status), r.Address, strings.Join(reasons, "；"))
	}
	fmt.Fprintln(out, i18n.T("import.summary", len(p.Rows), p.New, p.Duplicate, p.Invalid))
}
