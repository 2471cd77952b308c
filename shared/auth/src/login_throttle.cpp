#include "ems/auth/login_throttle.h"

namespace ems::auth {
namespace {

std::string UserKey(const std::string& username, const std::string& address) {
  return address + '\n' + username;  // neither may contain a line break
}

void Decrement(std::unordered_map<std::string, int>& counts, const std::string& key) {
  const auto it = counts.find(key);
  if (it != counts.end() && --it->second <= 0) counts.erase(it);
}

int CountOf(const std::unordered_map<std::string, int>& counts, const std::string& key) {
  const auto it = counts.find(key);
  return it == counts.end() ? 0 : it->second;
}

}  // namespace

void LoginThrottle::ForgetOldest() {
  const auto& oldest = failures_.front();
  Decrement(per_user_, oldest.user_key);
  Decrement(per_address_, oldest.address);
  failures_.pop_front();
}

void LoginThrottle::Expire(Timestamp now) {
  while (!failures_.empty() && now - failures_.front().at >= kWindow) ForgetOldest();
}

LoginThrottle::Verdict LoginThrottle::Check(const std::string& username, const std::string& address,
                                            Timestamp now) {
  std::lock_guard lock(mu_);
  Expire(now);
  if (CountOf(per_address_, address) >= kMaxFailuresPerAddress) return Verdict::kAddressBlocked;
  if (CountOf(per_user_, UserKey(username, address)) >= kMaxFailuresPerUser) {
    return Verdict::kUserBlocked;
  }
  return Verdict::kAllowed;
}

void LoginThrottle::RecordFailure(const std::string& username, const std::string& address,
                                  Timestamp now) {
  std::lock_guard lock(mu_);
  Expire(now);
  if (failures_.size() >= capacity_) ForgetOldest();
  failures_.push_back({now, UserKey(username, address), address});
  ++per_user_[failures_.back().user_key];
  ++per_address_[address];
}

std::size_t LoginThrottle::remembered() {
  std::lock_guard lock(mu_);
  return failures_.size();
}

}  // namespace ems::auth
