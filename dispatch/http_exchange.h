// Plain HTTP values passed between the providers (which build and read them) and the
// transport (which sends them). No I/O here; the transport owns sockets, TLS and User-Agent.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fluxstatus::dispatch {

// One request to a Git host, fully formed: the transport sends it as is (adding only
// User-Agent, Content-Length and what TLS needs). Headers keep their order and spelling.
// The Authorization/PRIVATE-TOKEN header carries a secret: never log `headers` unredacted.
struct HttpCall {
  std::string method;  // "GET", "POST"
  std::string url;     // absolute, already percent-encoded
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // empty for GET
};

// A POST of a JSON `body` to `url`: `headers` (authentication, Accept) followed by
// "Content-Type: application/json", the create call every provider makes.
HttpCall JsonPost(std::string url, std::vector<std::pair<std::string, std::string>> headers, std::string body);
// The same with another method (GitLab's PUT updates).
HttpCall JsonCall(std::string method, std::string url, std::vector<std::pair<std::string, std::string>> headers,
                  std::string body);

// One answer from a Git host. The transport lower-cases header names (values untouched)
// so providers can look them up without caring how the host spelled them.
struct HttpReply {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;

  // The first header named `lower` (which must be lower case), or nullptr. The pointer is
  // valid while this reply is alive and unchanged.
  const std::string* Header(std::string_view lower) const;
};

}  // namespace fluxstatus::dispatch
