#include "publisher/sim_clock.h"

#include <algorithm>

namespace ems::publisher {

Timestamp FreshStart(Timestamp wall_now, double speed) {
  return speed > 1 ? wall_now - kSpeedUpReplay : wall_now;
}

SimClock::SimClock(Timestamp sim_start, Timestamp wall_start, double speed)
    : sim_start_(sim_start), wall_start_(wall_start), speed_(speed) {}

Timestamp SimClock::At(Timestamp wall_now) const {
  if (speed_ <= 1) return wall_now;
  const auto elapsed = std::chrono::duration<double, std::milli>(wall_now - wall_start_);
  const auto sim = sim_start_ + std::chrono::duration_cast<Millis>(elapsed * speed_);
  return std::min(sim, wall_now);
}

}  // namespace ems::publisher
