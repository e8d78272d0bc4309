// fluxstatus: the CLI and the service. Wiring only: parses arguments, loads the config and
// hands over to one verb.
#include <iostream>

#include <CLI/CLI.hpp>
#include <SQLiteCpp/Exception.h>

#include "app/cli_context.h"
#include "app/doctor_command.h"
#include "app/prune_command.h"
#include "app/serve_command.h"
#include "app/version.h"
#include "store/migrator.h"

using namespace fluxstatus::app;

int main(int argc, char** argv) {
  CLI::App cli{"fluxstatus: Flux events in, Git commit statuses out, none lost.", "fluxstatus"};
  cli.require_subcommand(1);
  std::string config_path = kDefaultConfigPath;
  std::string db_path;
  cli.add_option("--config", config_path, "configuration file (default ./fluxstatus.yaml if present)");
  cli.add_option("--db", db_path, "SQLite database (default: the config's `database`, ./fluxstatus.db)");

  ServeOptions serve_opts;
  auto* serve = cli.add_subcommand("serve", "run the service: ingest, fold and dispatch until SIGTERM");
  serve->add_option("--listen", serve_opts.listen, "address:port to listen on (overrides the config)");
  serve->add_option("--log-level", serve_opts.log_level, "debug, info, warn or error")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}));

  IngestOptions ingest_opts;
  auto* ingest = cli.add_subcommand("ingest", "append events from files (JSON Lines, a JSON array, or pretty-printed documents; - is stdin)");
  ingest->add_option("--route", ingest_opts.route, "route to file the events under");
  ingest->add_option("files", ingest_opts.files, "files to import, or -")->required();

  StatusOptions status_opts;
  auto* status = cli.add_subcommand("status", "the current folded status per context, with its sync state");
  status->add_option("--route", status_opts.route, "only this route");
  status->add_option("--commit", status_opts.commit, "only commits starting with this SHA prefix");
  status->add_flag("--json", status_opts.json, "print JSON");

  ReplayOptions replay_opts;
  auto* replay = cli.add_subcommand("replay", "re-fold the affected keys from the log and re-sync them to the Git host");
  replay->add_option("--since", replay_opts.since, "window start: a duration ago (2h) or RFC 3339")->required();
  replay->add_option("--until", replay_opts.until, "window end (default: now)");
  replay->add_option("--route", replay_opts.route, "only this route");
  replay->add_option("--commit", replay_opts.commit, "only this commit (SHA or prefix)");
  replay->add_flag("--dry-run", replay_opts.dry_run, "print the plan, change nothing");

  bool rebuild_check = false;
  auto* rebuild = cli.add_subcommand("rebuild", "recompute the derived tables from the event log");
  rebuild->add_flag("--check", rebuild_check, "only verify (exit 1 and a diff if they differ)");

  PruneOptions prune_opts;
  auto* prune = cli.add_subcommand("prune", "delete old events, history and attempts; current statuses stay");
  prune->add_option("--before", prune_opts.before, "cutoff: a duration ago (90d) or RFC 3339")->required();
  prune->add_flag("--dry-run", prune_opts.dry_run, "only count what would be deleted");
  prune->add_flag("--vacuum", prune_opts.vacuum, "afterwards, shrink the file (needs the database to itself)");

  SqlOptions sql_opts;
  auto* sql = cli.add_subcommand("sql", "run a read-only query against the database");
  sql->add_option("query", sql_opts.query, "the SQL query")->required();
  sql->add_flag("--json", sql_opts.json, "print JSON");
  sql->add_flag("--csv", sql_opts.csv, "print CSV");

  bool migrate_check = false;
  auto* migrate = cli.add_subcommand("migrate", "apply pending schema migrations");
  migrate->add_flag("--check", migrate_check, "only report pending migrations (exit 1 if any)");

  auto* check_config = cli.add_subcommand("check-config", "validate the configuration file");
  DoctorOptions doctor_opts;
  auto* doctor = cli.add_subcommand("doctor", "check each route's config, secrets and Git host access, in plain words");
  doctor->add_option("--route", doctor_opts.route, "only this route");
  auto* version = cli.add_subcommand("version", "print the version, commit, build date and schema version");

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli.exit(e);
  }
  if (version->parsed()) {
    std::cout << VersionText();
    return 0;
  }
  try {
    const bool named = cli.get_option("--config")->count() > 0;
    CliContext ctx{LoadConfig(config_path, named), db_path};
    if (ctx.db_path.empty()) ctx.db_path = ctx.config.database;
    db_path = ctx.db_path;  // so database errors below name the file even without --db
    if (serve->parsed()) return RunServe(ctx, serve_opts);
    if (ingest->parsed()) return RunIngest(ctx, ingest_opts);
    if (status->parsed()) return RunStatus(ctx, status_opts);
    if (rebuild->parsed()) return RunRebuild(ctx, rebuild_check);
    if (prune->parsed()) return RunPrune(ctx, prune_opts);
    if (replay->parsed()) return RunReplayCommand(ctx, replay_opts);
    if (sql->parsed()) return RunSql(ctx, sql_opts);
    if (migrate->parsed()) return RunMigrate(ctx, migrate_check);
    if (check_config->parsed()) return RunCheckConfig(ctx);
    if (doctor->parsed()) return RunDoctor(ctx, doctor_opts);
  } catch (const ConfigError& e) {
    std::cerr << "fluxstatus: configuration error: " << e.what() << "\n";
    return 2;
  } catch (const fluxstatus::store::SchemaTooNew& e) {
    std::cerr << "fluxstatus: " << e.what() << "\n";
    return 1;
  } catch (const SQLite::Exception& e) {
    std::cerr << "fluxstatus: database " << (db_path.empty() ? "" : db_path + " ") << "error: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "fluxstatus: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
