// service_tests: end-to-end tests of `fluxstatus serve` (issue "HTTP ingest with durable group
// commit"): the real HTTP server on 127.0.0.1, real libcurl clients, a real SQLite file.
#define BOOST_TEST_MODULE service_tests
#include <boost/test/unit_test.hpp>

#include <curl/curl.h>
#include <spdlog/spdlog.h>

namespace {

// curl_global_init is not thread-safe: once, before any client thread exists. The in-process
// service logs through spdlog's default logger: quiet here (the binary tests read its logs).
struct CurlGlobal {
  CurlGlobal() {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    spdlog::set_level(spdlog::level::off);
  }
  ~CurlGlobal() { curl_global_cleanup(); }
};

}  // namespace

BOOST_TEST_GLOBAL_FIXTURE(CurlGlobal);
