// Which database a process opens (docs/configuration.md, docs/contract.md §9): EMS_DB_URL when it
// is set — a postgresql:// URL selects the PostgreSQL backend — else the SQLite file EMS_DB_PATH.
#pragma once

#include <string>
#include <string_view>

#include "ems/config/settings.h"

namespace ems::store {

// True for postgresql:// and postgres:// URLs, which OpenStore opens on PostgreSQL.
bool IsPostgresUrl(std::string_view target);

// What OpenStore is given: EMS_DB_URL, else EMS_DB_PATH. Throws config::ConfigError naming
// EMS_DB_URL when it is set to anything but a PostgreSQL URL.
std::string DatabaseOf(const config::Settings& settings);

}  // namespace ems::store
