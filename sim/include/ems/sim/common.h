// What every model of the simulation shares: reproducible randomness without hidden state, and a
// few numeric helpers.
//
// Randomness is a pure function of (seed, discriminators): the same key gives the same number on
// every run, whatever happened before. Models draw from keys built of their seed and the instant
// (or the local day) a draw belongs to, so a value at an instant does not depend on when the
// simulation started nor on how it was stepped, and a restart needs no generator state.
#pragma once

#include <cstdint>

#include "ems/domain/time.h"

namespace ems::sim {

// A well-mixed 64-bit key from `seed` and up to two discriminators (SplitMix64).
std::uint64_t MixSeed(std::uint64_t seed, std::uint64_t a, std::uint64_t b = 0);

// Uniform in [0, 1) and standard normal draws, each a pure function of `key`.
double HashUniform(std::uint64_t key);
double HashNormal(std::uint64_t key);

// A smooth random signal with mean 0 and variance exactly 1 at every instant, correlated over
// about `period`: standard normal values at the multiples of `period` since the epoch, blended
// as g_k·cos(πu/2) + g_{k+1}·sin(πu/2) (u = position between them; cos² + sin² = 1 keeps the
// variance). Pure in (seed, t).
double SmoothNoise(std::uint64_t seed, Timestamp t, Millis period);

// Successive draws from one key (say a household and a day, for that day's plans): pure and
// cheap to create, so a model can re-derive a day's plan at every step.
class Draws {
 public:
  explicit Draws(std::uint64_t key) : key_(key) {}
  double Uniform(double lo, double hi) { return lo + (hi - lo) * HashUniform(key_ + ++count_); }
  bool Chance(double p) { return Uniform(0.0, 1.0) < p; }

 private:
  std::uint64_t key_;
  std::uint64_t count_ = 0;
};

// Seconds and hours in `dt`, as doubles.
inline double Seconds(Millis dt) { return static_cast<double>(dt.count()) / 1000.0; }
inline double Hours(Millis dt) { return static_cast<double>(dt.count()) / 3'600'000.0; }

// Floor division for negative numerators too.
std::int64_t FloorDiv(std::int64_t a, std::int64_t b);

// Rounded to `decimals` places by dividing by an exact power of ten, so the double is the one
// nearest the decimal and JSON prints it short ("0.27", not "0.27000000000000002"); never -0.
double RoundDecimals(double v, int decimals);
// The same, rounded down (a running meter never shows more than was delivered).
double FloorDecimals(double v, int decimals);

// 1 / (1 + e^−x).
double Logistic(double x);

}  // namespace ems::sim
