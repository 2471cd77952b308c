#include "ocpp/ocpp_app.h"

#include <sys/resource.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <map>
#include <thread>

#include "ems/metrics/metrics.h"
#include "ems/mqtt/client.h"
#include "ems/mqtt/topics.h"
#include "ems/store/database.h"
#include "ems/util/log.h"
#include "ocpp/central_system.h"

namespace ems::ocpp {
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

// Messages still queued for the broker while it is away; past this, transaction messages are
// refused (CALLERROR InternalError) and the chargers send them again later.
constexpr int kMaxBuffered = 100000;

tcp::endpoint Endpoint(const config::Settings& s, const std::string& name) {
  const auto text = s.Get(name);
  const auto colon = text.rfind(':');
  try {
    if (colon == std::string::npos || colon == 0) throw std::invalid_argument("no port");
    std::size_t used = 0;
    const int port = std::stoi(text.substr(colon + 1), &used);
    if (used != text.size() - colon - 1 || port < 0 || port > 65535) {
      throw std::invalid_argument("bad port");
    }
    return {net::ip::make_address(text.substr(0, colon)), static_cast<unsigned short>(port)};
  } catch (const std::exception&) {
    throw config::ConfigError(name, "must be an IP address and port, got '" + text + "'.");
  }
}

// The EV of "{p}/sites/{site}/devices/{ev}/schedule".
std::optional<std::string> ScheduleOf(const std::string& prefix, const std::string& topic) {
  const std::string head = prefix + "/sites/";
  constexpr std::string_view kTail = "/schedule";
  if (!topic.starts_with(head) || !topic.ends_with(kTail)) return std::nullopt;
  const auto middle = topic.substr(head.size(), topic.size() - head.size() - kTail.size());
  const auto slash = middle.find("/devices/");
  if (slash == std::string::npos) return std::nullopt;
  return middle.substr(slash + 9);
}

}  // namespace

std::vector<config::Option> OcppOptions() {
  auto options = config::CommonOptions("ems-ocpp", "ems-ocpp");
  for (auto& o : config::StoredDataOptions()) {
    if (o.name == "EMS_DEFAULT_CURRENCY") options.push_back(std::move(o));  // of sessions
  }
  options.push_back({"EMS_OCPP_LISTEN", "127.0.0.1:9000",
                     "OCPP 1.6J WebSocket address chargers connect to (/ocpp/{station})"});
  options.push_back({"EMS_OCPP_HEARTBEAT_S", "300", "heartbeat interval given to chargers"});
  options.push_back({"EMS_OCPP_CONTROL_LISTEN", "127.0.0.1:9001",
                     "address of the control endpoint ems-api sends remote commands to"});
  options.push_back({"EMS_OCPP_CONTROL_SECRET", "",
                     "bearer token ems-api must present on the control endpoint (empty: remote "
                     "commands refused)",
                     true});
  options.push_back({"EMS_OCPP_MAX_CONNECTIONS", "5000", "OCPP connections held at most"});
  options.push_back(config::MetricsOption("127.0.0.1:9104"));
  return options;
}

