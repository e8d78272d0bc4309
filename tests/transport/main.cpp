// The transport_tests module: Boost.Test's main, and libcurl's process-wide set-up, which must
// happen before any thread starts (the fake host's I/O threads included).
#define BOOST_TEST_MODULE transport_tests
#include <boost/test/unit_test.hpp>

#include "dispatch/http_transport.h"

namespace {

struct CurlGlobal {
  CurlGlobal() { fluxstatus::dispatch::InitCurlGlobal(); }
};

}  // namespace

BOOST_TEST_GLOBAL_FIXTURE(CurlGlobal);
