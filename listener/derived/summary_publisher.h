// Site energy summaries as derived state (docs/contract.md §6.4, §4.3): the summary of every site a
// batch touched, published retained on `{p}/sites/{site}/summary` — the same body GET
// /api/v1/sites/{site}/energy/summary answers, computed from the stored latest readings with
// EMS_STALE_AFTER_S.
//
// When: AfterCommit only marks effects.sites dirty; Tick recomputes a dirty site at most once a
// second (a site whose devices report every few seconds costs one query a second, not one per
// batch) and publishes only when the summary differs from the last one sent, ignoring its `ts`.
// A summary also changes with no message at all, when a reading grows stale: each computation
// notes the instant the next fresh reading of the site turns stale, and the site is recomputed
// then. At construction every stored site is dirty, so a restarted listener refreshes every
// retained summary (staleness included) within its first second.
//
// A site that no longer exists (deleted over REST, which clears its topic) is not published.
//
// Storage failures are logged and the site stays dirty, so the next Tick retries.
//
// With options.shared, a site settles kSettle after its last refresh (derived.h).
//
// Writer thread only, with the writer's Store (see derived.h).
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "listener/derived/derived.h"

namespace ems::listener {

class SummaryDerivedPublisher : public DerivedPublisher {
 public:
  static constexpr std::chrono::seconds kMinPeriod{1};  // per site

  SummaryDerivedPublisher(store::Store& store, const IngestOptions& options, PublishFn publish);

  void AfterCommit(const BatchEffects& effects, Timestamp now) override;
  void Tick(Timestamp now) override;

 private:
  struct SiteState {
    std::optional<Timestamp> computed_at;  // last computation
    std::optional<Timestamp> recheck_at;   // when a fresh reading turns stale
    std::optional<Timestamp> settle_at;    // shared: when to publish it once more
    std::string sent;                      // last payload published, without its ts
  };
  // Recomputes one site; publishes when it changed, or always when `settle`.
  void Refresh(const std::string& site_id, SiteState& state, Timestamp now, bool settle);

  std::string prefix_;
  std::chrono::seconds stale_after_;
  PublishFn publish_;
  store::Store& store_;
  bool shared_;
  std::set<std::string> dirty_;
  std::string cursor_;              // where the last Tick stopped (VisitWithinBudget)
  std::set<std::string> settling_;  // dirty only because they settle
  std::map<std::string, SiteState> sites_;
};

}  // namespace ems::listener
