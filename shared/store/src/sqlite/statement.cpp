#include "sqlite/statement.h"

#include <sqlite3.h>

#include <stdexcept>

namespace ems::store::sqlite {

std::string VisibleSite(std::string_view site_column, int param) {
  const std::string p = std::to_string(param);
  std::string sql = "(?";
  sql.append(p).append(" IS NULL OR ").append(site_column);
  sql.append(" IN (SELECT site_id FROM user_sites WHERE username = ?").append(p).append("))");
  return sql;
}

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

void ThrowCorrupt(const SQLite::Statement& stmt, int column, std::string_view what) {
  throw CorruptRow("Stored column '" + std::string(stmt.getColumnName(column)) + "' holds '" +
                   stmt.getColumn(column).getString() + "', not " + std::string(what) + " (" +
                   stmt.getQuery() + ").");
}

namespace internal {

void Bind(SQLite::Statement& s, int i, std::nullopt_t) { s.bind(i); }
void Bind(SQLite::Statement& s, int i, std::string_view v) { s.bind(i, std::string(v)); }
void Bind(SQLite::Statement& s, int i, const std::string& v) { s.bind(i, v); }
void Bind(SQLite::Statement& s, int i, const char* v) { s.bind(i, v); }
void Bind(SQLite::Statement& s, int i, double v) { s.bind(i, v); }
void Bind(SQLite::Statement& s, int i, Timestamp v) { s.bind(i, ToMillis(v)); }
void Bind(SQLite::Statement& s, int i, const Date& v) { s.bind(i, FormatDate(v)); }
void Bind(SQLite::Statement& s, int i, const Blob& v) {
  s.bind(i, v.bytes.data(), static_cast<int>(v.bytes.size()));
}
void Bind(SQLite::Statement& s, int i, const nlohmann::json& v) { s.bind(i, v.dump()); }
void Bind(SQLite::Statement& s, int i, const Visibility& v) { Bind(s, i, v.username()); }

void CheckParameterCount(const SQLite::Statement& s, int count) {
  if (s.getBindParameterCount() != count) {
    throw std::logic_error("Statement takes " + std::to_string(s.getBindParameterCount()) +
                           " parameters, given " + std::to_string(count) + ": " + s.getQuery());
  }
}

nlohmann::json ColumnReader<nlohmann::json>::Read(const SQLite::Statement& s, int c) {
  auto doc = nlohmann::json::parse(s.getColumn(c).getString(), nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) ThrowCorrupt(s, c, "a JSON object");
  return doc;
}

}  // namespace internal
}  // namespace ems::store::sqlite
