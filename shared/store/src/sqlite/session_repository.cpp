#include "common/session_repository.h"

#include "sqlite/sqlite_store.h"
#include "sqlite/statement.h"

namespace ems::store::sqlite {

std::unique_ptr<SessionRepository> MakeSessionRepository(SQLite::Database& db) {
  return std::make_unique<SessionRepositoryOn<Statement>>(db);
}

}  // namespace ems::store::sqlite