void RunOcpp(const config::Settings& settings, const std::atomic<bool>& stop) {
  const auto mqtt_settings = mqtt::ConnectionFromSettings(settings, "ocpp");
  const auto ocpp_endpoint = Endpoint(settings, "EMS_OCPP_LISTEN");
  const auto control_endpoint = Endpoint(settings, "EMS_OCPP_CONTROL_LISTEN");
  CentralSystemOptions options;
  options.prefix = mqtt_settings.prefix;
  options.default_currency = settings.GetCurrency("EMS_DEFAULT_CURRENCY");
  options.heartbeat = std::chrono::seconds(settings.GetInt("EMS_OCPP_HEARTBEAT_S", 10, 86400));
  options.max_connections =
      static_cast<std::size_t>(settings.GetInt("EMS_OCPP_MAX_CONNECTIONS", 1, 1000000));
  options.control_secret = settings.Get("EMS_OCPP_CONTROL_SECRET");
  if (!options.control_secret.empty() && options.control_secret.size() < 16) {
    throw config::ConfigError("EMS_OCPP_CONTROL_SECRET", "must be at least 16 characters.");
  }

  // One descriptor per charger: take the hard limit (Debian's soft default is 1024).
  if (rlimit files{}; ::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &files);
  }
  net::io_context io(1);
  auto client = mqtt::MakeClient(mqtt_settings, "", kMaxBuffered);
  mqtt::Outbox outbox(*client, kMaxBuffered);
  PublishFn publish = [&outbox](const std::string& topic, const std::string& payload, bool retained,
                                std::function<void(bool)> done) {
    outbox.Publish(topic, payload, retained, std::move(done));
  };
  // Metrics (docs/monitoring.md): chargers connected, and calls by action. The action label takes
  // the actions OCPP 1.6 lets a charger send, and "other" for anything else a charger makes up.
  metrics::Registry registry;
  metrics::AddBuildInfo(registry, "ems-ocpp");
  metrics::AddProcessMetrics(registry);
  auto& connected =
      registry.GetGauge("ems_ocpp_chargers_connected", "OCPP chargers connected now.");
  std::map<std::string, metrics::Counter*, std::less<>> calls;
  for (const char* action :
       {"Authorize", "BootNotification", "DataTransfer", "DiagnosticsStatusNotification",
        "FirmwareStatusNotification", "Heartbeat", "MeterValues", "StartTransaction",
        "StatusNotification", "StopTransaction", "other"}) {
    calls[action] = &registry.GetCounter(
        "ems_ocpp_messages_total",
        "Calls received from chargers, by OCPP action (other: one OCPP 1.6 does not define).",
        {{"action", action}});
  }
  options.on_call = [&calls](const std::string& action) {
    const auto it = calls.find(action);
    (it != calls.end() ? it->second : calls.at("other"))->Inc();
  };
  options.on_connected = [&connected](std::size_t n) { connected.Set(static_cast<double>(n)); };
  const auto metrics_server = metrics::ServeMetrics(registry, settings);

  CentralSystem system(io, store::OpenStore(store::DatabaseOf(settings)), options, publish);
  system.Listen(ocpp_endpoint, control_endpoint);
  log::Info("OCPP 1.6J on ws://" + system.ocpp_endpoint().address().to_string() + ":" +
            std::to_string(system.ocpp_endpoint().port()) + "/ocpp/{station}");

  const std::string prefix = mqtt_settings.prefix;
  client->set_message_callback([&io, &system, prefix](::mqtt::const_message_ptr m) {
    auto ev = ScheduleOf(prefix, m->get_topic());
    if (!ev) return;
    net::post(io, [&system, ev = std::move(*ev), payload = m->to_string()] {
      system.OnSchedule(ev, payload);
    });
  });
  const auto schedules = mqtt::ScheduleTopic(prefix, "+", "+");
  std::thread connector([&] {
    mqtt::ConnectWithRetry(*client, mqtt_settings, outbox, stop,
                           [&client, schedules] { client->subscribe(schedules, 1); });
  });

  net::steady_timer watch(io);
  std::function<void()> check = [&] {
    if (stop) {
      system.Shutdown();
      watch.expires_after(std::chrono::seconds(1));
      watch.async_wait([&io](boost::system::error_code) { io.stop(); });
      return;
    }
    watch.expires_after(std::chrono::milliseconds(200));
    watch.async_wait([&check](boost::system::error_code ec) {
      if (!ec) check();
    });
  };
  check();
  // A handler that throws (storage failing: a full disk) costs that one call, never the gateway:
  // the loop goes on with every other charger (docs/contract.md §4.4).
  while (true) {
    try {
      io.run();
      break;
    } catch (const std::exception& e) {
      log::WarnThrottled("ocpp-handler", std::string("a handler failed: ") + e.what());
    }
  }
  connector.join();
  mqtt::DisconnectCleanly(*client, mqtt_settings, outbox);
}

}  // namespace ems::ocpp
