#include "ems/sim/wallbox.h"

#include <algorithm>
#include <utility>

#include "ems/sim/common.h"

namespace ems::sim {

Wallbox::Wallbox(std::string station_id, std::string vehicle_id, std::string currency,
                 std::optional<OpenSession> open)
    : station_id_(std::move(station_id)),
      vehicle_id_(std::move(vehicle_id)),
      currency_(std::move(currency)),
      open_(std::move(open)) {}

ChargingSession Wallbox::ToSession(Timestamp now, bool completed) const {
  ChargingSession s;
  s.session_id = open_->session_id;
  s.station_id = station_id_;
  s.connector = 1;
  s.vehicle_id = vehicle_id_;
  s.status = completed ? SessionStatus::kCompleted : SessionStatus::kActive;
  s.started_at = open_->started_at;
  if (completed) s.ended_at = now;
  s.energy_kwh = FloorDecimals(open_->energy_wh / 1000.0, 3);
  // Charging in negative-price hours can earn money, but a session's cost is never below 0
  // (docs/contract.md §4.1): such a charge reads as free.
  s.cost = RoundDecimals(std::max(0.0, open_->cost), 2);
  s.currency = currency_;
  return s;
}

void Wallbox::Step(Timestamp now, Millis dt, double charge_w, double price_per_kwh,
                   bool report_active, std::vector<ChargingSession>* out) {
  if (open_) {
    const double wh = charge_w_ * Hours(dt);
    open_->energy_wh += wh;
    open_->cost += wh / 1000.0 * price_per_kwh_;
  }
  charge_w_ = charge_w;
  price_per_kwh_ = price_per_kwh;
  if (open_ && charge_w <= 0) {
    out->push_back(ToSession(now, true));
    open_.reset();
  } else if (!open_ && charge_w > 0) {
    open_ = OpenSession{station_id_ + "-" + std::to_string(ToMillis(now) / 1000), now, 0, 0};
  }
  if (open_ && report_active) out->push_back(ToSession(now, false));
}

}  // namespace ems::sim
