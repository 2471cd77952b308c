// ems-ocpp as a process (docs/contract.md §4.5, docs/ocpp.md): its settings, the broker connection
// that carries what chargers say to the listener and brings the EV schedules back, and the event
// loop of the CentralSystem.
#pragma once

#include <atomic>
#include <vector>

#include "ems/config/settings.h"

namespace ems::ocpp {

std::vector<config::Option> OcppOptions();

// Validates the settings (throws config::ConfigError naming the variable), then serves until
// `stop` turns true.
void RunOcpp(const config::Settings& settings, const std::atomic<bool>& stop);

}  // namespace ems::ocpp
