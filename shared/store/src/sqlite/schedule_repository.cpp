#include "common/schedule_repository.h"

#include "sqlite/sqlite_store.h"
#include "sqlite/statement.h"

namespace ems::store::sqlite {

std::unique_ptr<ScheduleRepository> MakeScheduleRepository(SQLite::Database& db) {
  return std::make_unique<ScheduleRepositoryOn<Statement>>(db);
}

}  // namespace ems::store::sqlite
