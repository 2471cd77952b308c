// Bearer tokens (SPEC §5): HS256 JWTs carrying the username (`sub`), the role and `exp`.
// Pure apart from the HMAC: `now` is a parameter.
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
  Timestamp expires_at;
};

struct IssuedToken {
  std::string token;
  Timestamp expires_at;
};

IssuedToken IssueToken(std::string_view secret, const std::string& username,
                       const std::string& role, Timestamp now, std::chrono::seconds ttl);

// Rejects (ErrorCode::kUnauthorized) malformed, wrongly signed, non-HS256 and expired tokens.
Result<Claims> VerifyToken(std::string_view secret, std::string_view token, Timestamp now);

// base64url without padding, as JWT uses it. Decoding answers std::nullopt for anything else.
std::string Base64UrlEncode(std::string_view bytes);
std::optional<std::string> Base64UrlDecode(std::string_view text);

}  // namespace ems::auth
