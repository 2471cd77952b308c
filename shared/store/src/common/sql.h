// SQL both backends share: their statements are written once, with SQLite's ?N parameters, which
// the PostgreSQL backend translates (postgres/statement.h). The repositories written once for
// both backends live beside this file as templates over the backend's Statement.
#pragma once

#include <string>
#include <string_view>

namespace ems::store {

// Bytes stored as they were received, whatever their encoding (SQLite BLOB, PostgreSQL BYTEA).
struct Blob {
  std::string_view bytes;
};

// The site-visibility rule (docs/contract.md §5) as the one SQL fragment every query that answers a
// caller uses: true when the site in `site_column` is visible to the Visibility bound as parameter
// `param` (NULL = every site; else the sites assigned to that user).
std::string VisibleSite(std::string_view site_column, int param);

}  // namespace ems::store
