// One seeded run of the store's model test: the store on a real SQLite file, the reference
// model beside it, one random operation per step, then the store read back and compared.
// The service's connection (serve) appends and records dispatch results; every CLI verb
// (replay, prune, rebuild) opens its own connection, as its own process would.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <SQLiteCpp/Database.h>

#include "core/route_catalog.h"
#include "store/commit_refold.h"
#include "store/event_store.h"
#include "tests/store/model_generator.h"
#include "tests/store/store_model.h"
#include "tests/support/temp_dir.h"

namespace fluxstatus::store::model {

class ModelRun {
 public:
  ModelRun(std::uint64_t seed, int steps);

  // Runs every step; on the first difference (or exception) fails the Boost test with the
  // seed, the step, the operation, the key and expected vs actual.
  void Run();
  std::string Summary() const;

  const StoreModel& model() const { return model_; }
  SQLite::Database& serve_db() { return *serve_db_; }
  SQLite::Database& reader() { return *reader_; }

 private:
  // The operations: each sets op_ (what it does, for a failure message) and checks what the
  // store answered.
  void Step();
  void AppendNew();
  void Resend();
  void AppendBatch();
  void Deliver();
  void RefoldCommit();
  void Replay();
  void PruneBefore();
  void Rebuild();
  void CheckRebuild();

  // Appends one event (or a group commit) in the store and the model; checks each answer.
  void AppendEvents(const std::vector<SentEvent>& events, const std::vector<Delivery>& deliveries, bool with_rejection);
  void CheckAppend(const SentEvent& e, const AppendResult& got, const AppendExpect& want);
  void CheckRefold(const std::string& route, const std::string& commit, const CommitRefold& got);
  void Compare(bool everything);
  std::unique_ptr<SQLite::Database> CliConnection();
  void Expect(bool ok, const std::string& what);
  [[noreturn]] void Fail(const std::string& what);

  std::uint64_t seed_;
  int steps_;
  int step_ = 0;
  std::string op_;
  bool compare_all_ = false;        // the step was a re-fold, replay, prune or rebuild: compare every table
  std::deque<std::string> recent_;  // the last few operations, for the failure message
  std::map<std::string, int> counts_;

  fluxstatus::testing::TempDir dir_;
  std::string db_path_;
  core::RouteCatalog routes_;
  std::unique_ptr<SQLite::Database> serve_db_;
  std::unique_ptr<EventStore> serve_;
  std::unique_ptr<SQLite::Database> reader_;
  StoreModel model_;
  Generator gen_;
  std::int64_t now_ms_;
  std::vector<SentEvent> sent_;  // every event sent so far, for resends
};

}  // namespace fluxstatus::store::model
