// fluxstatus: the CLI and the service. Wiring only: parses arguments, loads the config and
// hands over to one verb.
#include <filesystem>
#include <iostream>

#include <SQLiteCpp/Exception.h>
#include <CLI/CLI.hpp>

#include "app/cli_context.h"
#include "app/doctor_command.h"
#include "app/prune_command.h"
#include "app/serve_command.h"
#include "app/verb_suggestion.h"
#include "app/version.h"
#include "store/migrator.h"

using namespace fluxstatus::app;

namespace {

// The root's usage line without the hidden positional that catches unknown verbs (CLI11 would
// print it as "[]"); the verbs' own usage lines stay CLI11's.
class UsageFormatter : public CLI::Formatter {
 public:
  std::string make_usage(const CLI::App* app, std::string name) const override {
    if (app->get_parent() != nullptr) return CLI::Formatter::make_usage(app, std::move(name));
    return "Usage: " + name + " [--config FILE] [--db PATH] VERB [OPTIONS]\n";
  }
};

// What CLI11 fills in: the global options and every verb's.
struct Arguments {
  std::string config_path = kDefaultConfigPath;
  std::string db_path;
  std::string stray;      // a positional no verb took: an unknown verb, or one argument too many
  std::string help_verb;  // `help VERB`
  ServeOptions serve;
  IngestOptions ingest;
  StatusOptions status;
  ReplayOptions replay;
  ResyncOptions resync;
  bool rebuild_check = false;
  PruneOptions prune;
  SqlOptions sql;
  bool migrate_check = false;
  DoctorOptions doctor;
};

// --config and --db go before or after the verb: every verb lets what it does not know fall
// through to these. The environment fills them when the command line does not (a container
// image sets FLUXSTATUS_CONFIG once instead of in every `kubectl exec`).
void AddGlobalOptions(CLI::App& cli, Arguments& a) {
  // Before the verbs are added: they inherit both.
  cli.fallthrough();
  auto formatter = std::make_shared<UsageFormatter>();
  formatter->label("Subcommands", "Verbs");
  cli.formatter(formatter);
  cli.add_option("--config", a.config_path, "configuration file (default ./fluxstatus.yaml if present)")
      ->envname("FLUXSTATUS_CONFIG");
  cli.add_option("--db", a.db_path, "SQLite database (default: the config's `database`, ./fluxstatus.db)")
      ->envname("FLUXSTATUS_DB");
  // Hidden (no group): takes a first word that names no verb, to answer it with a suggestion.
  cli.add_option("verb", a.stray)->group("");
  std::string version = VersionText();
  if (!version.empty() && version.back() == '\n') version.pop_back();  // CLI11 adds its own
  cli.set_version_flag("--version", version, "print the version, commit, build date and schema version");
  cli.footer("--config and --db go before or after the verb. `fluxstatus help VERB` shows a verb's options.");
}

void AddServiceVerbs(CLI::App& cli, Arguments& a) {
  auto* serve = cli.add_subcommand("serve", "run the service: ingest, fold and dispatch until SIGTERM");
  serve->add_option("--listen", a.serve.listen, "address:port to listen on (overrides the config)");
  serve->add_option("--log-level", a.serve.log_level, "debug, info, warn or error")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}));

  auto* ingest = cli.add_subcommand(
      "ingest", "append events from files (JSON Lines, a JSON array, or pretty-printed documents; - is stdin)");
  ingest->add_option("--route", a.ingest.route,
                     "route to file the events under (default: the only configured route, or `default`)");
  ingest->add_option("files", a.ingest.files, "files to import, or -")->required();

  auto* status = cli.add_subcommand("status", "the current folded status per context, with its sync state");
  status->add_option("--route", a.status.route, "only this route");
  status->add_option("--commit", a.status.commit, "only commits starting with this SHA prefix");
  auto* state = status->add_option("--state", a.status.state, "only this state: pending, success, failure or error")
                    ->check(CLI::IsMember({"pending", "success", "failure", "error"}));
  status->add_option("--since", a.status.since,
                     "only statuses whose event is this recent: a duration ago (2h) or RFC 3339");
  auto* limit =
      status->add_option("--limit", a.status.limit, "at most N statuses, the newest first")->check(CLI::PositiveNumber);
  auto* json = status->add_flag("--json", a.status.json, "print JSON");
  auto* wait = status->add_flag("--wait", a.status.wait,
                                "wait until every matching status is success and synced or skipped (exit 0), "
                                "one fails (exit 1), or --timeout passes (exit 2)");
  wait->excludes(state)->excludes(limit)->excludes(json);
  status->add_option("--timeout", a.status.timeout, "how long --wait waits (default 5m)")->needs(wait);

  auto* replay =
      cli.add_subcommand("replay", "re-fold the affected keys from the log and re-sync them to the Git host");
  replay->add_option("--since", a.replay.since, "window start: a duration ago (2h) or RFC 3339")->required();
  replay->add_option("--until", a.replay.until, "window end (default: now)");
  replay->add_option("--route", a.replay.route, "only this route");
  replay->add_option("--commit", a.replay.commit, "only this commit (SHA or prefix)");
  replay->add_flag("--dry-run", a.replay.dry_run, "print the plan, change nothing");
  auto* resync = cli.add_subcommand(
      "resync", "read the cluster's Flux objects and append the statuses they show that the log lacks");
  resync->add_flag("--dry-run", a.resync.dry_run, "print what would be appended, append nothing");
  resync->add_option("--kubeconfig", a.resync.kubeconfig,
                     "kubeconfig file (default: kubernetes.kubeconfig, in a pod its service account, else "
                     "$KUBECONFIG or ~/.kube/config)");
  resync->add_option("--context", a.resync.context, "kubeconfig context (default: its current-context)");
}

