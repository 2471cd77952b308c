#include "listener/handlers/session_handler.h"

#include "ems/codec/session_codec.h"

namespace ems::listener {

Result<Outcome> SessionHandler::Handle(const mqtt::SessionMsg& topic, const InboxRecord& r,
                                       BatchEffects& e) {
  return Store(
      codec::DecodeSession(r.payload, topic.site, topic.station, options_.default_currency), r, e);
}

Result<Outcome> SessionHandler::Handle(const mqtt::LegacySessionMsg& topic, const InboxRecord& r,
                                       BatchEffects& e) {
  const auto site = store_.Devices().SiteOf(topic.station).value_or("unassigned");
  return Store(codec::DecodeLegacySession(r.payload, topic.station, topic.connector, site,
                                          r.arrival, options_.default_currency),
               r, e);
}

Result<Outcome> SessionHandler::Store(const Result<ChargingSession>& s, const InboxRecord& r,
                                      BatchEffects& e) {
  if (!s) return Unexpected(s.error());
  EMS_TRY(merge, store_.Sessions().Store(*s, r.arrival));
  if (merge == SessionMerge::kInsert || merge == SessionMerge::kReplace) {
    if (sites_.insert(s->site_id).second) {
      store_.Sites().Ensure(s->site_id, s->site_id, "UTC", r.arrival);
    }
    e.sites.insert(s->site_id);
    return Outcome::kStored;
  }
  return Outcome::kDuplicate;  // identical, or an update of a completed (final) session
}

}  // namespace ems::listener
