// docs/contract.md §5 login throttling, bounded in memory and keyed so that nobody can lock a user
// out from afar. A failed login counts against its (username, client address) pair and against its
// client address:
// - kMaxFailuresPerUser failures for one username from one address within kWindow: the next
//   attempt from there (the sixth, "more than 5") answers 429 without a password check, until
//   enough of those failures have left the window. The same user from elsewhere is unaffected.
// - kMaxFailuresPerAddress failures from one address, whatever the usernames: likewise for
//   every attempt from that address, so guessing across many usernames is bounded too.
// At most `capacity` failures are remembered; past that the oldest are forgotten first, so no
// stream of invented usernames or addresses grows the table. Pure (time is a parameter);
// thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

#include "ems/domain/time.h"

namespace ems::auth {

class LoginThrottle {
 public:
  static constexpr int kMaxFailuresPerUser = 5;
  static constexpr int kMaxFailuresPerAddress = 20;
  static constexpr std::chrono::seconds kWindow{60};
  static constexpr std::size_t kDefaultCapacity = 100000;

  enum class Verdict { kAllowed, kUserBlocked, kAddressBlocked };

  // `capacity` >= 1.
  explicit LoginThrottle(std::size_t capacity = kDefaultCapacity) : capacity_(capacity) {}

  Verdict Check(const std::string& username, const std::string& address, Timestamp now);
  void RecordFailure(const std::string& username, const std::string& address, Timestamp now);
  // Failures currently remembered (at most the capacity).
  std::size_t remembered();

 private:
  struct Failure {
    Timestamp at;
    std::string user_key;  // address and username
    std::string address;
  };
  void ForgetOldest();
  void Expire(Timestamp now);

  const std::size_t capacity_;
  std::mutex mu_;
  std::deque<Failure> failures_;  // in the order they happened, oldest first
  std::unordered_map<std::string, int> per_user_;
  std::unordered_map<std::string, int> per_address_;
};

}  // namespace ems::auth
