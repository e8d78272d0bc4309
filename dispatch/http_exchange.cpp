#include "dispatch/http_exchange.h"

namespace fluxstatus::dispatch {

const std::string* HttpReply::Header(std::string_view lower) const {
  for (const auto& [name, value] : headers) {
    if (name == lower) return &value;
  }
  return nullptr;
}

}  // namespace fluxstatus::dispatch
