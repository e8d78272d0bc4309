// Fuzz target: fluxstatus.yaml text through ParseConfig (yaml-cpp and our checks). Any input
// gives a Config or a ConfigError naming the file; any other exception escaping would reach
// the user as an unexplained failure, so it aborts here (libFuzzer reports it as a crash).
#include <cstddef>
#include <cstdint>
#include <string>

#include "app/config.h"
#include "fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const fluxstatus::app::Config config = fluxstatus::app::ParseConfig(text, "fuzz.yaml");
    (void)config.Catalog();
  } catch (const fluxstatus::app::ConfigError& e) {
    FUZZ_CHECK(std::string(e.what()).starts_with("fuzz.yaml"));
  }
  return 0;
}
