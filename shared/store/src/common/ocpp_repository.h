// Every statement on the ocpp_chargers, ocpp_transaction_ids and ocpp_transactions tables.
// Written once for both backends, over the backend's Statement (common/sql.h).
#pragma once

#include "common/sql.h"
#include "ems/store/store.h"

namespace ems::store {
namespace ocpp_sql {

inline constexpr const char* kChargerColumns =
    "SELECT c.station_id, d.site_id, c.free_vend, c.connected, c.last_seen, c.vendor, c.model, "
    "c.serial, c.firmware FROM ocpp_chargers c JOIN devices d ON d.id = c.station_id ";

template <class Statement>
class OcppRepositoryOn final : public OcppRepository {
 public:
  template <class Db>
  explicit OcppRepositoryOn(Db& db)
      : insert_(db,
                "INSERT INTO ocpp_chargers (station_id, password_hash, free_vend, created_at) "
                "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (station_id) DO NOTHING"),
        delete_(db, "DELETE FROM ocpp_chargers WHERE station_id = ?1"),
        list_(db, std::string(kChargerColumns) + "ORDER BY c.station_id"),
        get_(db, std::string(kChargerColumns) + "WHERE c.station_id = ?1"),
        credentials_(db,
                     "SELECT d.site_id, c.password_hash FROM ocpp_chargers c "
                     "JOIN devices d ON d.id = c.station_id WHERE c.station_id = ?1"),
        boot_(db,
              "UPDATE ocpp_chargers SET vendor = ?2, model = ?3, serial = ?4, firmware = ?5, "
              "last_seen = ?6 WHERE station_id = ?1"),
        connected_(db,
                   "UPDATE ocpp_chargers SET connected = ?2, last_seen = ?3 WHERE station_id = ?1"),
        disconnect_all_(db, "UPDATE ocpp_chargers SET connected = 0 WHERE connected != 0"),
        find_start_(db,
                    "SELECT transaction_id, vehicle_id FROM ocpp_transactions WHERE station_id = "
                    "?1 AND connector = ?2 AND started_at = ?3 AND id_tag = ?4 AND "
                    "meter_start_wh = ?5"),
        next_id_(
            db,
            "INSERT INTO ocpp_transaction_ids (station_id, last_id) VALUES (?1, 1) "
            "ON CONFLICT (station_id) DO UPDATE SET last_id = ocpp_transaction_ids.last_id + 1 "
            "RETURNING last_id"),
        insert_tx_(db,
                   "INSERT INTO ocpp_transactions (station_id, transaction_id, connector, id_tag, "
                   "vehicle_id, meter_start_wh, started_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"),
        get_tx_(db,
                "SELECT connector, id_tag, vehicle_id, meter_start_wh, started_at FROM "
                "ocpp_transactions WHERE station_id = ?1 AND transaction_id = ?2"),
        stop_(db,
              "UPDATE ocpp_transactions SET stopped_at = ?3 WHERE station_id = ?1 AND "
              "transaction_id = ?2"),
        running_(db,
                 "SELECT transaction_id FROM ocpp_transactions WHERE station_id = ?1 AND "
                 "stopped_at IS NULL AND (?2 IS NULL OR connector = ?2) "
                 "ORDER BY transaction_id DESC LIMIT 1"),
        id_tag_(db,
                "SELECT id FROM devices WHERE site_id = ?1 AND type = 'ev' AND "
                "properties ->> 'id_tag' = ?2 ORDER BY id LIMIT 1") {}

  Result<void> Register(const std::string& station_id, const std::string& password_hash,
                        bool free_vend, Timestamp now) override {
    if (insert_.Run(station_id, password_hash, free_vend ? 1 : 0, now).Exec() == 0) {
      return Rejected(ErrorCode::kConflict, "Station " + station_id + " is already a charger.");
    }
    return {};
  }

  bool Unregister(const std::string& station_id) override {
    return delete_.Run(station_id).Exec() > 0;
  }

  std::vector<OcppCharger> List() override {
    std::vector<OcppCharger> out;
    auto q = list_.Run();
    while (q.Next()) out.push_back(Read(q));
    return out;
  }

