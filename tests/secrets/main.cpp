// secrets_tests: the real binary, driven through every path that logs or stores (ingest
// accepted and refused, dispatch delivered, refused and unreachable, the CLI verbs, errors),
// with --log-level debug; no token, HMAC key or Authorization value may reach its output or
// the database. Also: loose permissions on secret files are warned about.
#define BOOST_TEST_MODULE secrets_tests
#include <boost/test/unit_test.hpp>

#include <curl/curl.h>

namespace {

// curl_global_init is not thread-safe: once, before any client thread exists.
struct CurlGlobal {
  CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
  ~CurlGlobal() { curl_global_cleanup(); }
};

}  // namespace

BOOST_TEST_GLOBAL_FIXTURE(CurlGlobal);