void AddAdminVerbs(CLI::App& cli, Arguments& a) {
  auto* rebuild = cli.add_subcommand("rebuild", "recompute the derived tables from the event log");
  rebuild->add_flag("--check", a.rebuild_check, "only verify (exit 1 and a diff if they differ)");

  auto* prune = cli.add_subcommand("prune", "delete old events, history and attempts; current statuses stay");
  prune->add_option("--before", a.prune.before, "cutoff: a duration ago (90d) or RFC 3339")->required();
  prune->add_flag("--dry-run", a.prune.dry_run, "only count what would be deleted");
  prune->add_flag("--vacuum", a.prune.vacuum, "afterwards, shrink the file (needs the database to itself)");

  auto* sql = cli.add_subcommand("sql", "run a read-only query against the database");
  sql->add_option("query", a.sql.query, "the SQL query")->required();
  sql->add_flag("--json", a.sql.json, "print JSON");
  sql->add_flag("--csv", a.sql.csv, "print CSV");

  auto* migrate = cli.add_subcommand("migrate", "apply pending schema migrations");
  migrate->add_flag("--check", a.migrate_check, "only report pending migrations (exit 1 if any)");

  cli.add_subcommand("check-config", "validate the configuration as serve would, secrets and listen address included");
  auto* doctor = cli.add_subcommand("doctor", "check each route's config, secrets and Git host access, in plain words");
  doctor->add_option("--route", a.doctor.route, "only this route");
  cli.add_subcommand("version", "print the version, commit, build date and schema version");
  auto* help = cli.add_subcommand("help", "print this usage, or a verb's options (help VERB)");
  help->add_option("verb", a.help_verb, "the verb");
}

std::vector<std::string> VerbNames(CLI::App& cli) {
  std::vector<std::string> names;
  for (const auto* sub : cli.get_subcommands([](CLI::App*) { return true; })) names.push_back(sub->get_name());
  return names;
}

int UnknownVerb(CLI::App& cli, const std::string& typed) {
  std::cerr << "fluxstatus: unknown command '" << typed << "'";
  if (const auto nearest = NearestVerb(typed, VerbNames(cli))) std::cerr << "; did you mean '" << *nearest << "'?";
  std::cerr << "\nRun `fluxstatus help` for the list of commands.\n";
  return 2;
}

