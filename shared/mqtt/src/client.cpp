#include "ems/mqtt/client.h"

#include <MQTTAsync.h>

#include <cstdlib>
#include <filesystem>
#include <thread>

#include "ems/mqtt/topics.h"
#include "ems/util/log.h"

namespace ems::mqtt {

std::string PahoUri(const std::string& url) {
  static const std::pair<const char*, const char*> kSchemes[] = {
      {"mqtt://", "tcp://"}, {"tcp://", "tcp://"}, {"mqtts://", "ssl://"}, {"ssl://", "ssl://"}};
  for (const auto& [from, to] : kSchemes) {
    const std::string scheme(from);
    if (url.rfind(scheme, 0) != 0) continue;
    const std::string hostport = url.substr(scheme.size());
    const auto colon = hostport.rfind(':');
    if (hostport.empty() || hostport.find('/') != std::string::npos || colon == 0) return "";
    if (colon != std::string::npos) {
      const auto port = hostport.substr(colon + 1);
      if (port.empty() || port.size() > 5 ||
          port.find_first_not_of("0123456789") != std::string::npos || std::stoi(port) > 65535) {
        return "";
      }
      return to + hostport;
    }
    return to + hostport + (std::string(to) == "ssl://" ? ":8883" : ":1883");
  }
  return "";
}

ConnectionSettings ConnectionFromSettings(const config::Settings& s, std::string service) {
  ConnectionSettings cs;
  cs.uri = PahoUri(s.Get("EMS_MQTT_URL"));
  if (cs.uri.empty()) {
    throw config::ConfigError("EMS_MQTT_URL", "'" + s.Get("EMS_MQTT_URL") +
                                                  "' is not a broker URL like mqtt://host:1883 "
                                                  "or mqtts://host:8883.");
  }
  cs.ca_file = s.Get("EMS_MQTT_CA_FILE");
  if (cs.uri.rfind("ssl://", 0) == 0 && !cs.ca_file.empty() &&
      !std::filesystem::exists(cs.ca_file)) {
    throw config::ConfigError("EMS_MQTT_CA_FILE", "file '" + cs.ca_file + "' does not exist.");
  }
  cs.username = s.Get("EMS_MQTT_USERNAME");
  cs.password = s.Get("EMS_MQTT_PASSWORD");
  cs.client_id = s.Get("EMS_MQTT_CLIENT_ID");
  if (cs.client_id.empty() || cs.client_id.size() > 64) {
    throw config::ConfigError("EMS_MQTT_CLIENT_ID", "must be 1 to 64 characters.");
  }
  cs.prefix = s.Get("EMS_TOPIC_PREFIX");
  if (cs.prefix.empty() || cs.prefix.find_first_of("+#") != std::string::npos ||
      cs.prefix.front() == '/' || cs.prefix.back() == '/') {
    throw config::ConfigError("EMS_TOPIC_PREFIX",
                              "must be a topic path without wildcards or outer slashes.");
  }
  cs.service = std::move(service);
  return cs;
}

void QuietPahoTrace() {
  if (std::getenv("MQTT_C_CLIENT_TRACE") == nullptr) MQTTAsync_setTraceLevel(MQTTASYNC_TRACE_ERROR);
}

std::unique_ptr<::mqtt::async_client> MakeClient(const ConnectionSettings& cs,
                                                 const std::string& persist_dir, int max_buffered) {
  QuietPahoTrace();
  auto opts = ::mqtt::create_options_builder()
                  .mqtt_version(MQTTVERSION_3_1_1)
                  .send_while_disconnected(true, /*anyTime=*/true)
                  .max_buffered_messages(max_buffered)
                  .delete_oldest_messages(false)
                  .finalize();
  if (persist_dir.empty()) {
    return std::make_unique<::mqtt::async_client>(cs.uri, cs.client_id, opts, nullptr);
  }
  std::filesystem::create_directories(persist_dir);
  return std::make_unique<::mqtt::async_client>(cs.uri, cs.client_id, opts, persist_dir);
}

bool ConnectWithRetry(::mqtt::async_client& client, const ConnectionSettings& cs, Outbox& outbox,
                      const std::atomic<bool>& stop, std::function<void()> on_connected) {
  const auto status_topic = StatusTopic(cs.prefix, cs.service);
  // The handler may outlive the outbox (a reconnect while the service stops): the poster then
  // refuses instead of reaching a destroyed outbox.
  client.set_connected_handler(
      [post = outbox.MakePoster(), status_topic, on_connected](const std::string&) {
        log::Info("connected to the broker");
        post(status_topic, "online", true);  // queued, never waited on: we are on Paho's thread
        if (on_connected) on_connected();
      });
  client.set_connection_lost_handler(
      [](const std::string& cause) { log::Warn("lost the broker connection: " + cause); });

  auto builder = ::mqtt::connect_options_builder()
                     .mqtt_version(MQTTVERSION_3_1_1)
                     .clean_session(false)
                     .keep_alive_interval(std::chrono::seconds(30))
                     .connect_timeout(std::chrono::seconds(5))
                     .automatic_reconnect(std::chrono::seconds(1), std::chrono::seconds(30))
                     .max_inflight(1000)
                     .will(::mqtt::message(status_topic, "offline", 1, true));
  if (!cs.username.empty()) builder.user_name(cs.username).password(cs.password);
  if (cs.uri.rfind("ssl://", 0) == 0) {
    auto ssl = ::mqtt::ssl_options_builder().enable_server_cert_auth(true).verify(true);
    if (!cs.ca_file.empty()) ssl.trust_store(cs.ca_file);
    builder.ssl(ssl.finalize());
  }
  const auto options = builder.finalize();

  bool warned = false;
  while (!stop) {
    try {
      client.connect(options)->wait();
      return true;
    } catch (const ::mqtt::exception& e) {
      if (!warned) {
        log::Warn("cannot reach the broker at " + cs.uri + " (" + e.what() +
                  "); retrying every second");
        warned = true;
      }
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
  }
  return false;
}

void DisconnectCleanly(::mqtt::async_client& client, const ConnectionSettings& cs, Outbox& outbox) {
  try {
    if (client.is_connected()) {
      outbox.Publish(StatusTopic(cs.prefix, cs.service), "offline", true);
      outbox.WaitUntilAtMost(0, std::chrono::seconds(3));
      client.disconnect()->wait_for(std::chrono::seconds(5));
    }
  } catch (const ::mqtt::exception& e) {
    log::Warn(std::string("disconnect: ") + e.what());
  }
}

}  // namespace ems::mqtt
