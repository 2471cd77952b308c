// Connection, Statement and Query: the one way the PostgreSQL backend runs SQL, with the calls of
// the SQLite backend's (sqlite/statement.h), so each repository reads the same in both folders:
//
//   Statement get_(db, "SELECT name, last_seen FROM devices WHERE id = ?1 AND site_id = ?2");
//   auto q = get_.Run(device_id, site_id);
//   if (!q.Next()) return std::nullopt;
//
// SQL is written with SQLite's ?N parameters, turned into PostgreSQL's $N once. A statement is
// prepared (PQprepare) on its first Run with the parameter types of that call's C++ arguments
// (text, int8, float8, jsonb, bytea), so `?2 IS NULL OR site_id = ?2` needs no casts; prepared
// again after the connection was re-established. Values travel as text; results are read as text
// (doubles print the shortest exact form, extra_float_digits=1 by default since PostgreSQL 12).
// Run executes at once and keeps the whole result: Next walks its rows, Exec answers the rows a
// write changed.
//
// Errors: a lost connection, a lock wait over lock_timeout, a serialization failure or deadlock,
// out of disk or memory are StorageFault (retry later with the same data); a broken constraint or
// bad data is std::runtime_error; a value this build cannot read is CorruptRow.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "common/sql.h"
#include "ems/domain/charging_schedule.h"
#include "ems/domain/contract.h"
#include "ems/domain/device.h"
#include "ems/domain/session.h"
#include "ems/domain/time.h"
#include "ems/domain/user.h"
#include "ems/store/store.h"
#include "ems/store/visibility.h"

namespace ems::store::postgres {

// One connection to the server. Throws std::runtime_error naming EMS_DB_URL when it cannot be
// reached at open; later losses are StorageFault, and the next statement reconnects.
class Connection {
 public:
  explicit Connection(const std::string& url);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  PGconn* get() { return conn_; }
  // Increases every time the connection is established again (prepared statements are gone).
  int generation() const { return generation_; }
  // Reconnects when the connection was lost; throws StorageFault when that fails.
  void EnsureUp();
  // Runs SQL without parameters (transaction control, DDL); throws as statements do.
  void Exec(const std::string& sql);
  bool InTransaction() const { return PQtransactionStatus(conn_) != PQTRANS_IDLE; }
  // A name for the next prepared statement of this connection.
  std::string NextName();

 private:
  PGconn* conn_ = nullptr;
  int generation_ = 0;
  int names_ = 0;
};

// The URL with its password masked, for messages.
std::string MaskedUrl(std::string_view url);

// Throws for a failed result (and clears it).
[[noreturn]] void ThrowError(PGconn* conn, PGresult* result, std::string_view sql);

namespace internal {

// One parameter: its type and its text (nullopt: NULL).
struct Param {
  Oid type;
  std::optional<std::string> text;
};

inline constexpr Oid kText = 25, kInt8 = 20, kFloat8 = 701, kJsonb = 3802, kBytea = 17;

Param ToParam(std::nullopt_t);
Param ToParam(std::string_view v);
inline Param ToParam(const std::string& v) { return ToParam(std::string_view(v)); }
inline Param ToParam(const char* v) { return ToParam(std::string_view(v)); }
Param ToParam(double v);
Param ToParam(std::int64_t v);
inline Param ToParam(Timestamp v) { return ToParam(std::int64_t{ToMillis(v)}); }
inline Param ToParam(const Date& v) { return ToParam(FormatDate(v)); }
Param ToParam(const Blob& v);
Param ToParam(const nlohmann::json& v);
Param ToParam(const Visibility& v);
template <class T>
requires(std::is_integral_v<T> && !std::is_same_v<T, std::int64_t>) Param ToParam(T v) {
  return ToParam(static_cast<std::int64_t>(v));
}
template <class E>
requires std::is_enum_v<E> Param ToParam(E v) { return ToParam(std::string_view(ToString(v))); }
// The type of a parameter of C++ type T (also when it is NULL).
template <class T>
constexpr Oid OidOf() {
  if constexpr (std::is_same_v<T, double>) {
    return kFloat8;
  } else if constexpr (std::is_integral_v<T> || std::is_same_v<T, Timestamp>) {
    return kInt8;
  } else if constexpr (std::is_same_v<T, nlohmann::json>) {
    return kJsonb;
  } else {
    return kText;
  }
}
template <class T>
Param ToParam(const std::optional<T>& v) {
  if (v) return ToParam(*v);
  return Param{OidOf<T>(), std::nullopt};
}

}  // namespace internal

class Query;

class Statement {
 public:
  // Keeps `sql` (with ?N turned into $N); prepares it on first use. `db` must outlive this.
  Statement(Connection& db, std::string_view sql);
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  template <class... Args>
  Query Run(const Args&... args);

