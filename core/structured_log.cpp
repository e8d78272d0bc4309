#include "core/structured_log.h"

#include "core/compact_json.h"
#include "core/rfc3339.h"

namespace fluxstatus::core {

std::string FormatLogLine(std::int64_t time_ms, std::string_view level, std::string_view msg, const LogFields& fields) {
  return CompactJson([&](cereal::JSONOutputArchive& ar) {
    ar(cereal::make_nvp("time", FormatRfc3339Millis(time_ms)), cereal::make_nvp("level", std::string(level)),
       cereal::make_nvp("msg", std::string(msg)));
    for (const auto& [name, value] : fields) {
      ar.setNextName(name.c_str());
      ar.writeName();
      std::visit([&](const auto& v) { ar.saveValue(v); }, value);
    }
  });
}

}  // namespace fluxstatus::core
