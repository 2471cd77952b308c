// Statement and Query: the one way the SQLite implementation runs SQL.
//
// A Statement is prepared once, when its repository is built, and reused for the life of the
// connection. Each use is a Query:
//
//   Statement get_(db, "SELECT name, last_seen FROM devices WHERE id = ?1 AND site_id = ?2");
//   auto q = get_.Run(device_id, site_id);  // binds ?1, ?2 in order
//   if (!q.Next()) return std::nullopt;
//   return Row{q.Get<std::string>(0), q.Get<std::optional<Timestamp>>(1)};
//
// Run binds every argument, in order, to ?1..?N, and refuses a count that differs from the
// statement's parameters (a programming error). Values take the store's types: strings, integers,
// double, bool (0/1), Timestamp (INTEGER ms since the Unix epoch), Date (TEXT YYYY-MM-DD), any
// domain enum with a ToString (its name as TEXT), JSON (TEXT: an object, or an array, which is
// how a statement takes a list, read with json_each), Blob, Visibility (the caller, NULL = every
// site, see VisibleSite) and std::optional of these (NULL when empty). Get
// reads the same types back; a value this build cannot read (an unknown enum name, an unreadable
// date, a JSON document that is not an object) throws CorruptRow: a stored row is never skipped
// nor guessed at.
//
// A Query resets its statement when it goes out of scope, also when an exception leaves
// mid-step, so a read never holds its snapshot longer than the call. SQLite errors leave Next and
// Exec as StorageFault when the storage failed (ems/store/store.h), as SQLite::Exception
// otherwise.
//
// Built on SQLite's C API directly (the connection comes from SQLiteCpp): reading a column is one
// sqlite3_column_* call, with no per-cell object, reference count or mutex (connections are opened
// SQLITE_OPEN_NOMUTEX: each Store is used by one thread at a time).
#pragma once

#include <SQLiteCpp/Database.h>
#include <sqlite3.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "common/sql.h"
#include "ems/domain/charging_schedule.h"
#include "ems/domain/contract.h"
#include "ems/domain/device.h"
#include "ems/domain/session.h"
#include "ems/domain/time.h"
#include "ems/domain/user.h"
#include "ems/store/store.h"
#include "ems/store/visibility.h"

