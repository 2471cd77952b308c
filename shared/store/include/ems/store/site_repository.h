// SiteRepository: the sites table (docs/contract.md §3, §6.1), its only writer. The listener
// creates sites through Ensure: on discovery (name and zone from the meta message) and on a session
// of a new site (name = id, zone UTC); admins create, rename and delete them over REST (Ensure,
// Update, and RemoveSite of ems/store/site_removal.h, which empties a site before Delete).
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

// What belongs to a site, and would go with it.
struct SiteContents {
  std::int64_t devices = 0, sessions = 0, contracts = 0;
  bool empty() const { return devices == 0 && sessions == 0 && contracts == 0; }
};

class SiteRepository {
 public:
  virtual ~SiteRepository() = default;

  // Creates the site unless it exists (then false: an existing site keeps its name and zone).
  // Validation of ids and zones is the caller's.
  virtual bool Ensure(const std::string& id, const std::string& name, const std::string& timezone,
                      Timestamp now) = 0;
  // Renames the site and sets its zone; false when there is no such site.
  virtual bool Update(const std::string& id, const std::string& name,
                      const std::string& timezone) = 0;
  // Deletes the site row alone; false when there is no such site. What belongs to it must be
  // gone first (RemoveSite).
  virtual bool Delete(const std::string& id) = 0;
  // What belongs to the site: devices, charging sessions, contracts.
  virtual SiteContents Contents(const std::string& id) = 0;

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
