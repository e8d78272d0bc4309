#include "dispatch/http_exchange.h"

namespace fluxstatus::dispatch {

HttpCall JsonPost(std::string url, std::vector<std::pair<std::string, std::string>> headers, std::string body) {
  return JsonCall("POST", std::move(url), std::move(headers), std::move(body));
}

HttpCall JsonCall(std::string method, std::string url, std::vector<std::pair<std::string, std::string>> headers,
                  std::string body) {
  headers.emplace_back("Content-Type", "application/json");
  return HttpCall{std::move(method), std::move(url), std::move(headers), std::move(body)};
}

const std::string* HttpReply::Header(std::string_view lower) const {
  for (const auto& [name, value] : headers) {
    if (name == lower) return &value;
  }
  return nullptr;
}

}  // namespace fluxstatus::dispatch