  std::optional<OcppCharger> Get(const std::string& station_id) override {
    auto q = get_.Run(station_id);
    if (!q.Next()) return std::nullopt;
    return Read(q);
  }

  std::optional<OcppCredentials> Credentials(const std::string& station_id) override {
    auto q = credentials_.Run(station_id);
    if (!q.Next()) return std::nullopt;
    return OcppCredentials{q.template Get<std::string>(0), q.template Get<std::string>(1)};
  }

  void RecordBoot(const std::string& station_id, const OcppBoot& boot, Timestamp now) override {
    boot_.Run(station_id, boot.vendor, boot.model, boot.serial, boot.firmware, now).Exec();
  }

  void SetConnected(const std::string& station_id, bool connected, Timestamp now) override {
    connected_.Run(station_id, connected ? 1 : 0, now).Exec();
  }

  void DisconnectAll() override { disconnect_all_.Run().Exec(); }

  OcppTransaction Start(OcppTransaction start) override {
    {
      auto q = find_start_.Run(start.station_id, start.connector, start.started_at, start.id_tag,
                               start.meter_start_wh);
      if (q.Next()) {
        start.transaction_id = q.template Get<std::int64_t>(0);
        start.vehicle_id = q.template Get<std::optional<std::string>>(1);
        return start;
      }
    }
    {
      auto q = next_id_.Run(start.station_id);
      q.Next();
      start.transaction_id = q.template Get<std::int64_t>(0);
    }
    insert_tx_
        .Run(start.station_id, start.transaction_id, start.connector, start.id_tag,
             start.vehicle_id, start.meter_start_wh, start.started_at)
        .Exec();
    return start;
  }

  std::optional<OcppTransaction> Transaction(const std::string& station_id,
                                             std::int64_t transaction_id) override {
    auto q = get_tx_.Run(station_id, transaction_id);
    if (!q.Next()) return std::nullopt;
    return OcppTransaction{station_id,
                           transaction_id,
                           q.template Get<int>(0),
                           q.template Get<std::string>(1),
                           q.template Get<std::optional<std::string>>(2),
                           q.template Get<std::int64_t>(3),
                           q.template Get<Timestamp>(4)};
  }

  void Stop(const std::string& station_id, std::int64_t transaction_id, Timestamp at) override {
    stop_.Run(station_id, transaction_id, at).Exec();
  }

  std::optional<OcppTransaction> Running(const std::string& station_id,
                                         std::optional<int> connector) override {
    std::int64_t id = 0;
    {
      auto q = running_.Run(station_id, connector);
      if (!q.Next()) return std::nullopt;
      id = q.template Get<std::int64_t>(0);
    }
    return Transaction(station_id, id);
  }

  std::optional<std::string> VehicleWithIdTag(const std::string& site_id,
                                              const std::string& id_tag) override {
    auto q = id_tag_.Run(site_id, id_tag);
    if (!q.Next()) return std::nullopt;
    return q.template Get<std::string>(0);
  }

 private:
  template <class Query>
  static OcppCharger Read(const Query& q) {
    return OcppCharger{q.template Get<std::string>(0),
                       q.template Get<std::string>(1),
                       q.template Get<bool>(2),
                       q.template Get<bool>(3),
                       q.template Get<std::optional<Timestamp>>(4),
                       q.template Get<std::optional<std::string>>(5),
                       q.template Get<std::optional<std::string>>(6),
                       q.template Get<std::optional<std::string>>(7),
                       q.template Get<std::optional<std::string>>(8)};
  }

  Statement insert_;
  Statement delete_;
  Statement list_;
  Statement get_;
  Statement credentials_;
  Statement boot_;
  Statement connected_;
  Statement disconnect_all_;
  Statement find_start_;
  Statement next_id_;
  Statement insert_tx_;
  Statement get_tx_;
  Statement stop_;
  Statement running_;
  Statement id_tag_;
};

}  // namespace ocpp_sql

using ocpp_sql::OcppRepositoryOn;

}  // namespace ems::store
