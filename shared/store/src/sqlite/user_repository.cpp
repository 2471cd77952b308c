#include "common/user_repository.h"

#include "sqlite/sqlite_store.h"
#include "sqlite/statement.h"

namespace ems::store::sqlite {

std::unique_ptr<UserRepository> MakeUserRepository(SQLite::Database& db) {
  return std::make_unique<UserRepositoryOn<Statement>>(db);
}

}  // namespace ems::store::sqlite