int PrintHelp(CLI::App& cli, const std::string& verb) {
  if (verb.empty()) {
    // Not cli.help(): once `help` is parsed, CLI11 would print the help of `help` itself.
    std::cout << cli.get_formatter()->make_help(&cli, cli.get_name(), CLI::AppFormatMode::Normal);
    return 0;
  }
  for (auto* sub : cli.get_subcommands([](CLI::App*) { return true; })) {
    if (sub->get_name() == verb) {
      std::cout << sub->help(cli.get_name());
      return 0;
    }
  }
  return UnknownVerb(cli, verb);
}

int RunVerb(const std::string& verb, const Arguments& a, const CliContext& ctx) {
  if (verb == "serve") return RunServe(ctx, a.serve);
  if (verb == "ingest") return RunIngest(ctx, a.ingest);
  if (verb == "status") return RunStatus(ctx, a.status);
  if (verb == "rebuild") return RunRebuild(ctx, a.rebuild_check);
  if (verb == "prune") return RunPrune(ctx, a.prune);
  if (verb == "replay") return RunReplayCommand(ctx, a.replay);
  if (verb == "resync") return RunResync(ctx, a.resync);
  if (verb == "sql") return RunSql(ctx, a.sql);
  if (verb == "migrate") return RunMigrate(ctx, a.migrate_check);
  if (verb == "check-config") return RunCheckConfig(ctx);
  if (verb == "doctor") return RunDoctor(ctx, a.doctor);
  throw std::logic_error("verb without a handler: " + verb);
}

// Loads the config, picks the database and runs the verb, turning every error into a message
// and an exit code.
int RunWithConfig(CLI::App& cli, const std::string& verb, const Arguments& a) {
  std::string db_path = a.db_path;  // so database errors name the file even without --db
  try {
    const bool named = cli.get_option("--config")->count() > 0;  // on the command line or in the environment
    CliContext ctx{LoadConfig(a.config_path, named), a.db_path};
    if (ctx.db_path.empty()) ctx.db_path = ctx.config.database;
    db_path = ctx.db_path;
    return RunVerb(verb, a, ctx);
  } catch (const ConfigError& e) {
    std::cerr << "fluxstatus: configuration error: " << e.what() << "\n";
    return 2;
  } catch (const fluxstatus::store::SchemaTooNew& e) {
    std::cerr << "fluxstatus: " << e.what() << "\n";
    return 1;
  } catch (const SQLite::Exception& e) {
    const std::string file = db_path.empty() ? "" : std::filesystem::absolute(db_path).string() + " ";
    std::cerr << "fluxstatus: database " << file << "error: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "fluxstatus: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"fluxstatus: Flux events in, Git commit statuses out, none lost.", "fluxstatus"};
  cli.require_subcommand(0, 1);
  Arguments a;
  AddGlobalOptions(cli, a);
  AddServiceVerbs(cli, a);
  AddAdminVerbs(cli, a);
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli.exit(e) == 0 ? 0 : 2;  // --help and --version are not errors; every usage error is 2
  }
  const auto verbs = cli.get_subcommands();
  if (verbs.empty()) {
    if (!a.stray.empty()) return UnknownVerb(cli, a.stray);
    std::cout << cli.help();  // a bare `fluxstatus`: the usage, and 2 since nothing was done
    return 2;
  }
  const std::string verb = verbs.front()->get_name();
  if (!a.stray.empty()) {
    std::cerr << "fluxstatus " << verb << ": unexpected argument '" << a.stray << "'\nRun `fluxstatus help " << verb
              << "` for its options.\n";
    return 2;
  }
  if (verb == "help") return PrintHelp(cli, a.help_verb);
  if (verb == "version") {
    std::cout << VersionText();
    return 0;
  }
  return RunWithConfig(cli, verb, a);
}