namespace ems::store::sqlite {

// True for SQLite errors that are StorageFaults; false for those a statement's data causes
// (constraints, type mismatches, too big).
bool IsStorageFault(const SQLite::Exception& e);
// Runs `body`, turning a SQLite error that is a storage fault into StorageFault.
template <class F>
decltype(auto) Translated(F&& body) {
  try {
    return body();
  } catch (const SQLite::Exception& e) {
    if (IsStorageFault(e)) throw StorageFault(e.what());
    throw;
  }
}

// Throws the SQLite::Exception (or StorageFault) for result code `rc` of `stmt`.
[[noreturn]] void ThrowError(sqlite3_stmt* stmt, int rc);
[[noreturn]] void ThrowCorrupt(sqlite3_stmt* stmt, int column, std::string_view what);

namespace internal {

void Bind(sqlite3_stmt* s, int i, std::nullopt_t);
void Bind(sqlite3_stmt* s, int i, std::string_view v);
inline void Bind(sqlite3_stmt* s, int i, const std::string& v) { Bind(s, i, std::string_view(v)); }
inline void Bind(sqlite3_stmt* s, int i, const char* v) { Bind(s, i, std::string_view(v)); }
void Bind(sqlite3_stmt* s, int i, double v);
void Bind(sqlite3_stmt* s, int i, std::int64_t v);
inline void Bind(sqlite3_stmt* s, int i, Timestamp v) { Bind(s, i, std::int64_t{ToMillis(v)}); }
inline void Bind(sqlite3_stmt* s, int i, const Date& v) { Bind(s, i, FormatDate(v)); }
void Bind(sqlite3_stmt* s, int i, const Blob& v);
inline void Bind(sqlite3_stmt* s, int i, const nlohmann::json& v) { Bind(s, i, v.dump()); }
void Bind(sqlite3_stmt* s, int i, const Visibility& v);
template <class T>
requires(std::is_integral_v<T> && !std::is_same_v<T, std::int64_t>) void Bind(sqlite3_stmt* s,
                                                                              int i, T v) {
  Bind(s, i, static_cast<std::int64_t>(v));
}
template <class E>
requires std::is_enum_v<E>
void Bind(sqlite3_stmt* s, int i, E v) { Bind(s, i, ToString(v)); }
template <class T>
void Bind(sqlite3_stmt* s, int i, const std::optional<T>& v) {
  if (v) {
    Bind(s, i, *v);
  } else {
    Bind(s, i, std::nullopt);
  }
}

void CheckParameterCount(sqlite3_stmt* s, int count);

}  // namespace internal

class Query;

class Statement {
 public:
  // Prepares `sql` on `db`, which must outlive this. Throws SQLite::Exception for bad SQL.
  Statement(SQLite::Database& db, const std::string& sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  template <class... Args>
  Query Run(const Args&... args);

  // True inside a transaction (written once for both backends: common/contract_repository.h).
  static bool InTransaction(SQLite::Database& db) {
    return sqlite3_get_autocommit(db.getHandle()) == 0;
  }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

class Query {
 public:
  explicit Query(sqlite3_stmt* stmt) : stmt_(stmt) {}
  Query(Query&& other) noexcept : stmt_(other.stmt_) { other.stmt_ = nullptr; }
  Query& operator=(Query&&) = delete;
  ~Query() {
    if (stmt_ != nullptr) sqlite3_reset(stmt_);
  }

  // The next row; false after the last.
  bool Next() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    ThrowError(stmt_, rc);
  }
  // Runs a statement that returns no rows; the number of rows it changed.
  int Exec() {
    while (Next()) {
    }
    return sqlite3_changes(sqlite3_db_handle(stmt_));
  }

  bool IsNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  template <class T>
  T Get(int column) const;

 private:
  sqlite3_stmt* stmt_;
};

template <class... Args>
Query Statement::Run(const Args&... args) {
  internal::CheckParameterCount(stmt_, static_cast<int>(sizeof...(Args)));
  Query query(stmt_);
  int i = 0;
  (internal::Bind(stmt_, ++i, args), ...);
  return query;
}

namespace internal {

inline std::string_view Text(sqlite3_stmt* s, int c) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(s, c));
  return text == nullptr
             ? std::string_view()
             : std::string_view(text, static_cast<std::size_t>(sqlite3_column_bytes(s, c)));
}

template <class T>
struct ColumnReader;

template <>
struct ColumnReader<std::string> {
  static std::string Read(sqlite3_stmt* s, int c) { return std::string(Text(s, c)); }
};
template <>
struct ColumnReader<double> {
  static double Read(sqlite3_stmt* s, int c) { return sqlite3_column_double(s, c); }
};
template <>
struct ColumnReader<std::int64_t> {
  static std::int64_t Read(sqlite3_stmt* s, int c) { return sqlite3_column_int64(s, c); }
};
template <>
struct ColumnReader<int> {
  static int Read(sqlite3_stmt* s, int c) { return sqlite3_column_int(s, c); }
};
template <>
struct ColumnReader<bool> {
  static bool Read(sqlite3_stmt* s, int c) { return sqlite3_column_int(s, c) != 0; }
};
template <>
struct ColumnReader<Timestamp> {
  static Timestamp Read(sqlite3_stmt* s, int c) { return FromMillis(sqlite3_column_int64(s, c)); }
};
template <>
struct ColumnReader<Date> {
  static Date Read(sqlite3_stmt* s, int c) {
    const auto d = ParseDate(Text(s, c));
    if (!d) ThrowCorrupt(s, c, "a date");
    return *d;
  }
};
template <class T>
struct ColumnReader<std::optional<T>> {
  static std::optional<T> Read(sqlite3_stmt* s, int c) {
    if (sqlite3_column_type(s, c) == SQLITE_NULL) return std::nullopt;
    return ColumnReader<T>::Read(s, c);
  }
};

// A JSON object stored as text (device properties and state).
template <>
struct ColumnReader<nlohmann::json> {
  static nlohmann::json Read(sqlite3_stmt* s, int c);
};

// A domain enum read back from its name; `Parse` is the domain's parser of that name.
template <class E, auto Parse>
struct EnumReader {
  static E Read(sqlite3_stmt* s, int c) {
    const auto e = Parse(Text(s, c));
    if (!e) ThrowCorrupt(s, c, "a known name");
    return *e;
  }
};
template <>
struct ColumnReader<DeviceType> : EnumReader<DeviceType, ParseDeviceType> {};
template <>
struct ColumnReader<SessionStatus> : EnumReader<SessionStatus, ParseSessionStatus> {};
template <>
struct ColumnReader<EventStatus> : EnumReader<EventStatus, ParseEventStatus> {};
template <>
struct ColumnReader<ContractComponent> : EnumReader<ContractComponent, ParseContractComponent> {};
template <>
struct ColumnReader<ScheduleMode> : EnumReader<ScheduleMode, ParseScheduleMode> {};
template <>
struct ColumnReader<Role> : EnumReader<Role, ParseRole> {};

}  // namespace internal

template <class T>
T Query::Get(int column) const {
  return internal::ColumnReader<T>::Read(stmt_, column);
}

}  // namespace ems::store::sqlite
