#include "ems/domain/session_ledger.h"

#include <algorithm>
#include <chrono>

namespace ems {
namespace {

std::chrono::sys_days DaysOf(const Date& d) {
  return std::chrono::year_month_day(std::chrono::year(d.year),
                                     std::chrono::month(static_cast<unsigned>(d.month)),
                                     std::chrono::day(static_cast<unsigned>(d.day)));
}

}  // namespace

Result<void> ValidateLedgerRange(const Date& from, const Date& to) {
  if (from > to) {
    return Rejected(ErrorCode::kInvalidQuery, "'from' must not be after 'to'.");
  }
  if ((DaysOf(to) - DaysOf(from)).count() + 1 > kMaxLedgerDays) {
    return Rejected(ErrorCode::kInvalidQuery, "A ledger covers at most " +
                                                  std::to_string(kMaxLedgerDays) +
                                                  " days; ask for a shorter range.");
  }
  return {};
}

Reject TooManyLedgerSessions(const Date& from, const Date& to) {
  return Reject{ErrorCode::kInvalidQuery, "The ledger from " + FormatDate(from) + " to " +
                                              FormatDate(to) + " holds more than " +
                                              std::to_string(kMaxLedgerSessions) +
                                              " sessions; ask for a shorter range."};
}

std::optional<double> SolarShare(const ChargingSession& session,
                                 std::span<const EnergyBucket> buckets, Timestamp end,
                                 Timestamp now) {
  const Timestamp start = session.started_at;
  const Timestamp stop = session.ended_at.value_or(now);
  if (stop <= start || buckets.empty() || start < buckets.front().ts || stop > end) {
    return std::nullopt;
  }
  double covered = 0;  // Σ share × ms of the session in the bucket
  for (std::size_t i = 0; i < buckets.size(); ++i) {
    const Timestamp bucket_end = i + 1 < buckets.size() ? buckets[i + 1].ts : end;
    const Timestamp from = std::max(start, buckets[i].ts), to = std::min(stop, bucket_end);
    if (from >= to) continue;
    const auto& b = buckets[i];
    if (!(b.consumed_wh > 0)) return std::nullopt;
    covered +=
        std::min(1.0, b.produced_wh / b.consumed_wh) * static_cast<double>((to - from).count());
  }
  return covered / static_cast<double>((stop - start).count());
}

}  // namespace ems
