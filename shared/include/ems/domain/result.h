// Result<T>: the value of an operation that may be rejected for a reason a user can act on.
//
// Expected failures (bad input, broken rules) are values, never exceptions: a Reject carries a
// short machine-readable `reason` (dead-letter reason, e.g. "invalid_json", "unknown_device")
// and a one-sentence human `message`. Infrastructure failures (disk, broker) are exceptions and
// are caught at the process edge.
#pragma once

#include <expected>
#include <string>
#include <utility>

namespace ems {

struct Reject {
  std::string reason;   // snake_case slug, stable: counted in ingest stats
  std::string message;  // one human sentence, ends with a period
};

template <class T>
using Result = std::expected<T, Reject>;

inline std::unexpected<Reject> Rejected(std::string reason, std::string message) {
  return std::unexpected<Reject>(Reject{std::move(reason), std::move(message)});
}

}  // namespace ems

// Declares `var` as the value of the Result `expr`, or returns its Reject from the enclosing
// function (which must return some Result<U>).
#define EMS_TRY(var, expr)                                         \
  auto var##_result = (expr);                                      \
  if (!var##_result) return std::unexpected(var##_result.error()); \
  auto var = std::move(*var##_result)
