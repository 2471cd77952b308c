// Site tariffs from the retained `{p}/sites/{site}/tariff` topic (docs/contract.md §4.1): decoded
// and validated by codec::DecodeTariff, then merged into the site's price history as of the
// message's arrival (MergeTariff, ems/domain/tariff.h: prices already begun stay as they were
// valid; the new tariff decides the rest; a new currency starts the history again).
//
// Rejects: kInvalidJson (not a JSON object) and kInvalidTariff (anything DecodeTariff refuses). A
// tariff that changes no stored price (a redelivery, or the retained message again after a
// reconnect) is a duplicate; any other marks the site in effects.tariff_sites, so planned EV
// schedules of the site are re-planned after the commit. The site row is not created here: a
// retained tariff may arrive before the site's first discovery message, which then sets the site's
// name and time zone.
#pragma once

#include "ems/mqtt/topics.h"
#include "ems/store/store.h"
#include "listener/handlers/handler.h"

namespace ems::listener {

class TariffHandler {
 public:
  explicit TariffHandler(store::Store& store) : store_(store) {}
  Result<Outcome> Handle(const mqtt::TariffMsg& topic, const InboxRecord& r, BatchEffects& e);

 private:
  store::Store& store_;
};

}  // namespace ems::listener
