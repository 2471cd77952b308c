// User accounts (docs/contract.md §5, §6.1) as both the REST routes (/api/v1/users,
// /api/v1/me/password) and the offline command (`ems-api user ...`) manage them, so the account
// rules live in one place: CheckPassword for every new password, sites that exist for every
// assignment, and never fewer than one admin.
//
// Each operation runs its own write transaction on `store`; password hashes (slow, ~0.1 s) are
// made before it begins, so the write lock is never held while hashing. Every change of
// password, role or sites sets the user's changed_at, which ends the tokens issued before.
#pragma once

#include <optional>
#include <string>

#include "ems/codec/user_codec.h"
#include "ems/domain/result.h"
#include "ems/domain/time.h"
#include "ems/store/store.h"

namespace ems::api {

struct CreatedAccount {
  store::User user;
  std::optional<std::string> generated_password;  // set when the body named none
};

// Rejects kInvalidUser (a password breaking CheckPassword, a site that does not exist) and
// kConflict (the username is taken).
Result<CreatedAccount> CreateAccount(store::Store& store, const codec::NewUserBody& body,
                                     Timestamp now);

// Changes what `change` names (its username, if any, must be `username`: the caller checks); a
// role or sites equal to the user's are no change and end no token. Rejects kNotFound ("User x
// not found."), kInvalidUser, and kConflict when it would leave no admin.
Result<store::User> ChangeAccount(store::Store& store, const std::string& username,
                                  const codec::UserChangeBody& change, Timestamp now);

// Rejects kNotFound and kConflict when it would leave no admin.
Result<void> DeleteAccount(store::Store& store, const std::string& username);

// A random password that meets CheckPassword for `username` (24 characters of base64url).
std::string GeneratePassword(const std::string& username);

}  // namespace ems::api
