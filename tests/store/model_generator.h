// The random inputs of the store's model test: Flux events over a few commits and objects
// (with out-of-order times, repeats of the same status, trace events and events that name no
// commit), dispatch results, and replay windows. Each comes with what the model needs to know
// about it, written down here by hand rather than derived by product code.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "tests/store/store_model.h"

namespace fluxstatus::store::model {

class Generator {
 public:
  explicit Generator(std::uint64_t seed) : rng_(seed) {}

  // A number in [0, n).
  std::uint64_t Below(std::uint64_t n) { return rng_() % n; }
  bool OneIn(std::uint64_t n) { return Below(n) == 0; }

  // A new event on the route, received at received_at_ms.
  SentEvent Event(const std::string& route, std::int64_t received_at_ms);
  // A dispatch result for one of the model's keys on a route with a provider (now and then
  // for an older state of the key, or for a key that does not exist).
  Delivery DeliveryFor(const StoreModel& model, std::int64_t now_ms);
  // A replay window somewhere between the oldest logged event and now.
  Window WindowFor(const StoreModel& model, std::int64_t now_ms);
  // A prune cutoff somewhere between the oldest logged event and now.
  std::int64_t CutoffFor(const StoreModel& model, std::int64_t now_ms);

  // The commits events name (lower-case hex).
  static const std::vector<std::string>& Commits();

 private:
  std::int64_t OldestReceived(const StoreModel& model, std::int64_t now_ms) const;
  std::optional<std::int64_t> SomeReceivedAt(const StoreModel& model);

  std::mt19937_64 rng_;
  std::int64_t sequence_ = 0;
};

}  // namespace fluxstatus::store::model
