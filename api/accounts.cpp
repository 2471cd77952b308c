#include "api/accounts.h"

#include "ems/auth/password.h"
#include "ems/domain/user.h"

namespace ems::api {
namespace {

Reject UserNotFound(const std::string& username) { return NotFound("User", username); }

Result<void> RequireSitesExist(store::Store& store, const std::vector<std::string>& site_ids) {
  for (const auto& id : site_ids) {
    if (!store.Sites().Timezone(id)) {
      return Rejected(ErrorCode::kInvalidUser, "Site " + id + " does not exist.");
    }
  }
  return {};
}

// The hash of a new password for `username`, once it meets the rules.
Result<std::string> HashNewPassword(const std::string& username, const std::string& password) {
  if (auto ok = CheckPassword(username, password); !ok) return Unexpected(ok.error());
  return auth::HashPassword(password);
}

Result<void> KeepAnAdmin(store::Store& store) {
  if (store.Users().CountAdmins() == 0) {
    return Rejected(ErrorCode::kConflict,
                    "This would leave no admin; make another user admin first.");
  }
  return {};
}

}  // namespace

std::string GeneratePassword(const std::string& username) {
  while (true) {
    auto password = auth::RandomToken(18);
    if (CheckPassword(username, password)) return password;
  }
}

Result<CreatedAccount> CreateAccount(store::Store& store, const codec::NewUserBody& body,
                                     Timestamp now) {
  CreatedAccount created;
  if (!body.password) created.generated_password = GeneratePassword(body.username);
  EMS_TRY(hash, HashNewPassword(body.username,
                                body.password ? *body.password : *created.generated_password));
  created.user = store::User{body.username, std::move(hash), body.role, body.site_ids, now};
  auto tx = store.Begin(store::TxMode::kWrite);
  if (auto ok = RequireSitesExist(store, body.site_ids); !ok) return Unexpected(ok.error());
  if (!store.Users().Create(created.user, now)) {
    return Rejected(ErrorCode::kConflict, "User " + body.username + " already exists.");
  }
  tx.Commit();
  return created;
}

Result<store::User> ChangeAccount(store::Store& store, const std::string& username,
                                  const codec::UserChangeBody& change, Timestamp now) {
  store::UserChange stored{std::nullopt, change.role, change.site_ids};
  if (change.password) {
    EMS_TRY(hash, HashNewPassword(username, *change.password));
    stored.password_hash = std::move(hash);
  }
  auto tx = store.Begin(store::TxMode::kWrite);
  auto user = store.Users().Get(username);
  if (!user) return Unexpected(UserNotFound(username));
  if (change.site_ids) {
    if (auto ok = RequireSitesExist(store, *change.site_ids); !ok) return Unexpected(ok.error());
  }
  // Naming the role or sites a user already has changes nothing, and ends no token.
  if (stored.password_hash || (change.role && *change.role != user->role) ||
      (change.site_ids && *change.site_ids != user->site_ids)) {
    store.Users().Update(username, stored, now);
    if (auto ok = KeepAnAdmin(store); !ok) return Unexpected(ok.error());
    user = store.Users().Get(username);
  }
  tx.Commit();
  return std::move(*user);
}

Result<void> DeleteAccount(store::Store& store, const std::string& username) {
  auto tx = store.Begin(store::TxMode::kWrite);
  if (!store.Users().Delete(username)) return Unexpected(UserNotFound(username));
  if (auto ok = KeepAnAdmin(store); !ok) return ok;
  tx.Commit();
  return {};
}

}  // namespace ems::api
