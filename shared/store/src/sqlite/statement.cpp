#include "sqlite/statement.h"

#include <sqlite3.h>

#include <limits>
#include <stdexcept>

#include "ems/codec/json_fields.h"

namespace ems::store::sqlite {

bool IsStorageFault(const SQLite::Exception& e) {
  switch (e.getErrorCode() & 0xff) {
    case SQLITE_PERM:
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_NOMEM:
    case SQLITE_READONLY:
    case SQLITE_INTERRUPT:
    case SQLITE_IOERR:
    case SQLITE_CORRUPT:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_PROTOCOL:
    case SQLITE_NOTADB:
      return true;
    default:
      return false;
  }
}

void ThrowError(sqlite3_stmt* stmt, int rc) {
  Translated([&] { throw SQLite::Exception(sqlite3_db_handle(stmt), rc); });
  __builtin_unreachable();
}

void ThrowCorrupt(sqlite3_stmt* stmt, int column, std::string_view what) {
  throw CorruptRow("Stored column '" + std::string(sqlite3_column_name(stmt, column)) +
                   "' holds '" + std::string(internal::Text(stmt, column)) + "', not " +
                   std::string(what) + " (" + sqlite3_sql(stmt) + ").");
}

Statement::Statement(SQLite::Database& db, const std::string& sql) {
  // PERSISTENT: prepared once for the life of the connection (SQLite sizes its memory for that).
  const int rc = sqlite3_prepare_v3(db.getHandle(), sql.c_str(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
  if (rc != SQLITE_OK) throw SQLite::Exception(db.getHandle(), rc);
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

namespace internal {
namespace {

void Check(sqlite3_stmt* s, int rc) {
  if (rc != SQLITE_OK) ThrowError(s, rc);
}

}  // namespace

void Bind(sqlite3_stmt* s, int i, std::nullopt_t) { Check(s, sqlite3_bind_null(s, i)); }
void Bind(sqlite3_stmt* s, int i, std::string_view v) {
  Check(s, sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
}
void Bind(sqlite3_stmt* s, int i, double v) { Check(s, sqlite3_bind_double(s, i, v)); }
void Bind(sqlite3_stmt* s, int i, std::int64_t v) { Check(s, sqlite3_bind_int64(s, i, v)); }
void Bind(sqlite3_stmt* s, int i, const Blob& v) {
  Check(s, sqlite3_bind_blob(s, i, v.bytes.data(), static_cast<int>(v.bytes.size()),
                             SQLITE_TRANSIENT));
}

void Bind(sqlite3_stmt* s, int i, const Visibility& v) { Bind(s, i, v.username()); }

void CheckParameterCount(sqlite3_stmt* s, int count) {
  const int expected = sqlite3_bind_parameter_count(s);
  if (expected != count) {
    throw std::logic_error("Statement takes " + std::to_string(expected) + " parameters, given " +
                           std::to_string(count) + ": " + sqlite3_sql(s));
  }
}

nlohmann::json ColumnReader<nlohmann::json>::Read(sqlite3_stmt* s, int c) {
  // Written by us from a bounded payload, so it is within the nesting limit and any size.
  auto doc = codec::ParseObject(Text(s, c), std::numeric_limits<std::size_t>::max());
  if (!doc) ThrowCorrupt(s, c, "a JSON object");
  return std::move(*doc);
}

}  // namespace internal
}  // namespace ems::store::sqlite
