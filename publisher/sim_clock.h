// The simulated clock of a live ems-publisher run (docs/contract.md §2 EMS_PUBLISHER_SPEED). Pure:
// the wall clock is a parameter.
//
// The simulation starts where it left off (a saved state), or now, or — with a speed-up above 1 —
// a day ago, so the speed-up replays a day of history. From there the simulated time runs
// `speed` times faster than the wall clock until it has caught up, then with it. With speed 1
// a gap (a restart after downtime) is replayed as fast as the caller can publish it. Either
// way the simulated time never passes the wall clock: no reading is stamped in the future.
#pragma once

#include <chrono>

#include "ems/domain/time.h"

namespace ems::publisher {

// How far back a fresh run with a speed-up above 1 starts.
inline constexpr Millis kSpeedUpReplay = std::chrono::hours(24);

// Where a fresh run starts.
Timestamp FreshStart(Timestamp wall_now, double speed);

class SimClock {
 public:
  // `sim_start` ≤ `wall_start`; speed ≥ 1.
  SimClock(Timestamp sim_start, Timestamp wall_start, double speed);
  // The simulated instant for wall-clock instant `wall_now` (≥ wall_start): never after it.
  Timestamp At(Timestamp wall_now) const;

 private:
  Timestamp sim_start_;
  Timestamp wall_start_;
  double speed_;
};

}  // namespace ems::publisher
