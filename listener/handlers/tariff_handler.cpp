#include "listener/handlers/tariff_handler.h"

#include "ems/codec/tariff_codec.h"

namespace ems::listener {

Result<Outcome> TariffHandler::Handle(const mqtt::TariffMsg& topic, const InboxRecord& r,
                                      BatchEffects& e) {
  auto tariff = codec::DecodeTariff(r.payload);
  if (!tariff) return Unexpected(tariff.error());
  auto& tariffs = store_.Tariffs();
  Timestamp from = TariffUpdateFrom(*tariff, r.arrival);
  const auto stored = tariffs.Get(topic.site, from, Timestamp::max());
  if (stored && stored->currency != tariff->currency) from = Timestamp::min();
  const Tariff merged = stored ? MergeTariff(*stored, *tariff, r.arrival) : *tariff;
  if (stored == merged) return Outcome::kDuplicate;
  tariffs.Put(topic.site, from, merged, r.arrival);
  e.tariff_sites.insert(topic.site);
  return Outcome::kStored;
}

}  // namespace ems::listener
