// The login of docs/contract.md §5, as the JSON route (auth_routes.cpp) and the dashboard's form
// (api/pages/) both run it: the username's and the address's throttle, the password check (timed
// alike for unknown users), the failure counted, a token issued.
#pragma once

#include <string>

#include "api/http.h"
#include "ems/auth/token.h"

namespace ems::api {

struct LoggedIn {
  auth::IssuedToken issued;
  Role role = Role::kViewer;
};

// Fails kInvalidParameter (a username that is not an id), kThrottled (429) and kUnauthorized
// ("Wrong username or password.").
LoggedIn LogIn(ApiContext& ctx, const std::string& username, const std::string& password,
               const std::string& address);

}  // namespace ems::api
