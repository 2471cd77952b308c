// SPEC §5: more than 5 failed logins for one username within a minute answer 429 until that
// minute has passed, without checking the password. Pure (time is a parameter); thread-safe.
#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <string>

#include "ems/domain/time.h"

namespace ems::auth {

class LoginThrottle {
 public:
  static constexpr int kMaxFailures = 5;
  static constexpr std::chrono::seconds kWindow{60};

  // True once this username has had kMaxFailures failures within the last window: the next
  // attempt, the sixth, is "more than 5" and answers 429 without a password check.
  bool Blocked(const std::string& username, Timestamp now);
  void RecordFailure(const std::string& username, Timestamp now);

 private:
  void Expire(std::deque<Timestamp>& failures, Timestamp now);
  std::mutex mu_;
  std::map<std::string, std::deque<Timestamp>> failures_;
};

}  // namespace ems::auth
