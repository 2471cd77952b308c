// Charging sessions from {p}/sites/{site}/devices/{station}/sessions (SPEC §4.1) and from the
// existing stations' charger/... tree (§4.2). The site is created if new.
#pragma once

#include <SQLiteCpp/SQLiteCpp.h>

#include "ems/mqtt/topics.h"
#include "ems/store/session_repository.h"
#include "ems/store/site_repository.h"
#include "listener/handlers/handler.h"

namespace ems::listener {

class SessionHandler {
 public:
  SessionHandler(SQLite::Database& db, const IngestOptions& options);
  Result<Outcome> Handle(const mqtt::SessionMsg& topic, const InboxRecord& r, BatchEffects& e);
  Result<Outcome> Handle(const mqtt::LegacySessionMsg& topic, const InboxRecord& r,
                         BatchEffects& e);

 private:
  Result<Outcome> Store(const Result<ChargingSession>& s, const InboxRecord& r, BatchEffects& e);

  const IngestOptions& options_;
  store::SessionRepository sessions_;
  store::SiteRepository sites_;
};

}  // namespace ems::listener
