#include "ems/store/site_repository.h"

namespace ems::store {

SiteRepository::SiteRepository(SQLite::Database& db)
    : db_(db),
      ensure_(db,
              "INSERT INTO sites (id, name, timezone, created_at) VALUES (?1, ?1, 'UTC', ?2) "
              "ON CONFLICT(id) DO NOTHING") {}

void SiteRepository::Ensure(const std::string& id, Timestamp now) {
  ensure_.reset();
  ensure_.bind(1, id);
  ensure_.bind(2, static_cast<int64_t>(ToMillis(now)));
  ensure_.exec();
}

std::optional<Site> SiteRepository::Get(const std::string& id) {
  SQLite::Statement q(db_, "SELECT id, name, timezone FROM sites WHERE id = ?");
  q.bind(1, id);
  if (!q.executeStep()) return std::nullopt;
  return Site{q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getString()};
}

}  // namespace ems::store
