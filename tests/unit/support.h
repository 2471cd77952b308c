// What tests share: time literals, a per-test temporary folder, a fixture holding a real migrated
// store in it, and builders of the SPEC's payloads (topics, discovery, telemetry, sessions).
// Header-only; the unit tests, the integration tests and the benchmarks include it.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "ems/domain/result.h"
#include "ems/domain/time.h"
#include "ems/store/store.h"
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

// An empty folder named after the running test, removed afterwards.
class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = std::filesystem::temp_directory_path() /
            ("ems-" + std::string(info->test_suite_name()) + "-" + info->name() + "-" +
             std::to_string(::getpid()));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A fixture with a real, migrated SQLite store in a TempDir. db() is its connection, for tests
// that look at the tables or inject failures (white-box: the SQLite implementation's header).
class TempDbTest : public ::testing::Test {
 protected:
  std::string db_path() const { return (dir_.path() / "ems.db").string(); }
  store::Store& store() { return *store_; }
  SQLite::Database& db() { return store_->db(); }
  // The single number a query such as "SELECT count(*) FROM telemetry" answers.
  std::int64_t Count(const std::string& sql) { return db().execAndGet(sql).getInt64(); }
  // Closes the store and opens the same database again, as a restarted process would.
  void Reopen() {
    store_.reset();
    store_ = std::make_unique<store::sqlite::SqliteStore>(db_path(), store::StoreOptions{});
  }

  TempDir dir_;
  std::unique_ptr<store::sqlite::SqliteStore> store_ =
      std::make_unique<store::sqlite::SqliteStore>(db_path(), store::StoreOptions{});
};

// --- payloads (SPEC §4.1), with the default topic prefix ---

inline constexpr const char* kPrefix = "ems/v1";

// {p}/sites/{site}/devices/{device}/{leaf}, leaf = meta, telemetry or sessions.
inline std::string DeviceTopic(const std::string& site, const std::string& device,
                               const std::string& leaf) {
  return std::string(kPrefix) + "/sites/" + site + "/devices/" + device + "/" + leaf;
}

inline Json SolarMeta() {
  return {{"type", "solar_panel"},
          {"name", "Roof"},
          {"properties", {{"rated_power_w", 5000}}},
          {"site_name", "Home"},
          {"site_timezone", "Europe/Berlin"}};
}
inline Json ApplianceMeta() {
  return {{"type", "appliance"}, {"name", "Fridge"}, {"properties", {{"average_power_w", 150}}}};
}
inline Json BatteryMeta() {
  return {
      {"type", "battery"},
      {"name", "Garage"},
      {"properties", {{"capacity_wh", 10000}, {"max_charge_w", 5000}, {"max_discharge_w", 4000}}}};
}

// A telemetry payload stamped `ts`; `state` only when given.
inline std::string TelemetryPayload(Timestamp ts, const Json& metrics, const Json& state = Json()) {
  Json j = {{"ts", FormatTimestamp(ts)}, {"metrics", metrics}};
  if (!state.is_null()) j["state"] = state;
  return j.dump();
}

// A completed session of station st-1, the SPEC's example shape.
inline Json CompletedSession(const std::string& id) {
  return {{"session_id", id},
          {"station_id", "st-1"},
          {"connector", 1},
          {"status", "completed"},
          {"started_at", "2026-11-21T08:00:00Z"},
          {"ended_at", "2026-11-21T09:00:00Z"},
          {"energy_kwh", 10.0},
          {"cost", 3.0},
          {"currency", "EUR"}};
}

}  // namespace ems::testing
