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
// domain enum with a ToString (its name as TEXT), a JSON object (TEXT), Blob, Visibility (the
// caller, NULL = every site, see VisibleSite) and std::optional of these (NULL when empty). Get
// reads the same types back; a value this build cannot read (an unknown enum name, an unreadable
// date, a JSON document that is not an object) throws CorruptRow: a stored row is never skipped
// nor guessed at.
//
// A Query resets its statement when it goes out of scope, also when an exception leaves
// mid-step, so a read never holds its snapshot longer than the call. SQLite errors leave Next and
// Exec as StorageFault when the storage failed (ems/store/store.h), as they are otherwise.
#pragma once

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "ems/domain/charging_schedule.h"
#include "ems/domain/contract.h"
#include "ems/domain/device.h"
#include "ems/domain/session.h"
#include "ems/domain/time.h"
#include "ems/domain/user.h"
#include "ems/store/store.h"
#include "ems/store/visibility.h"

namespace ems::store::sqlite {

// Bytes stored as a BLOB (kept as received, whatever their encoding).
struct Blob {
  std::string_view bytes;
};

// The site-visibility rule (SPEC §5) as the one SQL fragment every query that answers a caller
// uses: true when the site in `site_column` is visible to the Visibility bound as parameter
// `param` (NULL = every site; else the sites assigned to that user).
std::string VisibleSite(std::string_view site_column, int param);

// True for SQLite errors that mean the storage failed; false for those a statement's data causes
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

[[noreturn]] void ThrowCorrupt(const SQLite::Statement& stmt, int column, std::string_view what);

namespace internal {

void Bind(SQLite::Statement& s, int i, std::nullopt_t);
void Bind(SQLite::Statement& s, int i, std::string_view v);
void Bind(SQLite::Statement& s, int i, const std::string& v);
void Bind(SQLite::Statement& s, int i, const char* v);
void Bind(SQLite::Statement& s, int i, double v);
void Bind(SQLite::Statement& s, int i, Timestamp v);
void Bind(SQLite::Statement& s, int i, const Date& v);
void Bind(SQLite::Statement& s, int i, const Blob& v);
void Bind(SQLite::Statement& s, int i, const nlohmann::json& v);
void Bind(SQLite::Statement& s, int i, const Visibility& v);
template <class T>
requires std::is_integral_v<T>
void Bind(SQLite::Statement& s, int i, T v) { s.bind(i, static_cast<std::int64_t>(v)); }
template <class E>
requires std::is_enum_v<E>
void Bind(SQLite::Statement& s, int i, E v) { Bind(s, i, ToString(v)); }
template <class T>
void Bind(SQLite::Statement& s, int i, const std::optional<T>& v) {
  if (v) {
    Bind(s, i, *v);
  } else {
    Bind(s, i, std::nullopt);
  }
}

void CheckParameterCount(const SQLite::Statement& s, int count);

}  // namespace internal

class Query;

class Statement {
 public:
  // Prepares `sql` on `db`, which must outlive this.
  Statement(SQLite::Database& db, const std::string& sql) : stmt_(db, sql) {}
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  template <class... Args>
  Query Run(const Args&... args);

 private:
  SQLite::Statement stmt_;
};

class Query {
 public:
  explicit Query(SQLite::Statement& stmt) : stmt_(&stmt) {}
  Query(Query&& other) noexcept : stmt_(other.stmt_) { other.stmt_ = nullptr; }
  Query& operator=(Query&&) = delete;
  ~Query() {
    if (stmt_ != nullptr) stmt_->tryReset();
  }

  // The next row; false after the last.
  bool Next() {
    return Translated([&] { return stmt_->executeStep(); });
  }
  // Runs a statement that returns no rows; the number of rows it changed.
  int Exec() {
    return Translated([&] { return stmt_->exec(); });
  }

  bool IsNull(int column) const { return stmt_->getColumn(column).isNull(); }
  template <class T>
  T Get(int column) const;

 private:
  SQLite::Statement* stmt_;
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

template <class T>
struct ColumnReader;

template <>
struct ColumnReader<std::string> {
  static std::string Read(const SQLite::Statement& s, int c) { return s.getColumn(c).getString(); }
};
template <>
struct ColumnReader<double> {
  static double Read(const SQLite::Statement& s, int c) { return s.getColumn(c).getDouble(); }
};
template <>
struct ColumnReader<std::int64_t> {
  static std::int64_t Read(const SQLite::Statement& s, int c) { return s.getColumn(c).getInt64(); }
};
template <>
struct ColumnReader<int> {
  static int Read(const SQLite::Statement& s, int c) { return s.getColumn(c).getInt(); }
};
template <>
struct ColumnReader<bool> {
  static bool Read(const SQLite::Statement& s, int c) { return s.getColumn(c).getInt() != 0; }
};
template <>
struct ColumnReader<Timestamp> {
  static Timestamp Read(const SQLite::Statement& s, int c) {
    return FromMillis(s.getColumn(c).getInt64());
  }
};
template <>
struct ColumnReader<Date> {
  static Date Read(const SQLite::Statement& s, int c) {
    const auto d = ParseDate(s.getColumn(c).getString());
    if (!d) ThrowCorrupt(s, c, "a date");
    return *d;
  }
};
template <class T>
struct ColumnReader<std::optional<T>> {
  static std::optional<T> Read(const SQLite::Statement& s, int c) {
    if (s.getColumn(c).isNull()) return std::nullopt;
    return ColumnReader<T>::Read(s, c);
  }
};

// A JSON object stored as text (device properties and state).
template <>
struct ColumnReader<nlohmann::json> {
  static nlohmann::json Read(const SQLite::Statement& s, int c);
};

// A domain enum read back from its name; `Parse` is the domain's parser of that name.
template <class E, auto Parse>
struct EnumReader {
  static E Read(const SQLite::Statement& s, int c) {
    const auto e = Parse(s.getColumn(c).getString());
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
  return internal::ColumnReader<T>::Read(*stmt_, column);
}

}  // namespace ems::store::sqlite
