#include "ems/auth/token.h"

#include <sodium.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "ems/codec/json_fields.h"

namespace ems::auth {
std::string HmacSha256(std::string_view secret, std::string_view data) {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(secret.data()),
                              secret.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(data.data()),
                                data.size());
  crypto_auth_hmacsha256_final(&st, mac);
  return std::string(reinterpret_cast<const char*>(mac), sizeof mac);
}

bool SameSecret(std::string_view a, std::string_view b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string RandomToken() {
  [[maybe_unused]] static const bool ready = sodium_init() >= 0;
  unsigned char bytes[24];
  randombytes_buf(bytes, sizeof bytes);
  return Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
}

std::string Base64UrlEncode(std::string_view bytes) {
  const int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_encoded_len(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), variant);
  out.resize(std::char_traits<char>::length(out.c_str()));
  return out;
}

std::optional<std::string> Base64UrlDecode(std::string_view text) {
  std::string out(text.size(), '\0');
  std::size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &len, &end,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      end != text.data() + text.size()) {
    return std::nullopt;
  }
  out.resize(len);
  return out;
}

IssuedToken IssueToken(std::string_view secret, const std::string& username,
                       const std::string& role, Timestamp now, std::chrono::seconds ttl) {
  const auto exp = std::chrono::floor<std::chrono::seconds>(now + ttl);
  const nlohmann::json header = {{"alg", "HS256"}, {"typ", "JWT"}};
  const nlohmann::json payload = {{"sub", username},
                                  {"role", role},
                                  {"iat", static_cast<double>(ToMillis(now)) / 1000.0},
                                  {"exp", exp.time_since_epoch().count()}};
  const std::string signing_input =
      Base64UrlEncode(header.dump()) + "." + Base64UrlEncode(payload.dump());
  return IssuedToken{signing_input + "." + Base64UrlEncode(HmacSha256(secret, signing_input)),
                     std::chrono::time_point_cast<Millis>(exp)};
}

Result<Claims> VerifyToken(std::string_view secret, std::string_view token, Timestamp now) {
  const auto unauthorized = [](const char* why) { return Rejected(ErrorCode::kUnauthorized, why); };
  const auto dot1 = token.find('.');
  const auto dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return unauthorized("The token is malformed.");
  }
  const auto signing_input = token.substr(0, dot2);
  const auto signature = Base64UrlDecode(token.substr(dot2 + 1));
  const auto expected = HmacSha256(secret, signing_input);
  if (!signature || signature->size() != expected.size() ||
      sodium_memcmp(signature->data(), expected.data(), expected.size()) != 0) {
    return unauthorized("The token signature is invalid.");
  }
  const auto header_text = Base64UrlDecode(token.substr(0, dot1));
  const auto payload_text = Base64UrlDecode(token.substr(dot1 + 1, dot2 - dot1 - 1));
  if (!header_text || !payload_text) return unauthorized("The token is malformed.");
  // Signed by us, so well-formed; bounded anyway, as everything parsed from a request is.
  constexpr std::size_t kMaxPart = 4 << 10;
  const auto header_doc = codec::ParseObject(*header_text, kMaxPart);
  const auto payload_doc = codec::ParseObject(*payload_text, kMaxPart);
  if (!header_doc || !payload_doc) return unauthorized("The token is malformed.");
  const auto& header = *header_doc;
  const auto& payload = *payload_doc;
  if (header.value("alg", "") != "HS256" || !payload.contains("exp") ||
      !payload["exp"].is_number_integer() || !payload.contains("iat") ||
      !payload["iat"].is_number() || !payload.contains("sub") || !payload["sub"].is_string() ||
      !payload.contains("role") || !payload["role"].is_string()) {
    return unauthorized("The token is malformed.");
  }
  const Timestamp exp = FromMillis(payload["exp"].get<std::int64_t>() * 1000);
  if (now >= exp) return unauthorized("The token has expired.");
  const auto iat = FromMillis(std::llround(payload["iat"].get<double>() * 1000.0));
  return Claims{payload["sub"].get<std::string>(), payload["role"].get<std::string>(), iat, exp};
}

}  // namespace ems::auth
