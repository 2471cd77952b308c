#include "ems/auth/password.h"

#include <sodium.h>

#include <semaphore>
#include <stdexcept>

#include "ems/auth/token.h"

namespace ems::auth {
namespace {

void EnsureSodium() {
  static const bool ok = sodium_init() >= 0;
  if (!ok) throw std::runtime_error("libsodium failed to initialise");
}

// One of the kConcurrentHashes slots, held for the life of the object.
class HashSlot {
 public:
  HashSlot() { Slots().acquire(); }
  ~HashSlot() { Slots().release(); }
  HashSlot(const HashSlot&) = delete;
  HashSlot& operator=(const HashSlot&) = delete;

 private:
  static std::counting_semaphore<>& Slots() {
    static std::counting_semaphore<> slots(kConcurrentHashes);
    return slots;
  }
};

}  // namespace

std::string HashPassword(std::string_view password) {
  EnsureSodium();
  char out[crypto_pwhash_STRBYTES];
  const HashSlot slot;
  // INTERACTIVE limits: 64 MiB and 2 passes, about 0.1 s here; logins are throttled anyway.
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    throw std::runtime_error("out of memory while hashing a password");
  }
  return out;
}

bool VerifyPassword(std::string_view password, const std::string& stored_hash) {
  EnsureSodium();
  const HashSlot slot;
  return crypto_pwhash_str_verify(stored_hash.c_str(), password.data(), password.size()) == 0;
}

std::string RandomToken(std::size_t bytes) {
  EnsureSodium();
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  return Base64UrlEncode(raw);
}

}  // namespace ems::auth
