#include <gtest/gtest.h>

#include "ems/auth/login_throttle.h"
#include "ems/auth/password.h"
#include "ems/auth/token.h"

namespace ems::auth {
namespace {

constexpr std::string_view kSecret = "0123456789abcdef0123456789abcdef";

TEST(PasswordTest, HashIsSaltedArgon2idAndVerifies) {
  const auto a = HashPassword("correct horse");
  const auto b = HashPassword("correct horse");
  EXPECT_EQ(a.rfind("$argon2id$", 0), 0u);
  EXPECT_NE(a, b);  // salted
  EXPECT_TRUE(VerifyPassword("correct horse", a));
  EXPECT_FALSE(VerifyPassword("correct horsE", a));
  EXPECT_FALSE(VerifyPassword("x", "not a hash"));
}

TEST(TokenTest, IssuedTokenVerifiesUntilItExpires) {
  const auto now = *ParseTimestamp("2026-11-21T10:00:00Z");
  const auto t = IssueToken(kSecret, "alice", "viewer", now, std::chrono::hours(1));
  EXPECT_EQ(FormatTimestamp(t.expires_at), "2026-11-21T11:00:00Z");
  const auto claims = VerifyToken(kSecret, t.token, now + std::chrono::minutes(59));
  ASSERT_TRUE(claims);
  EXPECT_EQ(claims->username, "alice");
  EXPECT_EQ(claims->role, "viewer");
  EXPECT_FALSE(VerifyToken(kSecret, t.token, now + std::chrono::hours(1)));
}

// Tokens are compared with the instant their user last changed (docs/contract.md §5), which is
// stored in milliseconds: whole seconds would refuse a token issued 300 ms after a change made
// earlier in the same second.
TEST(TokenTest, IssuedAtKeepsMilliseconds) {
  const auto now = *ParseTimestamp("2026-11-21T10:00:00.987Z");
  const auto t = IssueToken(kSecret, "alice", "viewer", now, std::chrono::hours(1));
  const auto claims = VerifyToken(kSecret, t.token, now);
  ASSERT_TRUE(claims);
  EXPECT_EQ(claims->issued_at, now);
  EXPECT_EQ(FormatTimestamp(t.expires_at), "2026-11-21T11:00:00Z");
}

TEST(TokenTest, RejectsWrongKeyTamperingAndGarbage) {
  const auto now = *ParseTimestamp("2026-11-21T10:00:00Z");
  const auto t = IssueToken(kSecret, "alice", "viewer", now, std::chrono::hours(1));
  EXPECT_FALSE(VerifyToken("another-secret-another-secret-xx", t.token, now));
  // Swap the payload for one claiming admin, keeping the old signature.
  const auto dot1 = t.token.find('.'), dot2 = t.token.rfind('.');
  const auto forged = t.token.substr(0, dot1 + 1) +
                      Base64UrlEncode(R"({"sub":"alice","role":"admin","exp":9999999999})") +
                      t.token.substr(dot2);
  EXPECT_FALSE(VerifyToken(kSecret, forged, now));
  for (const char* bad : {"", "a.b", "a.b.c.d", "...", "x.y.z"}) {
    const auto r = VerifyToken(kSecret, bad, now);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kUnauthorized);
  }
}

TEST(TokenTest, Base64UrlRoundTrips) {
  const std::string bytes("\x00\xff\xfe?>", 5);
  EXPECT_EQ(*Base64UrlDecode(Base64UrlEncode(bytes)), bytes);
  EXPECT_FALSE(Base64UrlDecode("***"));
}

using Verdict = LoginThrottle::Verdict;

TEST(LoginThrottleTest, SixthAttemptWithinAMinuteIsBlockedUntilTheMinutePasses) {
  LoginThrottle t;
  const auto t0 = *ParseTimestamp("2026-11-21T10:00:00Z");
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(t.Check("bob", "10.0.0.1", t0 + std::chrono::seconds(i)), Verdict::kAllowed);
    t.RecordFailure("bob", "10.0.0.1", t0 + std::chrono::seconds(i));
  }
  const auto t10 = t0 + std::chrono::seconds(10);
  EXPECT_EQ(t.Check("bob", "10.0.0.1", t10), Verdict::kUserBlocked);
  EXPECT_EQ(t.Check("carol", "10.0.0.1", t10), Verdict::kAllowed);  // per username
  // Guessing from one address does not lock bob out where he really is.
  EXPECT_EQ(t.Check("bob", "192.168.1.7", t10), Verdict::kAllowed);
  // The first failure leaves the window at t0 + 60 s: four remain, so bob may try again.
  EXPECT_EQ(t.Check("bob", "10.0.0.1", t0 + std::chrono::seconds(60)), Verdict::kAllowed);
}

TEST(LoginThrottleTest, OneAddressGuessingManyUsernamesIsBlockedForEveryUsername) {
  LoginThrottle t;
  const auto t0 = *ParseTimestamp("2026-11-21T10:00:00Z");
  for (int i = 0; i < LoginThrottle::kMaxFailuresPerAddress; ++i) {
    EXPECT_EQ(t.Check("user" + std::to_string(i), "10.0.0.1", t0), Verdict::kAllowed);
    t.RecordFailure("user" + std::to_string(i), "10.0.0.1", t0);
  }
  EXPECT_EQ(t.Check("admin", "10.0.0.1", t0), Verdict::kAddressBlocked);
  EXPECT_EQ(t.Check("admin", "10.0.0.2", t0), Verdict::kAllowed);
  EXPECT_EQ(t.Check("admin", "10.0.0.1", t0 + LoginThrottle::kWindow), Verdict::kAllowed);
}

TEST(LoginThrottleTest, MemoryIsBoundedAndExpiredFailuresAreForgotten) {
  LoginThrottle t(100);
  const auto t0 = *ParseTimestamp("2026-11-21T10:00:00Z");
  for (int i = 0; i < 10000; ++i) {
    t.RecordFailure("invented-" + std::to_string(i), "10.0." + std::to_string(i % 250) + ".1", t0);
  }
  EXPECT_EQ(t.remembered(), 100u);
  // The newest failures are the ones kept.
  for (int i = 0; i < 5; ++i) t.RecordFailure("bob", "10.9.9.9", t0);
  EXPECT_EQ(t.Check("bob", "10.9.9.9", t0), Verdict::kUserBlocked);
  EXPECT_EQ(t.Check("bob", "10.9.9.9", t0 + LoginThrottle::kWindow), Verdict::kAllowed);
  EXPECT_EQ(t.remembered(), 0u);
}

}  // namespace
}  // namespace ems::auth
