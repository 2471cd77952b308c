#include "common/user_repository.h"

#include "postgres/pg_store.h"
#include "postgres/statement.h"

namespace ems::store::postgres {

std::unique_ptr<UserRepository> MakeUserRepository(Connection& db) {
  return std::make_unique<UserRepositoryOn<Statement>>(db);
}

}  // namespace ems::store::postgres
