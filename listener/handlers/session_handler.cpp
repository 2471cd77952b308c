#include "listener/handlers/session_handler.h"

#include "ems/codec/session_codec.h"

namespace ems::listener {

SessionHandler::SessionHandler(SQLite::Database& db, const IngestOptions& options)
    : options_(options), sessions_(db), sites_(db) {}

Result<Outcome> SessionHandler::Handle(const mqtt::SessionMsg& topic, const InboxRecord& r,
                                       BatchEffects& e) {
  return Store(codec::DecodeSession(r.payload, topic, options_.default_currency), r, e);
}

Result<Outcome> SessionHandler::Handle(const mqtt::LegacySessionMsg& topic, const InboxRecord& r,
                                       BatchEffects& e) {
  const auto site = sessions_.SiteOfDevice(topic.station).value_or("unassigned");
  return Store(
      codec::DecodeLegacySession(r.payload, topic, site, r.arrival, options_.default_currency), r,
      e);
}

Result<Outcome> SessionHandler::Store(const Result<ChargingSession>& s, const InboxRecord& r,
                                      BatchEffects& e) {
  if (!s) return Unexpected(s.error());
  sites_.Ensure(s->site_id, r.arrival);
  const auto merge = sessions_.Store(*s, r.arrival);
  if (merge == SessionMerge::kInsert || merge == SessionMerge::kReplace) {
    e.sites.insert(s->site_id);
    return Outcome::kStored;
  }
  return Outcome::kDuplicate;  // identical, or an update of a completed (final) session
}

}  // namespace ems::listener
