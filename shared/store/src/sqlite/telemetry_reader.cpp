#include "common/telemetry_reader.h"

#include "sqlite/sqlite_store.h"
#include "sqlite/statement.h"
#include "sqlite/telemetry_sql.h"

namespace ems::store::sqlite {

std::unique_ptr<TelemetryReader> MakeTelemetryReader(SQLite::Database& db) {
  return std::make_unique<TelemetryReaderOn<Statement, telemetry_sql::ReaderSql>>(db);
}

}  // namespace ems::store::sqlite
