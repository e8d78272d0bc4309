// libcurl's process-wide set-up for the test suites. curl_global_init is not thread-safe, so
// the shared main (test_main.cpp) holds one CurlGlobal before any test case starts a thread
// (the fake Git host's, the in-process service's, a client's).
#pragma once

namespace fluxstatus::testing {

class CurlGlobal {
 public:
  CurlGlobal();   // throws std::runtime_error when libcurl cannot initialise
  ~CurlGlobal();  // curl_global_cleanup
  CurlGlobal(const CurlGlobal&) = delete;
  CurlGlobal& operator=(const CurlGlobal&) = delete;
};

}  // namespace fluxstatus::testing
