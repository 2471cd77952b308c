#include "listener/derived/summary_publisher.h"

#include <algorithm>

#include "ems/codec/energy_codec.h"
#include "ems/domain/energy.h"
#include "ems/mqtt/topics.h"
#include "ems/util/log.h"

namespace ems::listener {

SummaryDerivedPublisher::SummaryDerivedPublisher(store::Store& store, const IngestOptions& options,
                                                 PublishFn publish)
    : prefix_(options.prefix),
      stale_after_(options.stale_after),
      publish_(std::move(publish)),
      store_(store),
      shared_(options.shared) {
  try {
    for (auto& site : store_.Sites().AllIds()) dirty_.insert(std::move(site));
  } catch (const std::exception& e) {
    log::Warn(std::string("cannot list sites for their summaries: ") + e.what());
  }
}

void SummaryDerivedPublisher::AfterCommit(const BatchEffects& effects, Timestamp now) {
  (void)now;
  dirty_.insert(effects.sites.begin(), effects.sites.end());
  for (const auto& site : effects.sites) settling_.erase(site);
}

void SummaryDerivedPublisher::Tick(Timestamp now) {
  for (const auto& [site_id, state] : sites_) {
    if (state.recheck_at && *state.recheck_at <= now) {
      dirty_.insert(site_id);
      settling_.erase(site_id);
    } else if (state.settle_at && *state.settle_at <= now && dirty_.insert(site_id).second) {
      settling_.insert(site_id);
    }
  }
  VisitWithinBudget(dirty_, cursor_, [&](const std::string& site_id) {
    auto& state = sites_[site_id];
    if (state.computed_at && now - *state.computed_at < kMinPeriod) {
      return false;  // throttled: stays dirty until its second has passed
    }
    try {
      Refresh(site_id, state, now, settling_.erase(site_id) > 0);
      return true;
    } catch (const std::exception& e) {
      log::WarnThrottled("summary-recompute", "cannot recompute the energy summary of site " +
                                                  site_id + ": " + e.what());
      state.computed_at = now;  // retried after kMinPeriod
      return false;
    }
  });
}

void SummaryDerivedPublisher::Refresh(const std::string& site_id, SiteState& state, Timestamp now,
                                      bool settle) {
  if (!store_.Sites().Timezone(site_id)) {
    // Deleted (DELETE /api/v1/sites clears its retained summary): publish nothing for it, and
    // start afresh should it come back.
    state = SiteState{};
    return;
  }
  const auto readings = store_.Readings().SiteReadings(site_id);
  state.computed_at = now;
  state.settle_at.reset();
  if (shared_ && !settle) state.settle_at = now + kSettle;
  const auto summary = ComputeEnergySummary(site_id, readings, now, stale_after_);

  // The next instant a reading that is fresh now turns stale (fresh while now − ts ≤ stale_after).
  state.recheck_at.reset();
  for (const auto& r : readings) {
    for (const auto& value : {r.power_w, r.soc_pct}) {
      if (!value || now - value->ts > stale_after_) continue;
      const Timestamp stale_at = value->ts + stale_after_ + Millis(1);
      state.recheck_at = state.recheck_at ? std::min(*state.recheck_at, stale_at) : stale_at;
    }
  }

  auto body = codec::EncodeEnergySummary(summary);
  auto compared = body;
  compared.erase("ts");
  auto key = compared.dump();
  if (key == state.sent && !settle) return;
  publish_(mqtt::SummaryTopic(prefix_, site_id), body.dump());
  state.sent = std::move(key);
}

}  // namespace ems::listener
