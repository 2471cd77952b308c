// SiteRepository: the sites table (SPEC §3, §6.1), its only writer. Every process that creates a
// site goes through Ensure: the listener on discovery (name and zone from the meta message) and
// on a session of a new site (name = id, zone UTC).
//
// Contract of every repository of the store (ems/store/store.h): no transactions of its own,
// statements prepared once per Store, expected failures as Result, infrastructure failures
// thrown. Not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ems/domain/time.h"
#include "ems/store/page.h"
#include "ems/store/visibility.h"

namespace ems::store {

struct Site {
  std::string id, name, timezone;
  std::int64_t device_count = 0;
};

class SiteRepository {
 public:
  virtual ~SiteRepository() = default;

  // Creates the site unless it exists; an existing site keeps its name and zone.
  virtual void Ensure(const std::string& id, const std::string& name, const std::string& timezone,
                      Timestamp now) = 0;

  // The site with its device count, when it exists and `visibility` includes it.
  virtual std::optional<Site> Get(const std::string& id, const Visibility& visibility) = 0;
  // The visible sites in id order after `after` ("" = from the start); `limit` is clamped.
  virtual Page<Site, std::string> List(const Visibility& visibility, const std::string& after,
                                       int limit) = 0;
  // The site's IANA zone; std::nullopt for an unknown site.
  virtual std::optional<std::string> Timezone(const std::string& id) = 0;
  // Every site id, sorted.
  virtual std::vector<std::string> AllIds() = 0;
};

}  // namespace ems::store
