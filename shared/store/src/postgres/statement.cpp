#include "postgres/statement.h"

#include <charconv>
#include <cstdlib>
#include <limits>
#include <stdexcept>

#include "ems/codec/json_fields.h"
#include "ems/config/settings.h"

namespace ems::store::postgres {
namespace {

// SQLSTATE classes and codes that mean the storage failed, not the data: connection, resources,
// operator intervention, system errors, transaction rollback (serialization, deadlock), a lock
// not had within lock_timeout.
bool IsStorageFault(std::string_view state) {
  if (state.size() != 5) return true;  // no state: the connection itself failed
  const std::string_view cls = state.substr(0, 2);
  return cls == "08" || cls == "53" || cls == "57" || cls == "58" || cls == "XX" || cls == "40" ||
         state == "55P03" || state == "55006";
}

// ?N → $N outside quoted text.
std::string Translate(std::string_view sql, int& parameters) {
  std::string out;
  out.reserve(sql.size());
  bool quoted = false;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (c == '\'') quoted = !quoted;
    if (c == '?' && !quoted && i + 1 < sql.size() && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
      out.push_back('$');
      int n = 0;
      while (i + 1 < sql.size() && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
        n = n * 10 + (sql[i + 1] - '0');
        out.push_back(sql[++i]);
      }
      parameters = std::max(parameters, n);
      continue;
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace

std::string MaskedUrl(std::string_view url) {
  // postgresql://user:password@host… → postgresql://user:***@host…
  const auto scheme = url.find("://");
  const auto at = url.find('@');
  if (scheme == std::string_view::npos || at == std::string_view::npos) return std::string(url);
  const auto colon = url.find(':', scheme + 3);
  if (colon == std::string_view::npos || colon > at) return std::string(url);
  return std::string(url.substr(0, colon + 1)) + "***" + std::string(url.substr(at));
}

Connection::Connection(const std::string& url) {
  conn_ = PQconnectdb(url.c_str());
  if (PQstatus(conn_) != CONNECTION_OK) {
    std::string why = PQerrorMessage(conn_);
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    for (auto& c : why) {
      if (c == '\n') c = ' ';
    }
    PQfinish(conn_);
    conn_ = nullptr;
    // A configuration error: the process exits 2 with this one line (docs/contract.md §2).
    throw config::ConfigError("EMS_DB_URL", "cannot reach the PostgreSQL database at '" +
                                                MaskedUrl(url) + "' (" + why + ").");
  }
  // A lock waited for longer is a StorageFault (SQLite's busy timeout); notices stay quiet.
  Exec("SET lock_timeout = '10s'");
  Exec("SET client_min_messages = warning");
}

Connection::~Connection() {
  if (conn_ != nullptr) PQfinish(conn_);
}

std::string Connection::NextName() {
  std::string name = std::to_string(++names_);
  name.insert(name.begin(), 's');
  return name;
}

void Connection::EnsureUp() {
  if (PQstatus(conn_) == CONNECTION_OK) return;
  PQreset(conn_);
  if (PQstatus(conn_) != CONNECTION_OK) {
    throw StorageFault(std::string("The PostgreSQL connection is lost: ") + PQerrorMessage(conn_));
  }
  ++generation_;
  Exec("SET lock_timeout = '10s'");
  Exec("SET client_min_messages = warning");
}

void Connection::Exec(const std::string& sql) {
  PGresult* r = PQexec(conn_, sql.c_str());
  const auto status = PQresultStatus(r);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) ThrowError(conn_, r, sql);
  PQclear(r);
}

void ThrowError(PGconn* conn, PGresult* result, std::string_view sql) {
  const char* state = result == nullptr ? nullptr : PQresultErrorField(result, PG_DIAG_SQLSTATE);
  std::string message = result == nullptr ? PQerrorMessage(conn) : PQresultErrorMessage(result);
  while (!message.empty() && message.back() == '\n') message.pop_back();
  const bool fault = PQstatus(conn) != CONNECTION_OK || IsStorageFault(state ? state : "");
  PQclear(result);
  message += " (" + std::string(sql) + ")";
  if (fault) throw StorageFault(message);
  throw std::runtime_error(message);
}

Statement::Statement(Connection& db, std::string_view sql)
    : db_(db), sql_(Translate(sql, parameters_)) {}

Query Statement::Execute(const std::vector<internal::Param>& params) {
  if (static_cast<int>(params.size()) != parameters_) {
    throw std::logic_error("Statement takes " + std::to_string(parameters_) +
                           " parameters, given " + std::to_string(params.size()) + ": " + sql_);
  }
  db_.EnsureUp();
  if (prepared_generation_ != db_.generation()) {
    prepared_.clear();
    prepared_generation_ = db_.generation();
  }
  std::vector<Oid> types;
  std::vector<const char*> values;
  types.reserve(params.size());
  values.reserve(params.size());
  for (const auto& p : params) {
    types.push_back(p.type);
    values.push_back(p.text ? p.text->c_str() : nullptr);
  }
  auto it = prepared_.find(types);
  if (it == prepared_.end()) {
    std::string name = db_.NextName();
    PGresult* r = PQprepare(db_.get(), name.c_str(), sql_.c_str(), static_cast<int>(types.size()),
                            types.data());
    if (PQresultStatus(r) != PGRES_COMMAND_OK) ThrowError(db_.get(), r, sql_);
    PQclear(r);
    it = prepared_.emplace(types, std::move(name)).first;
  }
  PGresult* r = PQexecPrepared(db_.get(), it->second.c_str(), static_cast<int>(values.size()),
                               values.data(), nullptr, nullptr, 0);
  const auto status = PQresultStatus(r);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) ThrowError(db_.get(), r, sql_);
  return Query(r, sql_);
}

int Query::Exec() {
  const char* n = PQcmdTuples(result_.get());
  return n[0] == '\0' ? 0 : std::atoi(n);
}

void Query::ThrowCorrupt(int column, std::string_view what) const {
  throw CorruptRow("Stored column '" + std::string(PQfname(result_.get(), column)) + "' holds '" +
                   std::string(Text(column)) + "', not " + std::string(what) + " (" + *sql_ + ").");
}

namespace internal {

Param ToParam(std::nullopt_t) { return Param{kText, std::nullopt}; }
Param ToParam(std::string_view v) { return Param{kText, std::string(v)}; }
Param ToParam(double v) {
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return Param{kFloat8, std::string(buf, end)};
}
Param ToParam(std::int64_t v) { return Param{kInt8, std::to_string(v)}; }
Param ToParam(const Blob& v) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text = "\\x";
  text.reserve(2 + v.bytes.size() * 2);
  for (const char c : v.bytes) {
    const auto b = static_cast<unsigned char>(c);
    text.push_back(kHex[b >> 4]);
    text.push_back(kHex[b & 0xf]);
  }
  return Param{kBytea, std::move(text)};
}
Param ToParam(const nlohmann::json& v) { return Param{kJsonb, v.dump()}; }
Param ToParam(const Visibility& v) { return ToParam(v.username()); }

std::string ColumnReader<std::string>::Read(const Query& q, int c) {
  const auto text = q.Text(c);
  if (q.Type(c) != kBytea) return std::string(text);
  // BYTEA in text form: \x then two hex digits a byte.
  if (text.size() < 2 || text.substr(0, 2) != "\\x") q.ThrowCorrupt(c, "hex bytes");
  std::string out;
  out.reserve((text.size() - 2) / 2);
  const auto digit = [&](char h) {
    if (h >= '0' && h <= '9') return h - '0';
    if (h >= 'a' && h <= 'f') return h - 'a' + 10;
    q.ThrowCorrupt(c, "hex bytes");
  };
  for (std::size_t i = 2; i + 1 < text.size(); i += 2) {
    out.push_back(static_cast<char>(digit(text[i]) * 16 + digit(text[i + 1])));
  }
  return out;
}

double ColumnReader<double>::Read(const Query& q, int c) {
  const auto text = q.Text(c);
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) {
    // Infinity and NaN print as words; values are finite (docs/contract.md §4.1).
    q.ThrowCorrupt(c, "a number");
  }
  return v;
}

std::int64_t ColumnReader<std::int64_t>::Read(const Query& q, int c) {
  const auto text = q.Text(c);
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) q.ThrowCorrupt(c, "an integer");
  return v;
}

nlohmann::json ColumnReader<nlohmann::json>::Read(const Query& q, int c) {
  auto doc = codec::ParseObject(q.Text(c), std::numeric_limits<std::size_t>::max());
  if (!doc) q.ThrowCorrupt(c, "a JSON object");
  return std::move(*doc);
}

}  // namespace internal
}  // namespace ems::store::postgres
