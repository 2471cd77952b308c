// Password hashing (docs/contract.md §5): Argon2id through libsodium's crypto_pwhash_str, a salted,
// slow, memory-hard hash in a self-describing string (algorithm, parameters, salt, hash), so the
// cost can be raised later without breaking stored hashes.
//
// Each hash holds 64 MiB and a core for about 0.1 s, so at most kConcurrentHashes run at once in
// a process; further callers wait. A burst of logins, which anyone can send, then costs time,
// not 64 MiB per server thread.
#pragma once

#include <string>
#include <string_view>

namespace ems::auth {

inline constexpr int kConcurrentHashes = 2;

std::string HashPassword(std::string_view password);
bool VerifyPassword(std::string_view password, const std::string& stored_hash);

// Random bytes as URL-safe base64 without padding (for generated secrets and salts).
std::string RandomToken(std::size_t bytes);

}  // namespace ems::auth
