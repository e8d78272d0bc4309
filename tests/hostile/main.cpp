// The hostile_tests module: Boost.Test's main, and libcurl's process-wide set-up, which must
// happen before any client thread starts.
#define BOOST_TEST_MODULE hostile_tests
#include <boost/test/unit_test.hpp>

#include <curl/curl.h>

namespace {

struct CurlGlobal {
  CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
  ~CurlGlobal() { curl_global_cleanup(); }
};

}  // namespace

BOOST_TEST_GLOBAL_FIXTURE(CurlGlobal);
