// A home's wallbox: the charge point of the home's EV. It meters what the EV draws and turns each
// uninterrupted charge into a charging session (docs/contract.md §4.1): opened when the EV starts
// charging, `active` updates with the running energy and cost on request, `completed` when the EV
// stops (slot over, limit reached, paused, unplugged to drive away).
//
// The session's billed energy is exactly the metered energy: the EV's charging power held from
// one step to the next (the sample-and-hold a reader of the EV's telemetry integrates), and its
// cost prices each step's energy at the tariff price in force when it was drawn.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ems/domain/session.h"
#include "ems/domain/time.h"

namespace ems::sim {

// A session in progress.
struct OpenSession {
  std::string session_id;
  Timestamp started_at;
  double energy_wh = 0;
  double cost = 0;
  friend bool operator==(const OpenSession&, const OpenSession&) = default;
};

class Wallbox {
 public:
  // Session ids are "{station_id}-{unix seconds of the start}": unique and stable.
  Wallbox(std::string station_id, std::string vehicle_id, std::string currency,
          std::optional<OpenSession> open = std::nullopt);

  // At each step, after the EV decided: `charge_w` (≥ 0) is what it draws from `now` on and
  // `price_per_kwh` the tariff price in force at `now`. First adds the previous step's energy
  // (and its cost) to the open session, then appends to `out` the session completed at `now`,
  // or an active update when `report_active`.
  void Step(Timestamp now, Millis dt, double charge_w, double price_per_kwh, bool report_active,
            std::vector<ChargingSession>* out);

  const std::optional<OpenSession>& open() const { return open_; }
  const std::string& station_id() const { return station_id_; }

 private:
  ChargingSession ToSession(Timestamp now, bool completed) const;

  std::string station_id_;
  std::string vehicle_id_;
  std::string currency_;
  std::optional<OpenSession> open_;
  double charge_w_ = 0;
  double price_per_kwh_ = 0;
};

}  // namespace ems::sim
