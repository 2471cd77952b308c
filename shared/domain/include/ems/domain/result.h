// Result<T>: the value of an operation that may be rejected for a reason a user can act on.
//
// Expected failures (bad input, broken rules) are values, never exceptions: a Reject carries an
// ErrorCode from the closed set of ems/domain/error.h and a one-sentence human `message`.
// Infrastructure failures (disk, broker) are exceptions and are caught at the process edge.
//
// Result has the shape of std::expected<T, Reject> (has_value, *, ->, error, value_or) but is
// our own small type: the fuzz targets build the codecs with Debian's clang 14, whose libstdc++
// 12 <expected> is empty for clang (docs/architecture.md, Code style), and both compilers must
// build the same code.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

#include "ems/domain/error.h"

namespace ems {

// The failure side of a Result, as std::unexpected is for std::expected.
struct Unexpected {
  explicit Unexpected(Reject r) : reject(std::move(r)) {}
  Reject reject;
};

template <class T>
class Result {
 public:
  Result() requires std::is_default_constructible_v<T> : v_(std::in_place_index<0>) {}
  template <class U = T>
  requires(std::is_constructible_v<T, U&&> && !std::is_same_v<std::remove_cvref_t<U>, Result> &&
           !std::is_same_v<std::remove_cvref_t<U>, Unexpected>) Result(U&& value)
      : v_(std::in_place_index<0>, std::forward<U>(value)) {}                            // NOLINT
  Result(Unexpected failure) : v_(std::in_place_index<1>, std::move(failure.reject)) {}  // NOLINT

  bool has_value() const { return v_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& operator*() & { return std::get<0>(v_); }
  const T& operator*() const& { return std::get<0>(v_); }
  T&& operator*() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &std::get<0>(v_); }
  const T* operator->() const { return &std::get<0>(v_); }
  // Throws std::logic_error when this holds a Reject (a programming error at the call site).
  T& value() & {
    Check();
    return std::get<0>(v_);
  }
  const T& value() const& {
    Check();
    return std::get<0>(v_);
  }
  template <class U>
  T value_or(U&& fallback) const& {
    return has_value() ? **this : static_cast<T>(std::forward<U>(fallback));
  }

  const Reject& error() const { return std::get<1>(v_); }

  // Equal to a value when it holds an equal value (as std::expected compares).
  template <class U>
  requires(!std::is_same_v<U, Result>) friend bool operator==(const Result& r, const U& v) {
    return r.has_value() && *r == v;
  }

 private:
  void Check() const {
    if (!has_value()) throw std::logic_error("Result holds a Reject: " + error().message);
  }

  std::variant<T, Reject> v_;
};

template <>
class Result<void> {
 public:
  Result() = default;
  Result(Unexpected failure) : reject_(std::move(failure.reject)) {}  // NOLINT

  bool has_value() const { return !reject_; }
  explicit operator bool() const { return has_value(); }
  void operator*() const {}
  const Reject& error() const { return *reject_; }

 private:
  std::optional<Reject> reject_;
};

inline Unexpected Rejected(ErrorCode code, std::string message) {
  return Unexpected(Reject{code, std::move(message)});
}

}  // namespace ems

// Declares `var` as the value of the Result `expr`, or returns its Reject from the enclosing
// function (which must return some Result<U>).
#define EMS_TRY(var, expr)                                           \
  auto var##_result = (expr);                                        \
  if (!var##_result) return ::ems::Unexpected(var##_result.error()); \
  auto var = std::move(*var##_result)
