#include "api/api_app.h"

#include <sys/socket.h>

#include <atomic>
#include <thread>

#include "api/pages/pages.h"
#include "api/routes/routes.h"
#include "ems/auth/password.h"
#include "ems/domain/ids.h"
#include "ems/mqtt/client.h"
#include "ems/store/database.h"
#include "ems/store/store.h"
#include "ems/util/log.h"

namespace ems::api {
namespace {

// Answers before the body is read. The unread body would be taken for the next request on this
// connection, so the client (the edge, too) is told to close it.
httplib::Server::HandlerResponse RefuseBody(httplib::Response& res, int status,
                                            const std::string& message) {
  SendError(res, status, message);
  res.set_header("Connection", "close");
  return httplib::Server::HandlerResponse::Handled;
}

}  // namespace

std::vector<config::Option> ApiOptions() {
  auto options = config::CommonOptions("ems-api", "ems-api");
  options.push_back({"EMS_API_LISTEN", "127.0.0.1:8080", "address the API listens on"});
  options.push_back(
      {"EMS_JWT_SECRET", "", "HMAC key for tokens, at least 32 bytes (required)", true});
  options.push_back({"EMS_ADMIN_USER", "", "admin created at start if missing"});
  options.push_back({"EMS_ADMIN_PASSWORD", "", "password of that admin", true});
  for (auto& o : config::StoredDataOptions()) options.push_back(std::move(o));
  options.push_back({"EMS_API_THREADS", "16", "HTTP worker threads"});
  options.push_back({"EMS_OCPP_CONTROL_URL", "http://127.0.0.1:9001",
                     "ems-ocpp's control endpoint, for remote start and stop (docs/ocpp.md)"});
  options.push_back({"EMS_OCPP_CONTROL_SECRET", "",
                     "bearer token of that endpoint (empty: remote commands answer 409)", true});
  for (auto& o : config::HomeAssistantOptions()) options.push_back(std::move(o));
  options.push_back(config::MetricsOption("127.0.0.1:9102"));
  return options;
}

ApiApp::ApiApp(const config::Settings& s) : settings_(s), router_(server_, ctx_, http_metrics_) {
  ctx_.db_path = s.Get("EMS_DB_PATH");
  ctx_.database = store::DatabaseOf(s);
  ctx_.ocpp_control_url = s.Get("EMS_OCPP_CONTROL_URL");
  ctx_.ocpp_control_secret = s.Get("EMS_OCPP_CONTROL_SECRET");
  ctx_.jwt_secret = s.Get("EMS_JWT_SECRET");
  if (ctx_.jwt_secret.size() < 32) {
    throw config::ConfigError("EMS_JWT_SECRET", "is required and must be at least 32 bytes.");
  }
  const auto& admin_password = s.Get("EMS_ADMIN_PASSWORD");
  if (!admin_password.empty()) {
    if (const auto ok = CheckPassword(s.Get("EMS_ADMIN_USER"), admin_password); !ok) {
      throw config::ConfigError("EMS_ADMIN_PASSWORD", ok.error().message +
                                                          " (./run.sh and scripts/ensure-env.sh "
                                                          "make one).");
    }
  }
  ctx_.topic_prefix = s.Get("EMS_TOPIC_PREFIX");
  ctx_.default_currency = s.GetCurrency("EMS_DEFAULT_CURRENCY");
  ctx_.stale_after = std::chrono::seconds(s.GetInt("EMS_STALE_AFTER_S", 1, 86400));
  std::tie(host_, port_) = s.GetHostPort("EMS_API_LISTEN");
  ctx_.home_assistant = mqtt::HaSettingsFrom(s);
  metrics::AddBuildInfo(metrics_, "ems-api");
  metrics::AddProcessMetrics(metrics_);
  // Opening fails at start with a clear line when the database is unusable.
  EnsureAdmin(*store::OpenStore(ctx_.database), s.Get("EMS_ADMIN_USER"),
              s.Get("EMS_ADMIN_PASSWORD"));

  const int threads = static_cast<int>(s.GetInt("EMS_API_THREADS", 1, 1024));
  server_.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server_.set_tcp_nodelay(true);
  server_.set_keep_alive_max_count(1000);
  server_.set_read_timeout(std::chrono::seconds(10));
  server_.set_payload_max_length(kMaxRequestBody);
  // Runs after the headers and before cpp-httplib reads the body, which it would hold whole in
  // memory (read until the connection closes when there is no length, inflated when encoded):
  // refuse every body that is not plain and of a known, allowed length.
  server_.set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
    if (req.has_header("Content-Encoding")) {
      return RefuseBody(res, 415, "Send the request body without Content-Encoding.");
    }
    const bool has_length = req.has_header("Content-Length");
    const bool may_have_body = req.method == "POST" || req.method == "PUT" || req.method == "PATCH";
    if (req.has_header("Transfer-Encoding") || (may_have_body && !has_length)) {
      return RefuseBody(res, 411, "Send the request body with a Content-Length, not chunked.");
    }
    if (has_length && req.get_header_value<std::uint64_t>("Content-Length") > kMaxRequestBody) {
      return RefuseBody(res, 413, "The request body is larger than 1 MiB.");
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  server_.set_exception_handler(
      [](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unknown exception";
        try {
          std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        log::Error("request " + req.method + " " + req.path + " failed: " + what);
        res.headers.clear();
        SendError(res, 500, "The server failed to answer this request.");
      });
  server_.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
    http_metrics_.AfterRequest(req.method, res.status);
  });
  server_.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.body.empty()) {
      if (res.status == 404) {
        SendError(res, 404, "No such route.");
      } else if (res.status == 413) {
        SendError(res, 413, "The request body is larger than 1 MiB.");
      } else if (res.status >= 400) {
        SendError(res, res.status, "The request could not be served.");
      }
    }
  });

  // Security headers on every answer (docs/dashboard.md): scripts, styles, images and requests
  // only from ems-api itself and never inline, forms only to it, no framing, no MIME sniffing,
  // no referrer to other sites.
  server_.set_post_routing_handler([](const httplib::Request&, httplib::Response& res) {
    res.set_header("Content-Security-Policy",
                   "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                   "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
                   "base-uri 'none'");
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("Referrer-Policy", "same-origin");
    res.set_header("X-Frame-Options", "DENY");
  });

  RegisterSystemRoutes(router_);
  RegisterAuthRoutes(router_);
  RegisterUserRoutes(router_);
  RegisterSessionRoutes(router_);
  RegisterIngestRoutes(router_);
  RegisterScheduleRoutes(router_);
  RegisterContractRoutes(router_);
  RegisterSiteRoutes(router_);
  RegisterDeviceRoutes(router_);
  RegisterSubscriptionRoutes(router_);
  pages::RegisterPages(router_);
}

