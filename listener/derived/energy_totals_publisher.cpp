#include "listener/derived/energy_totals_publisher.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "ems/mqtt/home_assistant.h"
#include "ems/mqtt/topics.h"
#include "ems/util/log.h"

namespace ems::listener {

EnergyTotalsPublisher::EnergyTotalsPublisher(store::Store& store, const IngestOptions& options,
                                             PublishFn publish)
    : store_(store), prefix_(options.prefix), publish_(std::move(publish)) {
  try {
    for (auto& site : store_.Sites().AllIds()) dirty_.insert(std::move(site));
  } catch (const std::exception& e) {
    log::Warn(std::string("cannot list sites for their energy totals: ") + e.what());
  }
}

void EnergyTotalsPublisher::AfterCommit(const BatchEffects& effects, Timestamp now) {
  (void)now;
  dirty_.insert(effects.sites.begin(), effects.sites.end());
}

void EnergyTotalsPublisher::Tick(Timestamp now) {
  const Timestamp grid_until = GridCountedUntil(now);
  for (const auto& [site_id, state] : sites_) {
    if (state.grid_until != grid_until) dirty_.insert(site_id);
  }
  bool may_scan = true;  // one grid scan a Tick: the writer stores batches between them
  for (auto it = dirty_.begin(); it != dirty_.end();) {
    auto& state = sites_[*it];
    if (state.computed_at && now - *state.computed_at < kMinPeriod) {
      ++it;
      continue;
    }
    try {
      Refresh(*it, state, now, may_scan);
      it = dirty_.erase(it);
    } catch (const std::exception& e) {
      log::WarnThrottled("energy-totals",
                         "cannot compute the energy totals of site " + *it + ": " + e.what());
      state.computed_at = now;  // retried after kMinPeriod
      ++it;
    }
  }
}

void EnergyTotalsPublisher::Refresh(const std::string& site_id, SiteState& state, Timestamp now,
                                    bool& may_scan) {
  if (!store_.Sites().Timezone(site_id)) {
    sites_.erase(site_id);  // deleted: the API cleared its topics
    return;
  }
  state.computed_at = now;
  if (!state.loaded) {
    state.counters = store_.EnergyCounters().Load(site_id);
    state.loaded = true;
  }
  if (const Timestamp until = GridCountedUntil(now); until != state.grid_until && may_scan) {
    // Else the grid figures stay as they were until a later Tick scans (the site is marked again
    // while grid_until lags).
    state.grid = store_.Readings().SiteGridEnergy(site_id, Timestamp{}, until);
    state.grid_until = until;
    may_scan = false;
  }
  const auto devices = store_.Readings().DeviceEnergyTotals(site_id);
  const auto figures = ComputeSiteEnergyFigures(devices, state.grid);

  auto counters = state.counters;
  std::vector<std::pair<std::string, std::string>> publications;  // topic, payload
  nlohmann::json site_body = nlohmann::json::object();
  const double site_values[] = {
      figures.grid_import,    figures.grid_export,       figures.solar,
      figures.battery_charge, figures.battery_discharge, figures.ev_charge};
  const auto site_names = mqtt::SiteEnergyFigureNames();
  for (std::size_t i = 0; i < site_names.size(); ++i) {
    auto& c = counters[{"", std::string(site_names[i])}];
    Advance(c, site_values[i]);
    site_body[site_names[i]] = RoundedKwh(c.published_wh());
  }
  publications.emplace_back(mqtt::SiteEnergyTopic(prefix_, site_id), site_body.dump());
  const auto device_names = mqtt::DeviceEnergyFigureNames();  // import, export
  for (const auto& d : devices) {
    nlohmann::json body = nlohmann::json::object();
    const double values[] = {d.consumed_wh, d.produced_wh};
    for (std::size_t i = 0; i < device_names.size(); ++i) {
      auto& c = counters[{d.device_id, std::string(device_names[i])}];
      Advance(c, values[i]);
      body[device_names[i]] = RoundedKwh(c.published_wh());
    }
    publications.emplace_back(mqtt::DeviceEnergyTopic(prefix_, site_id, d.device_id), body.dump());
  }

  store::EnergyCounters changed;
  for (const auto& [key, c] : counters) {
    const auto old = state.counters.find(key);
    if (old == state.counters.end() || old->second != c) changed.emplace(key, c);
  }
  if (!changed.empty()) {
    // Saved before anything is published: a restart goes on from what subscribers saw.
    auto tx = store_.Begin(store::TxMode::kWrite);
    store_.EnergyCounters().Save(site_id, changed);
    tx.Commit();
    state.counters = std::move(counters);
  }
  // A device deleted since (the API cleared its topic) is forgotten: created again under its id,
  // it is published anew.
  std::erase_if(state.sent, [&](const auto& sent) {
    return std::none_of(publications.begin(), publications.end(),
                        [&](const auto& p) { return p.first == sent.first; });
  });
  for (auto& [topic, payload] : publications) {
    auto& sent = state.sent[topic];
    if (sent == payload) continue;
    publish_(topic, payload);
    sent = std::move(payload);
  }
}

}  // namespace ems::listener
