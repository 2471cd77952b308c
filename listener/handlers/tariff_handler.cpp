#include "listener/handlers/tariff_handler.h"

#include "ems/codec/tariff_codec.h"

namespace ems::listener {

Result<Outcome> TariffHandler::Handle(const mqtt::TariffMsg& topic, const InboxRecord& r,
                                      BatchEffects& e) {
  auto tariff = codec::DecodeTariff(r.payload);
  if (!tariff) return Unexpected(tariff.error());
  if (store_.Tariffs().Get(topic.site) == *tariff) return Outcome::kDuplicate;
  store_.Tariffs().Put(topic.site, *tariff, r.arrival);
  e.tariff_sites.insert(topic.site);
  return Outcome::kStored;
}

}  // namespace ems::listener
