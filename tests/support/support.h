// What tests share: time literals, a per-test temporary folder, a fixture holding a real migrated
// store in it, and builders of the contract (docs/contract.md)'s payloads (topics, discovery,
// telemetry, sessions). Header-only; the unit tests, the integration tests and the benchmarks
// include it.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

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
