// Bearer tokens (docs/contract.md §5): HS256 JWTs carrying the username (`sub`), the role, `iat`
// and `exp`. Pure apart from the HMAC: `now` is a parameter.
//
// `iat` carries milliseconds (a fractional NumericDate, as RFC 7519 allows): the API refuses a
// token issued before its user's password, role or sites last changed, and whole seconds would
// either refuse a token issued in the same second right after the change or accept one issued
// just before it.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "ems/domain/result.h"
#include "ems/domain/time.h"

namespace ems::auth {

struct Claims {
  std::string username;
  std::string role;
  Timestamp issued_at;  // millisecond precision
  Timestamp expires_at;
};

struct IssuedToken {
  std::string token;
  Timestamp expires_at;
};

IssuedToken IssueToken(std::string_view secret, const std::string& username,
                       const std::string& role, Timestamp now, std::chrono::seconds ttl);

// Rejects (ErrorCode::kUnauthorized) malformed, wrongly signed, non-HS256 and expired tokens,
// and tokens without a numeric `iat`.
Result<Claims> VerifyToken(std::string_view secret, std::string_view token, Timestamp now);

// HMAC-SHA-256 of `data` under `secret` (32 raw bytes): token signatures, the dashboard's CSRF
// tokens.
std::string HmacSha256(std::string_view secret, std::string_view data);
// a == b in a time that does not depend on where they differ.
bool SameSecret(std::string_view a, std::string_view b);
// 24 random bytes as base64url: an unguessable value (a cookie's).
std::string RandomToken();

// base64url without padding, as JWT uses it. Decoding answers std::nullopt for anything else.
std::string Base64UrlEncode(std::string_view bytes);
std::optional<std::string> Base64UrlDecode(std::string_view text);

}  // namespace ems::auth
