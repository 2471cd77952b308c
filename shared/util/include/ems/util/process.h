// The edge of every ems executable: settings and --help, logging, SIGTERM/SIGINT, and the one
// place where exceptions become a clear last line and a non-zero exit code.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "ems/config/settings.h"

namespace ems {

// Parses settings (flags, environment, .env), prints --help or the settings (secrets masked),
// then runs `body` until it returns. `stop` turns true on SIGTERM or SIGINT.
// Exit codes: 0 after a clean stop, 2 for invalid configuration, 1 for any other failure.
int RunService(
    const std::string& service, std::vector<config::Option> options, int argc, char** argv,
    const std::function<void(const config::Settings&, const std::atomic<bool>& stop)>& body);

}  // namespace ems
