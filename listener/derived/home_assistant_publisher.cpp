#include "listener/derived/home_assistant_publisher.h"

#include <algorithm>

#include "ems/util/log.h"

namespace ems::listener {

HomeAssistantPublisher::HomeAssistantPublisher(store::Store& store, const IngestOptions& options,
                                               PublishFn publish)
    : store_(store), settings_(options.home_assistant.value()), publish_(std::move(publish)) {
  CheckAll();
}

void HomeAssistantPublisher::CheckAll() {
  try {
    for (const auto& site : store_.Sites().AllIds()) {
      for (auto& reading : store_.Readings().SiteReadings(site)) {
        checked_at_.erase(reading.device_id);
        pending_.insert(std::move(reading.device_id));
      }
    }
  } catch (const std::exception& e) {
    log::Warn(std::string("cannot list devices for Home Assistant: ") + e.what());
  }
}

void HomeAssistantPublisher::AfterCommit(const BatchEffects& effects, Timestamp now) {
  (void)now;
  pending_.insert(effects.devices.begin(), effects.devices.end());
}

void HomeAssistantPublisher::Republish(Timestamp now) {
  (void)now;
  sent_.clear();
  CheckAll();
}

void HomeAssistantPublisher::Tick(Timestamp now) {
  VisitWithinBudget(pending_, cursor_, [&](const std::string& device_id) {
    const auto checked = checked_at_.find(device_id);
    if (checked != checked_at_.end() && now - checked->second < kRecheck) {
      return false;  // checked recently: stays pending until its minute has passed
    }
    try {
      Check(device_id, now);
    } catch (const std::exception& e) {
      log::WarnThrottled("ha-discovery", "cannot publish the Home Assistant configs of device " +
                                             device_id + ": " + e.what());
    }
    checked_at_[device_id] = now;
    return true;
  });
}

void HomeAssistantPublisher::Send(const mqtt::HaConfig& config, Timestamp now) {
  auto& sent = sent_[config.topic];
  if (sent.payload == config.payload && now - sent.at < kResend) return;
  publish_(config.topic, config.payload);
  sent = {config.payload, now};
}

void HomeAssistantPublisher::Check(const std::string& device_id, Timestamp now) {
  const auto device = store_.Devices().Get(device_id, store::Visibility::All());
  if (!device) {
    // Deleted (the API cleared its configs): one created again under this id gets them anew.
    for (const auto& topic : mqtt::DeviceConfigTopics(settings_, device_id)) sent_.erase(topic);
    return;
  }
  const auto site = store_.Sites().Get(device->site_id, store::Visibility::All());
  if (!site) return;
  std::vector<std::string> metrics;
  for (const auto m : TypicalMetrics(device->type)) metrics.emplace_back(m);
  for (auto& latest : store_.Readings().Latest(device_id)) {
    if (std::find(metrics.begin(), metrics.end(), latest.name) == metrics.end()) {
      metrics.push_back(std::move(latest.name));
    }
  }
  const mqtt::HaSite ha_site{site->id, site->name};
  for (const auto& config : mqtt::SiteConfigs(settings_, ha_site)) Send(config, now);
  for (const auto& config : mqtt::DeviceConfigs(settings_, ha_site, *device, metrics)) {
    Send(config, now);
  }
}

}  // namespace ems::listener
