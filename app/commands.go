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
