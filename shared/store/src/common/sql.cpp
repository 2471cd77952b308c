#include "common/sql.h"

namespace ems::store {

std::string VisibleSite(std::string_view site_column, int param) {
  const std::string p = std::to_string(param);
  std::string sql = "(?";
  sql.append(p).append(" IS NULL OR ").append(site_column);
  sql.append(" IN (SELECT site_id FROM user_sites WHERE username = ?").append(p).append("))");
  return sql;
}

}  // namespace ems::store
