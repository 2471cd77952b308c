// OpenStore: the backend a target names (docs/contract.md §9).
#include "ems/store/database.h"
#include "ems/store/store.h"
#include "postgres/pg_store.h"
#include "sqlite/sqlite_store.h"

namespace ems::store {

bool IsPostgresUrl(std::string_view target) {
  return target.starts_with("postgresql://") || target.starts_with("postgres://");
}

std::string DatabaseOf(const config::Settings& settings) {
  const std::string& url = settings.Get("EMS_DB_URL");
  if (url.empty()) return settings.Get("EMS_DB_PATH");
  if (!IsPostgresUrl(url)) {
    throw config::ConfigError("EMS_DB_URL",
                              "must be a postgresql:// URL (empty: SQLite at EMS_DB_PATH).");
  }
  return url;
}

std::unique_ptr<Store> OpenStore(const std::string& target, const StoreOptions& options) {
  if (IsPostgresUrl(target)) return std::make_unique<postgres::PgStore>(target);
  return std::make_unique<sqlite::SqliteStore>(target, options);
}

}  // namespace ems::store
