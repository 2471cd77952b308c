// What tests share: time literals, a per-test temporary folder, a fixture holding a real migrated
// store in it, and builders of the contract (docs/contract.md)'s payloads (topics, discovery,
// telemetry, sessions). Header-only; the unit tests, the integration tests and the benchmarks
// include it.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "ems/codec/device_codec.h"
#include "ems/codec/json_writer.h"
#include "ems/domain/result.h"
#include "ems/domain/time.h"
#include "ems/store/store.h"
#include "postgres/pg_store.h"
#include "sqlite/sqlite_store.h"

namespace ems::testing {

using Json = nlohmann::json;

// An RFC 3339 literal as a Timestamp (the test fails loudly on a typo).
inline Timestamp At(const char* text) {
  const auto t = ParseTimestamp(text);
  if (!t) throw std::invalid_argument(std::string("bad timestamp literal ") + text);
  return *t;
}

// The Reject of a Result the test expects to be rejected; a value fails the test.
template <class T>
Reject ErrorOf(const Result<T>& r) {
  if (r.has_value()) {
    ADD_FAILURE() << "expected a reject";
    return Reject{ErrorCode::kProcessingError, "not rejected"};
  }
  return r.error();
}

// What `write(JsonWriter&)` writes, parsed: what a client of the answer reads.
template <class Write>
Json Written(Write write) {
  codec::JsonWriter w;
  write(w);
  return Json::parse(w.Take());
}

// An empty folder of its own, removed with everything in it afterwards. Others may read it: a
// broker started by the tests as root runs as the unprivileged user Mosquitto switches to.
class TempDir {
 public:
  TempDir() {
    std::string name = (std::filesystem::temp_directory_path() / "ems-test-XXXXXX").string();
    if (::mkdtemp(name.data()) == nullptr) throw std::runtime_error("cannot make " + name);
    path_ = name;
    using std::filesystem::perms;
    std::filesystem::permissions(path_, perms::owner_all | perms::group_read | perms::group_exec |
                                            perms::others_read | perms::others_exec);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// The PostgreSQL server the tests of the `postgres` label run against (scripts/pg-cluster.sh
// prints it; test.sh exports it), and whether this run is one of them: EMS_TEST_BACKEND=postgres
// (tests/CMakeLists.txt sets it for the pg.* variants).
inline std::string TestPgServerUrl() {
  const char* url = std::getenv("EMS_TEST_PG_URL");
  return url == nullptr ? "" : url;
}
inline bool TestOnPostgres() {
  const char* backend = std::getenv("EMS_TEST_BACKEND");
  return backend != nullptr && std::string(backend) == "postgres";
}
// `server` (postgresql://user@host:port/db) naming the database `name` instead.
inline std::string PgUrlOfDatabase(const std::string& server, const std::string& name) {
  const auto slash = server.find('/', server.find("://") + 3);
  return server.substr(0, slash) + "/" + name;
}
// A fresh, empty database on the test server, dropped when this goes. Its name is unique to the
// process and the moment, so parallel tests never meet.
class TempPgDatabase {
 public:
  TempPgDatabase() : server_(TestPgServerUrl()) {
    static int counter = 0;
    name_ = "ems_t" + std::to_string(::getpid()) + "_" + std::to_string(++counter) + "_" +
            std::to_string(std::chrono::steady_clock::now().time_since_epoch().count() % 1000000);
    store::postgres::Connection(server_).Exec("CREATE DATABASE " + name_);
  }
  ~TempPgDatabase() {
    try {
      store::postgres::Connection(server_).Exec("DROP DATABASE IF EXISTS " + name_ +
                                                " WITH (FORCE)");
    } catch (const std::exception&) {
    }
  }
  TempPgDatabase(const TempPgDatabase&) = delete;
  TempPgDatabase& operator=(const TempPgDatabase&) = delete;
  std::string url() const { return PgUrlOfDatabase(server_, name_); }

 private:
  std::string server_;
  std::string name_;
};

// A fixture with a real, migrated store: SQLite in a TempDir, or with EMS_TEST_BACKEND=postgres a
// fresh database on EMS_TEST_PG_URL. Count, Exec and Text run SQL on the store's own connection
// (white-box: the tests look at the tables); db() is the SQLite connection, for tests of what
// only SQLite has (they begin with EMS_SQLITE_ONLY()).
class TempDbTest : public ::testing::Test {
 protected:
  TempDbTest() { Open(); }
  ~TempDbTest() override { store_.reset(); }

  bool postgres() const { return pg_ != nullptr; }
  // What OpenStore opens: the SQLite file, or the PostgreSQL URL.
  std::string db_path() const { return pg_ ? pg_->url() : (dir_.path() / "ems.db").string(); }
  store::Store& store() { return *store_; }
  SQLite::Database& db() {
    if (sqlite_ == nullptr) throw std::logic_error("db() is SQLite's connection: use Exec/Count.");
    return sqlite_->db();
  }
  // The single number a query such as "SELECT count(*) FROM telemetry" answers.
  std::int64_t Count(const std::string& sql) {
    if (sqlite_ != nullptr) return db().execAndGet(sql).getInt64();
    store::postgres::Statement statement(pg_store_->db(), sql);
    auto q = statement.Run();
    q.Next();
    return q.Get<std::int64_t>(0);
  }
  // The text of the first column of the first row `sql` answers.
  std::string Text(const std::string& sql) {
    if (sqlite_ != nullptr) return db().execAndGet(sql).getString();
    store::postgres::Statement statement(pg_store_->db(), sql);
    auto q = statement.Run();
    q.Next();
    return q.Get<std::string>(0);
  }
  // Runs statements (several, separated by ';') for their effect.
  void Exec(const std::string& sql) {
    if (sqlite_ != nullptr) {
      db().exec(sql);
    } else {
      pg_store_->db().Exec(sql);
    }
  }
  // Closes the store and opens the same database again, as a restarted process would.
  void Reopen() {
    store_.reset();
    Open();
  }

  TempDir dir_;
  std::unique_ptr<TempPgDatabase> pg_ =
      TestOnPostgres() ? std::make_unique<TempPgDatabase>() : nullptr;
  std::unique_ptr<store::Store> store_;
  store::sqlite::SqliteStore* sqlite_ = nullptr;
  store::postgres::PgStore* pg_store_ = nullptr;

 private:
  void Open() {
    if (pg_) {
      auto s = std::make_unique<store::postgres::PgStore>(pg_->url());
      pg_store_ = s.get();
      store_ = std::move(s);
    } else {
      auto s = std::make_unique<store::sqlite::SqliteStore>(db_path(), store::StoreOptions{});
      sqlite_ = s.get();
      store_ = std::move(s);
    }
  }
};

// First in a test of what only the SQLite backend has (its files, its pragmas, its locks).
#define EMS_SQLITE_ONLY() \
  if (postgres()) GTEST_SKIP() << "a test of the SQLite backend"

// --- payloads (docs/contract.md §4.1), with the default topic prefix ---

inline constexpr const char* kPrefix = "ems/v1";

// {p}/sites/{site}/devices/{device}/{leaf}, leaf = meta, telemetry or sessions.
inline std::string DeviceTopic(const std::string& site, const std::string& device,
                               const std::string& leaf) {
  return std::string(kPrefix) + "/sites/" + site + "/devices/" + device + "/" + leaf;
}

// `meta` naming its site "Home", in Europe/Berlin.
inline Json OfHome(Json meta) {
  meta["site_name"] = "Home";
  meta["site_timezone"] = "Europe/Berlin";
  return meta;
}

inline Json SolarMeta() {
  return OfHome(
      {{"type", "solar_panel"}, {"name", "Roof"}, {"properties", {{"rated_power_w", 5000}}}});
}
inline Json ApplianceMeta() {
  return {{"type", "appliance"}, {"name", "Fridge"}, {"properties", {{"average_power_w", 150}}}};
}
inline Json BatteryMeta() {
  return {
      {"type", "battery"},
      {"name", "Garage battery"},
      {"properties", {{"capacity_wh", 10000}, {"max_charge_w", 5000}, {"max_discharge_w", 4000}}}};
}

inline Json EvMeta() {
  return {{"type", "ev"},
          {"name", "Car"},
          {"properties",
           {{"battery_capacity_wh", 60000}, {"max_charge_w", 11000}, {"max_discharge_w", 0}}}};
}

// A telemetry payload stamped `ts` (codec::EncodeTelemetry, as every producer writes it) of
// `metrics` {"name": number, …}; `state` only when given.
inline std::string TelemetryPayload(Timestamp ts, const Json& metrics, const Json& state = Json()) {
  std::vector<MetricSample> samples;
  for (const auto& [name, value] : metrics.items()) samples.push_back({name, value.get<double>()});
  return codec::EncodeTelemetry(FormatTimestamp(ts), samples, state);
}

// The completed charging session of docs/contract.md §4.1's example (station st-1), under `id`.
inline Json SpecSession(const std::string& id = "s-7f3a") {
  return {{"session_id", id},
          {"station_id", "st-1"},
          {"connector", 1},
          {"vehicle_id", "ev-1"},
          {"status", "completed"},
          {"started_at", "2026-11-21T08:00:00Z"},
          {"ended_at", "2026-11-21T09:10:00Z"},
          {"energy_kwh", 18.42},
          {"cost", 5.71},
          {"currency", "EUR"}};
}

}  // namespace ems::testing
