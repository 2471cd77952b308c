#include "ems/auth/login_throttle.h"

namespace ems::auth {

void LoginThrottle::Expire(std::deque<Timestamp>& failures, Timestamp now) {
  while (!failures.empty() && now - failures.front() >= kWindow) failures.pop_front();
}

bool LoginThrottle::Blocked(const std::string& username, Timestamp now) {
  std::lock_guard lock(mu_);
  auto it = failures_.find(username);
  if (it == failures_.end()) return false;
  Expire(it->second, now);
  if (it->second.empty()) {
    failures_.erase(it);
    return false;
  }
  return static_cast<int>(it->second.size()) >= kMaxFailures;
}

void LoginThrottle::RecordFailure(const std::string& username, Timestamp now) {
  std::lock_guard lock(mu_);
  auto& failures = failures_[username];
  Expire(failures, now);
  failures.push_back(now);
}

}  // namespace ems::auth
