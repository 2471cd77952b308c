// ems-api: REST and the HTML dashboard over the stored state (docs/contract.md §5–§7), on
// cpp-httplib.
//
// Hardening of cpp-httplib 0.11.4 defaults (docs/decisions.md, HTTP): TCP_NODELAY, a sized worker
// pool, longer keep-alive, bodies refused before they are read unless plain and of a known length
// up to 1 MiB (Content-Encoding → 415, chunked or no Content-Length → 411, over 1 MiB → 413), and
// an exception handler that answers JSON 500 without leaking exception text. Request lines,
// header lines and slow clients are the edge's to bound (edge/nginx.conf.template): this
// library reads them whole before any handler runs.
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
  // The HTML pages (api/pages/), as "METHOD pattern": not part of /openapi.json.
  const std::vector<std::string>& pages() const { return router_.pages(); }

 private:
  void EnsureAdmin(store::Store& store, const std::string& user, const std::string& password);

  const config::Settings& settings_;
  ApiContext ctx_;
  httplib::Server server_;
  metrics::Registry metrics_;
  HttpMetrics http_metrics_{metrics_};
  Router router_;
  std::string host_;
  int port_ = 8080;
};

}  // namespace ems::api
