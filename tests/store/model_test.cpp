// A model-based randomized test of the store: seeded random sequences of what the store goes
// through in service (appends with byte-identical resends, out-of-order event times and events
// that name no commit, in single transactions and in group commits; dispatch results, also for
// states a key no longer wants; replay re-folds and windows; prune; rebuild), each through the
// store's public API on a real SQLite file, and after each step the store read back and held
// against the reference model (store_model.h). `rebuild --check` runs every few dozen steps and
// at the end. MODEL_SEED=N replays one seed, MODEL_STEPS=N sets the steps per seed.
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <SQLiteCpp/Statement.h>

#include "tests/store/model_compare.h"
#include "tests/store/model_run.h"

using namespace fluxstatus::store;
using namespace fluxstatus::store::model;

namespace {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr int kDefaultSteps = 500;  // ASan+UBSan (Debug) runs ~4x slower: ~30 s for all seeds
#else
constexpr int kDefaultSteps = 1000;
#endif
// Fixed seeds keep CI's runs comparable; one fresh seed per run widens the search over time.
constexpr std::uint64_t kFixedSeeds[] = {20261128, 7, 424242};

std::optional<std::uint64_t> EnvNumber(const char* name) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return std::nullopt;
  char* end = nullptr;
  const unsigned long long n = std::strtoull(text, &end, 10);
  if (*end != '\0') throw std::runtime_error(std::string(name) + " is not a number: " + text);
  return n;
}

std::vector<std::uint64_t> Seeds() {
  if (auto seed = EnvNumber("MODEL_SEED")) return {*seed};
  std::vector<std::uint64_t> seeds(std::begin(kFixedSeeds), std::end(kFixedSeeds));
  seeds.push_back(std::random_device{}() % 1000000000);
  return seeds;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(StoreModelTest)

BOOST_AUTO_TEST_CASE(random_operations_leave_the_store_as_the_reference_model_says) {
  const int steps = static_cast<int>(EnvNumber("MODEL_STEPS").value_or(kDefaultSteps));
  for (const std::uint64_t seed : Seeds()) {
    std::cout << "store model test: seed " << seed << ", " << steps << " steps (replay with MODEL_SEED=" << seed
              << " MODEL_STEPS=" << steps << ")" << std::endl;
    const auto started = std::chrono::steady_clock::now();
    ModelRun run(seed, steps);
    run.Run();
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
    std::cout << "  " << run.Summary() << " in " << ms << " ms" << std::endl;
  }
}

// The comparison itself must see a difference, name its key and column, and say expected vs
// actual: a model test whose comparison cannot fail would pass whatever the store does.
BOOST_AUTO_TEST_CASE(a_store_that_differs_from_the_model_is_reported_by_key_and_column) {
  ModelRun run(1, 60);
  run.Run();
  BOOST_TEST_REQUIRE(!run.model().keys().empty());
  const Key key = run.model().keys().begin()->first;
  SQLite::Database& db = run.serve_db();
  SQLite::Statement tamper(db,
                           "UPDATE commit_statuses SET attempts = attempts + 7 WHERE route = ? AND repo = ?"
                           " AND commit_sha = ? AND context = ?");
  tamper.bind(1, key.route);
  tamper.bind(2, key.repo);
  tamper.bind(3, key.commit);
  tamper.bind(4, key.context);
  BOOST_TEST_REQUIRE(tamper.exec() == 1);
  const std::string diff = DiffCurrentStatus(run.reader(), run.model());
  BOOST_TEST(diff.find(key.Text()) != std::string::npos, diff);
  BOOST_TEST(diff.find("attempts: expected") != std::string::npos, diff);
}

BOOST_AUTO_TEST_SUITE_END()