  // True inside a transaction, as sqlite::Statement::InTransaction.
  static bool InTransaction(Connection& db) { return db.InTransaction(); }

  const std::string& sql() const { return sql_; }

 private:
  Query Execute(const std::vector<internal::Param>& params);

  Connection& db_;
  int parameters_ = 0;  // before sql_: counted while sql_ is translated
  std::string sql_;
  // Prepared names by parameter types, for the connection's generation prepared_generation_.
  std::map<std::vector<Oid>, std::string> prepared_;
  int prepared_generation_ = -1;
};

class Query {
 public:
  Query(PGresult* result, const std::string& sql) : result_(result), sql_(&sql) {}
  Query(Query&& other) noexcept = default;
  Query& operator=(Query&&) = delete;

  bool Next() { return ++row_ < PQntuples(result_.get()); }
  int Exec();

  bool IsNull(int column) const { return PQgetisnull(result_.get(), row_, column) != 0; }
  template <class T>
  T Get(int column) const;

  std::string_view Text(int column) const {
    return std::string_view(PQgetvalue(result_.get(), row_, column),
                            static_cast<std::size_t>(PQgetlength(result_.get(), row_, column)));
  }
  Oid Type(int column) const { return PQftype(result_.get(), column); }
  [[noreturn]] void ThrowCorrupt(int column, std::string_view what) const;

 private:
  struct Clear {
    void operator()(PGresult* r) const { PQclear(r); }
  };
  std::unique_ptr<PGresult, Clear> result_;
  const std::string* sql_;
  int row_ = -1;
};

template <class... Args>
Query Statement::Run(const Args&... args) {
  return Execute(std::vector<internal::Param>{internal::ToParam(args)...});
}

namespace internal {

template <class T>
struct ColumnReader;

template <>
struct ColumnReader<std::string> {
  static std::string Read(const Query& q, int c);
};
template <>
struct ColumnReader<double> {
  static double Read(const Query& q, int c);
};
template <>
struct ColumnReader<std::int64_t> {
  static std::int64_t Read(const Query& q, int c);
};
template <>
struct ColumnReader<int> {
  static int Read(const Query& q, int c) {
    return static_cast<int>(ColumnReader<std::int64_t>::Read(q, c));
  }
};
template <>
struct ColumnReader<bool> {
  static bool Read(const Query& q, int c) {
    const auto t = q.Text(c);
    return !t.empty() && (t[0] == 't' || (t[0] != 'f' && t != "0"));
  }
};
template <>
struct ColumnReader<Timestamp> {
  static Timestamp Read(const Query& q, int c) {
    return FromMillis(ColumnReader<std::int64_t>::Read(q, c));
  }
};
template <>
struct ColumnReader<Date> {
  static Date Read(const Query& q, int c) {
    const auto d = ParseDate(q.Text(c));
    if (!d) q.ThrowCorrupt(c, "a date");
    return *d;
  }
};
template <class T>
struct ColumnReader<std::optional<T>> {
  static std::optional<T> Read(const Query& q, int c) {
    if (q.IsNull(c)) return std::nullopt;
    return ColumnReader<T>::Read(q, c);
  }
};
template <>
struct ColumnReader<nlohmann::json> {
  static nlohmann::json Read(const Query& q, int c);
};

template <class E, auto Parse>
struct EnumReader {
  static E Read(const Query& q, int c) {
    const auto e = Parse(q.Text(c));
    if (!e) q.ThrowCorrupt(c, "a known name");
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
  return internal::ColumnReader<T>::Read(*this, column);
}

}  // namespace ems::store::postgres
