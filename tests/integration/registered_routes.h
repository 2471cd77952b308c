// The routes ems-api registers (ApiApp::routes(), "METHOD pattern"), for the tests that must ask
// every one of them: the access matrix and the contract recorder. Needs ems_api_core.
#pragma once

#include <regex>
#include <string>
#include <vector>

#include "api/api_app.h"

namespace ems::testing {

// "METHOD pattern" of every route the API registers, from a server built in-process on a
// database in `dir`.
inline std::vector<std::string> RegisteredRoutes(const std::string& dir) {
  const std::string db = "--db-path=" + dir + "/routes.db";
  const char* argv[] = {"ems-api", db.c_str(), "--jwt-secret=0123456789abcdef0123456789abcdef"};
  const config::Settings settings("ems-api", api::ApiOptions(), 3, argv, "/nonexistent/.env");
  return api::ApiApp(settings).routes();
}

// True when "METHOD pattern" serves `method` and `path` (its query left out).
inline bool Serves(const std::string& route, const std::string& method, const std::string& path) {
  const auto space = route.find(' ');
  return route.substr(0, space) == method &&
         std::regex_match(path.substr(0, path.find('?')), std::regex(route.substr(space + 1)));
}

}  // namespace ems::testing
