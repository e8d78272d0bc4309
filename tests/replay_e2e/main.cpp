// The replay_e2e_tests module: Boost.Test's main, and libcurl's process-wide set-up, which
// must happen before any thread starts (the fake host's I/O threads included); quiet logs.
#define BOOST_TEST_MODULE replay_e2e_tests
#include <spdlog/spdlog.h>

#include <boost/test/unit_test.hpp>

#include "dispatch/http_transport.h"

namespace {

struct CurlGlobal {
  CurlGlobal() {
    fluxstatus::dispatch::InitCurlGlobal();
    spdlog::set_level(spdlog::level::warn);
  }
};

}  // namespace

BOOST_TEST_GLOBAL_FIXTURE(CurlGlobal);
