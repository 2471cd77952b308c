// Password hashing (SPEC §5): Argon2id through libsodium's crypto_pwhash_str, a salted, slow,
// memory-hard hash in a self-describing string (algorithm, parameters, salt, hash), so the cost
// can be raised later without breaking stored hashes.
#pragma once

#include <string>
#include <string_view>

namespace ems::auth {

std::string HashPassword(std::string_view password);
bool VerifyPassword(std::string_view password, const std::string& stored_hash);

// Random bytes as URL-safe base64 without padding (for generated secrets and salts).
std::string RandomToken(std::size_t bytes);

}  // namespace ems::auth
