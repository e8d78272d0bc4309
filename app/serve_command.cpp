#include "app/serve_command.h"

#include <iostream>

namespace fluxstatus::app {

int RunServe(const CliContext&, const ServeOptions&) {
  std::cerr << "fluxstatus serve: the HTTP service is not built yet\n";
  return 1;
}

}  // namespace fluxstatus::app