void ApiApp::EnsureAdmin(store::Store& store, const std::string& user,
                         const std::string& password) {
  if (user.empty() || password.empty()) return;
  if (!IsValidId(user)) throw config::ConfigError("EMS_ADMIN_USER", "is not a valid user id.");
  if (store.Users().Get(user)) return;
  const store::User admin{user, auth::HashPassword(password), Role::kAdmin, {}, {}};
  auto tx = store.Begin(store::TxMode::kWrite);
  const bool created = store.Users().Create(admin, Now());  // false: another API was first
  tx.Commit();
  if (created) log::Info("created admin user " + user);
}

void ApiApp::Run(const std::atomic<bool>& stop) {
  // Only SO_REUSEADDR (a restart may bind while the last one's connections linger): httplib's
  // default also sets SO_REUSEPORT, with which a second API on the same address binds too and
  // silently takes a share of the connections instead of failing.
  server_.set_socket_options([](socket_t sock) {
    const int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  const int port = port_ == 0 ? server_.bind_to_any_port(host_) : port_;
  if (port_ != 0 && !server_.bind_to_port(host_, port_)) {
    throw config::ConfigError("EMS_API_LISTEN",
                              "cannot listen on " + host_ + ":" + std::to_string(port_) +
                                  " (address in use or not allowed); choose another address.");
  }
  if (port < 0) throw config::ConfigError("EMS_API_LISTEN", "cannot bind " + host_ + ".");
  // Its own loopback address, never the edge's (docs/contract.md §8); started here, not in the
  // constructor, so an ApiApp built only to list its routes binds nothing.
  const auto metrics_server = metrics::ServeMetrics(metrics_, settings_);
  log::Info("API listening on http://" + host_ + ":" + std::to_string(port));
  // The API's broker connection announces its status and publishes derived state that users
  // change (EV schedules); it must never hold up the
  // REST service, so it connects in the background.
  const auto mqtt_settings = mqtt::ConnectionFromSettings(settings_, "api");
  auto client = mqtt::MakeClient(mqtt_settings, "", 10000);
  mqtt::Outbox outbox(*client, 10000);
  ctx_.publish_retained = [&outbox](const std::string& topic, const std::string& payload) {
    outbox.Publish(topic, payload, true);
  };
  std::atomic<bool> http_ended = false;
  std::thread http([&] {
    server_.listen_after_bind();
    http_ended = true;
  });

  std::thread mqtt_thread([&] { mqtt::ConnectWithRetry(*client, mqtt_settings, outbox, stop); });

  while (!stop) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  // httplib's stop() does nothing until its listen loop runs, and a signal during start-up (the
  // database opening) can come before that: stop it once it runs, or it would serve on forever.
  while (!server_.is_running() && !http_ended) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  server_.stop();
  http.join();
  ctx_.publish_retained = [](const std::string&, const std::string&) {};
  mqtt_thread.join();
  mqtt::DisconnectCleanly(*client, mqtt_settings, outbox);
}

}  // namespace ems::api
