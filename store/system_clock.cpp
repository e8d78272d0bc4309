#include "store/system_clock.h"

namespace fluxstatus::store {
namespace {

class OsClock final : public core::Clock {
 public:
  std::int64_t NowMs() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  std::chrono::steady_clock::time_point Steady() const override { return std::chrono::steady_clock::now(); }
};

}  // namespace

const core::Clock& SystemClock() {
  static const OsClock clock;
  return clock;
}

}  // namespace fluxstatus::store
