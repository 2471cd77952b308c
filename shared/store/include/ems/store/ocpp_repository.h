// OcppRepository: registered OCPP chargers and their transactions (docs/contract.md §4.5,
// docs/ocpp.md), the tables ocpp_chargers, ocpp_transaction_ids and ocpp_transactions. `ems-api
// charger` registers and removes chargers; ems-ocpp records boots, connections and transactions;
// the API reads the connection state for GET /api/v1/stations. Contract of the store's
// repositories: ems/store/store.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ems/domain/result.h"
#include "ems/domain/time.h"

namespace ems::store {

struct OcppCharger {
  std::string station_id;
  std::string site_id;
  bool free_vend = false;
  bool connected = false;
  std::optional<Timestamp> last_seen;
  std::optional<std::string> vendor, model, serial, firmware;
};

// What the WebSocket handshake checks.
struct OcppCredentials {
  std::string site_id;
  std::string password_hash;
};

// What the charger's BootNotification said.
struct OcppBoot {
  std::string vendor, model;
  std::optional<std::string> serial, firmware;
};

struct OcppTransaction {
  std::string station_id;
  std::int64_t transaction_id = 0;
  int connector = 1;
  std::string id_tag;
  std::optional<std::string> vehicle_id;
  std::int64_t meter_start_wh = 0;
  Timestamp started_at;
};

class OcppRepository {
 public:
  virtual ~OcppRepository() = default;

  // Registers the existing device `station_id` as a charger; rejects kConflict when it is one.
  virtual Result<void> Register(const std::string& station_id, const std::string& password_hash,
                                bool free_vend, Timestamp now) = 0;
  // Unregisters; false when it was no charger. The device stays (its sessions and telemetry too).
  virtual bool Unregister(const std::string& station_id) = 0;
  // Every charger, or the one of `station_id`, in station order.
  virtual std::vector<OcppCharger> List() = 0;
  virtual std::optional<OcppCharger> Get(const std::string& station_id) = 0;
  virtual std::optional<OcppCredentials> Credentials(const std::string& station_id) = 0;

  virtual void RecordBoot(const std::string& station_id, const OcppBoot& boot, Timestamp now) = 0;
  virtual void SetConnected(const std::string& station_id, bool connected, Timestamp now) = 0;
  // Marks every charger disconnected (ems-ocpp at start: no connection outlives the process).
  virtual void DisconnectAll() = 0;

  // The transaction a StartTransaction describes: the stored one when the same start was
  // recorded before, else a new one with the station's next id (never given before).
  virtual OcppTransaction Start(OcppTransaction start) = 0;
  virtual std::optional<OcppTransaction> Transaction(const std::string& station_id,
                                                     std::int64_t transaction_id) = 0;
  virtual void Stop(const std::string& station_id, std::int64_t transaction_id, Timestamp at) = 0;
  // The station's latest transaction not stopped yet (of `connector` when given).
  virtual std::optional<OcppTransaction> Running(const std::string& station_id,
                                                 std::optional<int> connector) = 0;

  // The EV of `site_id` whose property `id_tag` is `id_tag` (docs/contract.md §4.5 Authorize).
  virtual std::optional<std::string> VehicleWithIdTag(const std::string& site_id,
                                                      const std::string& id_tag) = 0;
};

}  // namespace ems::store
