#include "common/session_repository.h"

#include "postgres/pg_store.h"
#include "postgres/statement.h"

namespace ems::store::postgres {

std::unique_ptr<SessionRepository> MakeSessionRepository(Connection& db) {
  return std::make_unique<SessionRepositoryOn<Statement>>(db);
}

}  // namespace ems::store::postgres
