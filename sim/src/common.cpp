#include "ems/sim/common.h"

#include <cmath>
#include <numbers>

namespace ems::sim {
namespace {

std::uint64_t SplitMix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

std::uint64_t MixSeed(std::uint64_t seed, std::uint64_t a, std::uint64_t b) {
  return SplitMix64(SplitMix64(SplitMix64(seed) ^ a) ^ (b * 0xd6e8feb86659fd93ULL));
}

double HashUniform(std::uint64_t key) {
  return static_cast<double>(SplitMix64(key) >> 11) * 0x1.0p-53;
}

double HashNormal(std::uint64_t key) {
  // Box–Muller from two independent uniforms; 1 − u keeps the logarithm finite.
  const double u1 = 1.0 - HashUniform(key);
  const double u2 = HashUniform(key ^ 0x5851f42d4c957f2dULL);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

double SmoothNoise(std::uint64_t seed, Timestamp t, Millis period) {
  const std::int64_t p = period.count();
  const std::int64_t ms = ToMillis(t);
  const std::int64_t k = FloorDiv(ms, p);
  const double u = static_cast<double>(ms - k * p) / static_cast<double>(p);
  const double a = HashNormal(MixSeed(seed, static_cast<std::uint64_t>(k)));
  const double b = HashNormal(MixSeed(seed, static_cast<std::uint64_t>(k + 1)));
  const double angle = u * std::numbers::pi / 2.0;
  return a * std::cos(angle) + b * std::sin(angle);
}

std::int64_t FloorDiv(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

double RoundDecimals(double v, int decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::round(v * scale) / scale + 0.0;
}

double FloorDecimals(double v, int decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::floor(v * scale + 1e-9) / scale + 0.0;
}

double Logistic(double x) { return 1.0 / (1.0 + std::exp(-x)); }

}  // namespace ems::sim
