#include "listener/derived/energy_totals_publisher.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "ems/mqtt/home_assistant.h"
#include "ems/mqtt/topics.h"
#include "ems/util/log.h"

namespace ems::listener {
namespace {

// Shared: the energy_counters rows that keep a site's last grid scan (not a device id: those
// never start with '#'): counted_wh the figure, offset_wh the scan's `until` in Unix ms.
constexpr const char* kGridScan = "#grid-scan";

}  // namespace

EnergyTotalsPublisher::EnergyTotalsPublisher(store::Store& store, const IngestOptions& options,
                                             PublishFn publish)
    : store_(store),
      prefix_(options.prefix),
      publish_(std::move(publish)),
      shared_(options.shared) {
  try {
    for (auto& site : store_.Sites().AllIds()) dirty_.insert(std::move(site));
  } catch (const std::exception& e) {
    log::Warn(std::string("cannot list sites for their energy totals: ") + e.what());
  }
}

void EnergyTotalsPublisher::AfterCommit(const BatchEffects& effects, Timestamp now) {
  (void)now;
  dirty_.insert(effects.sites.begin(), effects.sites.end());
  for (const auto& site : effects.sites) settling_.erase(site);
}

void EnergyTotalsPublisher::Tick(Timestamp now) {
  const Timestamp grid_until = GridCountedUntil(now);
  for (const auto& [site_id, state] : sites_) {
    if (state.grid_until != grid_until) {
      dirty_.insert(site_id);
      settling_.erase(site_id);
    } else if (state.settle_at && *state.settle_at <= now && dirty_.insert(site_id).second) {
      settling_.insert(site_id);
    }
  }
  bool may_scan = true;  // one grid scan a Tick: the writer stores batches between them
  VisitWithinBudget(dirty_, cursor_, [&](const std::string& site_id) {
    auto& state = sites_[site_id];
    if (state.computed_at && now - *state.computed_at < kMinPeriod) return false;
    try {
      if (!Refresh(site_id, state, now, may_scan, settling_.contains(site_id))) return false;
      settling_.erase(site_id);
      return true;
    } catch (const std::exception& e) {
      log::WarnThrottled("energy-totals",
                         "cannot compute the energy totals of site " + site_id + ": " + e.what());
      state.computed_at = now;  // retried after kMinPeriod
      return false;
    }
  });
}

bool EnergyTotalsPublisher::Refresh(const std::string& site_id, SiteState& state, Timestamp now,
                                    bool& may_scan, bool settle) {
  if (!store_.Sites().Timezone(site_id)) {
    sites_.erase(site_id);  // deleted: the API cleared its topics
    return true;
  }
  state.computed_at = now;
  const Timestamp until = GridCountedUntil(now);
  if (shared_ && until != state.grid_until && !may_scan) return false;  // lagging: next Tick
  state.settle_at.reset();
  if (shared_ && !settle) state.settle_at = now + kSettle;
  // Shared: the figures and the counters as the other listeners left them, read under the write
  // lock taken here, so that no listener advances the counters with figures older than theirs;
  // and the grid figures of each `until` scanned once, by the first listener there, and kept with
  // the counters (kGridScan), so that every listener counts the same quarters the same way.
  std::optional<store::Transaction> tx;
  if (shared_) {
    tx.emplace(store_.Begin(store::TxMode::kWrite));
    state.counters = store_.EnergyCounters().Load(site_id);
    state.loaded = true;
    const auto imported = state.counters.find({kGridScan, "import"});
    const auto exported = state.counters.find({kGridScan, "export"});
    if (imported != state.counters.end() && exported != state.counters.end() &&
        imported->second.offset_wh == static_cast<double>(ToMillis(until))) {
      state.grid = {imported->second.counted_wh, exported->second.counted_wh};
      state.grid_until = until;
    }
  }
  if (until != state.grid_until && may_scan) {
    // Else the grid figures stay as they were until a later Tick scans (the site is marked again
    // while grid_until lags).
    state.grid = store_.Readings().SiteGridEnergy(site_id, Timestamp{}, until);
    state.grid_until = until;
    may_scan = false;
  }
  const auto devices = store_.Readings().DeviceEnergyTotals(site_id);
  const auto figures = ComputeSiteEnergyFigures(devices, state.grid);
  if (!state.loaded) {
    state.counters = store_.EnergyCounters().Load(site_id);
    state.loaded = true;
  }
  auto counters = state.counters;
  if (shared_) {
    const double scanned_until = static_cast<double>(ToMillis(state.grid_until));
    counters[{kGridScan, "import"}] = {state.grid.import_wh, scanned_until};
    counters[{kGridScan, "export"}] = {state.grid.export_wh, scanned_until};
  }
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
    if (!tx) tx.emplace(store_.Begin(store::TxMode::kWrite));
    store_.EnergyCounters().Save(site_id, changed);
  }
  if (tx) tx->Commit();
  if (!changed.empty()) state.counters = std::move(counters);
  // A device deleted since (the API cleared its topic) is forgotten: created again under its id,
  // it is published anew.
  std::erase_if(state.sent, [&](const auto& sent) {
    return std::none_of(publications.begin(), publications.end(),
                        [&](const auto& p) { return p.first == sent.first; });
  });
  for (auto& [topic, payload] : publications) {
    auto& sent = state.sent[topic];
    if (sent == payload && !settle) continue;
    publish_(topic, payload);
    sent = std::move(payload);
  }
  return true;
}

}  // namespace ems::listener
