// ems-api: REST over the stored state (SPEC §5, §6), on cpp-httplib.
//
// Hardening of cpp-httplib 0.11.4 defaults (DESIGN.md): TCP_NODELAY, a sized worker pool,
// longer keep-alive, a 1 MiB body limit enforced before the body is read (Content-Length over
// the limit → 413, chunked bodies refused), and an exception handler that answers JSON 500
// without leaking exception text.
#pragma once

#include <atomic>
#include <memory>

#include "api/http.h"
#include "ems/config/settings.h"

namespace ems::api {

std::vector<config::Option> ApiOptions();

class ApiApp {
 public:
  explicit ApiApp(const config::Settings& settings);
  void Run(const std::atomic<bool>& stop);

  // For tests: the routes registered, as "METHOD pattern".
  const std::vector<std::string>& routes() const { return router_.routes(); }

 private:
  void EnsureAdmin(const std::string& user, const std::string& password);

  const config::Settings& settings_;
  ApiContext ctx_;
  httplib::Server server_;
  Router router_;
  std::string host_;
  int port_ = 8080;
};

}  // namespace ems::api
